"""The compiled paths' value converters give the fields' own verdicts, value for value.

Each converter in ``schemas/converters.py`` (and the exact money text in ``money.py``) is
held to the marshmallow field or money function it stands in for, on generated input that
mixes valid values, near misses and junk: the same refusal, or the same value written the
same way (``Decimal.as_tuple()``, so that "1.50" and "1.5" count as different).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from unified_accounting import money
from unified_accounting.money import DECIMAL_PATTERN
from unified_accounting.schemas import converters
from unified_accounting.schemas.converters import Refused
from unified_accounting.schemas.fields import Amount, IsoDate, IsoDateTime

MANY = settings(max_examples=400, deadline=None)
SIGNS = ["any", "non_negative", "positive"]

digits = st.text(alphabet="0123456789", min_size=1, max_size=21)
amount_texts = st.one_of(
    st.builds(lambda sign, whole, fraction: f"{sign}{whole}{fraction}",
              st.sampled_from(["", "-", "+"]), digits,
              st.sampled_from(["", "."]).flatmap(
                  lambda point: st.just("") if not point else digits.map(lambda d: "." + d)
              ) | st.sampled_from([".", ".5", "e5", "E-2", "\n", " "])),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")),
    st.text(max_size=8),
    st.sampled_from(["-0", "-0.00", "0", "0.000", "007", "1_000", "١٢", "NaN", "Infinity"]),
)
any_decimals = st.decimals(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [Decimal("-0"), Decimal("1E+3"), Decimal("1E-7"), Decimal("0E-30"), Decimal("1E+30")]
)
amount_inputs = st.one_of(
    amount_texts, any_decimals, st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True), st.booleans(), st.none(), st.just([]),
)
places_options = st.none() | st.integers(0, 4)
max_places_options = st.none() | st.integers(0, 10)


def written(value: Decimal) -> tuple[Any, ...]:
    return tuple(value.as_tuple())


def field_load(value: Any, sign: str, max_places: int | None, places: int | None) -> Any:
    """What the Amount/Money field and the record's places rule and post-load step give."""
    try:
        amount = Amount(sign=sign, max_places=max_places).deserialize(value)  # type: ignore[arg-type]
    except ValidationError:
        return "refused"
    if places is None:
        return written(amount)
    if not money.fits(amount, places):
        return "refused"
    return written(money.with_places(amount, places))


def compiled_load(value: Any, sign: str, max_places: int | None, places: int | None) -> Any:
    try:
        return written(converters.read_amount(value, sign, max_places, places))
    except (Refused, ValueError):
        return "refused"


@MANY
@given(text=amount_texts)
def test_the_amount_pattern_accepts_what_the_published_pattern_accepts(text: str) -> None:
    published = re.compile(DECIMAL_PATTERN).search(text) is not None
    assert (converters._AMOUNT(text) is not None) == published
    for places in [None, *range(6)]:
        for test in (converters.WITH_PLACES[places], converters.UP_TO_PLACES[places]):
            if test(text) is not None:  # a shortcut only for text the field loads unchanged
                assert published
                assert not text.startswith("-")
                assert places is None or money.fits(Decimal(text), places)


@MANY
@given(value=amount_inputs, sign=st.sampled_from(SIGNS), max_places=max_places_options,
       places=places_options)
def test_read_amount_gives_the_fields_verdict_and_value(
    value: Any, sign: str, max_places: int | None, places: int | None
) -> None:
    expected = field_load(value, sign, max_places, places)
    got = compiled_load(value, sign, max_places, places)
    # The converter may leave rare forms (1E+3 from a Python caller) to marshmallow.
    assert got == expected or (got == "refused" and isinstance(value, Decimal | int | float))


@MANY
@given(value=any_decimals, sign=st.sampled_from(SIGNS), max_places=max_places_options,
       places=places_options)
def test_check_amount_never_passes_what_the_field_refuses(
    value: Decimal, sign: str, max_places: int | None, places: int | None
) -> None:
    expected = field_load(value, sign, max_places, places)
    try:
        converters.check_amount(value, sign, max_places, places)
    except Refused:
        assert expected == "refused" or "E" in str(value)  # exponent forms go to marshmallow
    else:
        assert expected != "refused"


def test_usual_amounts_are_read_without_marshmallow() -> None:
    assert written(converters.read_amount("1255.0", "any", None, 2)) == written(Decimal("1255.00"))
    assert written(converters.read_amount("-0.00", "any", None, 2)) == written(Decimal("0.00"))
    assert written(converters.read_amount("12.000", "any", None, 0)) == written(Decimal("12"))
    with pytest.raises(Refused):
        converters.read_amount("0.00", "positive", None, 2)
    with pytest.raises(Refused):
        converters.read_amount("1.001", "any", None, 2)


@MANY
@given(value=any_decimals, places=st.integers(0, 6))
def test_money_text_is_what_with_places_and_format_write(value: Decimal, places: int) -> None:
    expected = format(money.with_places(value, places) if money.fits(value, places) else value,
                      "f")
    assert money.format_with_places(value, places) == expected
    assert money.plain_text(value) == format(value, "f")


@pytest.mark.parametrize(("value", "currency", "text"), [
    ("-0", "GBP", "0.00"), ("-0.000", "JPY", "0"), ("1E+3", "GBP", "1000.00"),
    ("1.234", "GBP", "1.234"), ("-12.3000", "BHD", "-12.300"), ("251.0", None, "251.00"),
    ("7", "CLF", "7.0000"), ("NaN", "GBP", "NaN"),
])
def test_format_money_examples(value: str, currency: str | None, text: str) -> None:
    assert money.format_money(Decimal(value), currency) == text


zones = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                         timezone(timedelta(seconds=90)), None])
date_inputs = st.one_of(
    st.dates().map(date.isoformat), st.dates(), st.datetimes(timezones=zones),
    st.datetimes(timezones=zones).map(datetime.isoformat),
    st.text(alphabet="0123456789-:TZ+. W", max_size=26), st.integers(), st.none(),
    st.sampled_from(["2025-02-29", "2024-02-29", "20250301", "2025-03-01\n",
                     "2025-03-01T10:00:00Z", "2025-03-01T24:00:00Z", "2025-03-01T10:00:00"]),
)


def verdict(load: Any, value: Any) -> Any:
    try:
        return load(value)
    except (Refused, ValidationError, ValueError):
        return "refused"


@MANY
@given(value=date_inputs)
def test_dates_and_moments_get_the_fields_verdicts(value: Any) -> None:
    assert verdict(converters.read_date, value) == verdict(IsoDate().deserialize, value)
    assert verdict(converters.read_moment, value) == verdict(IsoDateTime().deserialize, value)
