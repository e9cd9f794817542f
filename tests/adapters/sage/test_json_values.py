from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unified_accounting_sage.json_values import (
    format_money,
    loads,
    parse_date,
    parse_datetime,
    parse_money,
    ref_id,
    ref_ids,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("367.09", Decimal("367.09")),
        (" -430035.84 ", Decimal("-430035.84")),
        (Decimal("0.10"), Decimal("0.10")),
        (12, Decimal("12")),
        ("1E+2", Decimal("100")),
        (None, None),
        ("", None),
    ],
)
def test_parse_money_reads_strings_numbers_and_decimals(value: object, expected: object) -> None:
    assert parse_money(value) == expected


def test_parse_money_refuses_floats_with_a_hint() -> None:
    with pytest.raises(TypeError, match="parse_float=Decimal"):
        parse_money(0.1)


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity"])
def test_parse_money_refuses_non_finite_text(bad: str) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_money(bad)


def test_parse_money_refuses_booleans() -> None:
    with pytest.raises(TypeError):
        parse_money(True)


def test_loads_keeps_json_numbers_exact() -> None:
    body = loads('{"a": 0.1, "b": 367.09, "c": 3}')
    assert body == {"a": Decimal("0.1"), "b": Decimal("367.09"), "c": 3}
    assert parse_money(body["a"]) + parse_money(body["a"]) + parse_money(body["a"]) == Decimal(
        "0.3"
    )


@settings(deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4,
                   min_value=Decimal("-1e12"), max_value=Decimal("1e12")))
def test_money_survives_a_trip_through_text(value: Decimal) -> None:
    text = format_money(value)
    assert text is not None
    assert "E" not in text
    assert parse_money(text) == value


def test_timestamps_are_aware() -> None:
    assert parse_datetime("2021-09-09T14:36:01Z") == datetime(2021, 9, 9, 14, 36, 1, tzinfo=UTC)
    offset = parse_datetime("2021-09-09T16:36:01+02:00")
    assert offset is not None
    assert offset.utcoffset() == timedelta(hours=2)
    naive = parse_datetime("2021-09-09T14:36:01")
    assert naive is not None
    assert naive.tzinfo is UTC


def test_dates_accept_a_timestamp_prefix() -> None:
    assert parse_date("2025-03-01") == date(2025, 3, 1)
    assert parse_date("2025-03-01T00:00:00Z") == date(2025, 3, 1)
    assert parse_date(None) is None


def test_references_read_nested_and_flat_forms() -> None:
    nested = {"contact": {"id": "c1", "displayed_as": "A", "$path": "/contacts/c1"}}
    assert ref_id(nested, "contact") == "c1"
    assert ref_id({"contact_id": "c2"}, "contact") == "c2"
    assert ref_id({"contact": None}, "contact") is None
    assert ref_ids({"contact_types": [{"id": "CUSTOMER"}, {"id": "VENDOR"}]},
                   "contact_type") == ["CUSTOMER", "VENDOR"]
    assert ref_ids({"contact_type_ids": ["VENDOR"]}, "contact_type") == ["VENDOR"]
