from __future__ import annotations

import re
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unified_accounting import money
from unified_accounting.money import (
    DEFAULT_MINOR_UNITS,
    MINOR_UNITS,
    MoneyError,
    add_exact,
    decimal_places,
    fits,
    format_money,
    from_minor_units,
    minor_units,
    parse_amount,
    parse_money,
    sum_money,
    to_minor_units,
    with_places,
)


@pytest.mark.parametrize(
    ("code", "places"),
    [
        ("GBP", 2), ("EUR", 2), ("USD", 2), ("CHF", 2), ("IDR", 2), ("HUF", 2),
        ("JPY", 0), ("KRW", 0), ("VND", 0), ("ISK", 0), ("CLP", 0), ("XOF", 0), ("UGX", 0),
        ("BHD", 3), ("KWD", 3), ("OMR", 3), ("JOD", 3), ("TND", 3), ("LYD", 3), ("IQD", 3),
        ("CLF", 4), ("UYW", 4),
    ],
)
def test_minor_units_follow_iso_4217(code: str, places: int) -> None:
    assert minor_units(code) == places


def test_absent_or_unknown_currency_means_two_places() -> None:
    assert DEFAULT_MINOR_UNITS == 2
    assert minor_units(None) == 2
    assert minor_units("XYZ") == 2
    assert minor_units("gbp") == 2  # codes are upper case; lower case is not a known code


def test_table_holds_only_well_formed_codes_without_metals_or_test_codes() -> None:
    assert len(MINOR_UNITS) > 150
    assert all(re.fullmatch("[A-Z]{3}", code) for code in MINOR_UNITS)
    assert set(MINOR_UNITS.values()) == {0, 2, 3, 4}
    assert not {"XAU", "XAG", "XDR", "XTS", "XXX"} & set(MINOR_UNITS)
    assert money.is_currency("GBP")
    assert not money.is_currency("XAU")
    assert not money.is_currency(None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1200", Decimal("1200")),
        ("1200.00", Decimal("1200.00")),
        ("-0.5", Decimal("-0.5")),
        ("0", Decimal(0)),
        (7, Decimal(7)),
        (Decimal("12.340"), Decimal("12.340")),
        (0.1, Decimal("0.1")),  # read through str(): not 0.1000000000000000055511...
        (1e16, Decimal("1E+16")),
    ],
)
def test_parse_amount_reads_text_ints_decimals_and_floats_exactly(
    value: object, expected: Decimal
) -> None:
    parsed = parse_amount(value)
    assert parsed == expected
    assert parsed.as_tuple() == expected.as_tuple()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "not a boolean"),
        (False, "not a boolean"),
        (None, "not NoneType"),
        ([1], "not list"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (Decimal("NaN"), "finite"),
        (Decimal("sNaN"), "finite"),
        (Decimal("-Infinity"), "finite"),
        ("NaN", "written like"),
        ("Infinity", "written like"),
        ("1e3", "written like"),
        ("1E+3", "written like"),
        (" 1", "written like"),
        ("1 ", "written like"),
        ("1.00\n", "written like"),
        ("+1", "written like"),
        ("1.", "written like"),
        (".5", "written like"),
        ("01", "written like"),
        ("1,000.00", "written like"),
        ("1_000", "written like"),
        ("\u0661", "written like"),  # an Arabic-Indic digit: Decimal() would accept it
        ("", "written like"),
        ("1" * 19, "written like"),
        (10**18, "at most 18 digits before the point"),
        (Decimal("1E+18"), "at most 18 digits before the point"),
        (Decimal("1E-19"), "at most 18 decimal places"),
    ],
)
def test_parse_amount_refuses(value: object, message: str) -> None:
    with pytest.raises(MoneyError, match=re.escape(message)):
        parse_amount(value)


def test_decimal_places_ignores_trailing_zeros() -> None:
    assert decimal_places(Decimal("1.50")) == 1
    assert decimal_places(Decimal("1.500")) == 1
    assert decimal_places(Decimal("100")) == 0
    assert decimal_places(Decimal("1E+2")) == 0
    assert decimal_places(Decimal("0.000")) == 0
    assert decimal_places(Decimal("-0.125")) == 3


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("1200", "GBP", "1200.00"),
        ("1.5", "GBP", "1.50"),
        ("1.500", "GBP", "1.50"),  # trailing zeros never count as precision
        ("1200.00", "JPY", "1200"),
        ("1.234", "BHD", "1.234"),
        ("1.2345", "CLF", "1.2345"),
        (0.1, None, "0.10"),
        (Decimal("1E+3"), "GBP", "1000.00"),
        ("-0", "GBP", "0.00"),
    ],
)
def test_parse_money_writes_the_currency_places(
    value: object, currency: str | None, expected: str
) -> None:
    parsed = parse_money(value, currency)
    assert str(parsed) == expected


@pytest.mark.parametrize(
    ("value", "currency", "message"),
    [
        ("0.125", "GBP", "has more than 2 decimal places for GBP"),
        ("1200.5", "JPY", "has more than 0 decimal places for JPY"),
        ("1.2345", "BHD", "has more than 3 decimal places for BHD"),
        ("1.005", None, "has more than 2 decimal places when no currency is known"),
        ("1.005", "XYZ", "has more than 2 decimal places when no currency is known"),
        (1.005, "GBP", "has more than 2 decimal places for GBP"),
        (1e-7, "GBP", "has more than 2 decimal places for GBP"),
    ],
)
def test_parse_money_never_rounds(value: object, currency: str | None, message: str) -> None:
    with pytest.raises(MoneyError, match=re.escape(message)):
        parse_money(value, currency)


def test_minor_unit_conversions_are_exact() -> None:
    assert to_minor_units(Decimal("12.34"), 2) == 1234
    assert to_minor_units(Decimal("-12.3"), 2) == -1230
    assert to_minor_units(Decimal("5E+2"), 0) == 500
    assert to_minor_units(Decimal("7.000"), 0) == 7
    assert from_minor_units(-1234, 2).as_tuple() == Decimal("-12.34").as_tuple()
    assert str(from_minor_units(5, 3)) == "0.005"
    assert str(with_places(Decimal("1.5"), 3)) == "1.500"
    with pytest.raises(MoneyError):
        to_minor_units(Decimal("0.001"), 2)
    with pytest.raises(MoneyError):
        with_places(Decimal("0.001"), 2)


def test_sums_are_exact_and_ignore_the_decimal_context() -> None:
    assert sum_money([Decimal("0.10"), Decimal("0.20")]) == Decimal("0.30")
    big = [Decimal("999999999999999999.99"), Decimal("0.01"), Decimal("-0.01")]
    with localcontext() as ctx:
        ctx.prec = 3  # a context this coarse would round almost every sum
        assert str(sum_money(big, "GBP")) == "999999999999999999.99"
        assert str(add_exact([Decimal("0.1"), Decimal("0.02"), Decimal("100000")])) == "100000.12"
    assert str(sum_money([], "JPY")) == "0"
    with pytest.raises(MoneyError):
        sum_money([Decimal("0.001")], "GBP")


def test_format_money_pads_to_places_and_never_rounds() -> None:
    assert format_money(Decimal("1200"), "GBP") == "1200.00"
    assert format_money(Decimal("1200.000"), "JPY") == "1200"
    assert format_money(Decimal("1E+3"), None) == "1000.00"
    assert format_money(Decimal("1.005"), "GBP") == "1.005"  # left for validation to refuse


def test_fits_refuses_non_finite_values() -> None:
    assert fits(Decimal("1.10"), 1)
    assert not fits(Decimal("1.11"), 1)
    assert not fits(Decimal("NaN"), 2)
    assert not fits(Decimal("Infinity"), 2)


@settings(max_examples=50)
@given(st.integers(-(10**18) + 1, 10**18 - 1), st.sampled_from(sorted(MINOR_UNITS)))
def test_minor_units_round_trip(amount_units: int, currency: str) -> None:
    places = minor_units(currency)
    amount = from_minor_units(amount_units, places)
    assert to_minor_units(amount, places) == amount_units
    assert parse_money(format_money(amount, currency), currency) == amount


@settings(max_examples=50)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_floats_are_read_through_their_text(value: float) -> None:
    try:
        parsed = parse_amount(value)
    except MoneyError:
        assert decimal_places(Decimal(str(value))) > money.MAX_FRACTION_DIGITS
        return
    assert parsed == Decimal(str(value))


@settings(max_examples=50)
@given(st.lists(st.integers(-(10**12), 10**12), max_size=6), st.integers(0, 4))
def test_add_exact_matches_integer_arithmetic(parts: list[int], places: int) -> None:
    amounts = [from_minor_units(p, places) for p in parts]
    assert to_minor_units(add_exact(amounts), places) == sum(parts)
