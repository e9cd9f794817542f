"""One set of time helpers: naive means UTC, text is ISO 8601 in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from unified_accounting.utctime import as_utc, parse_utc, utc_text, utcnow

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_a_naive_moment_is_taken_as_utc_not_as_local_time() -> None:
    assert as_utc(datetime(2026, 7, 1, 12, 0)) == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def test_an_aware_moment_is_converted_to_utc() -> None:
    moment = as_utc(datetime(2026, 7, 1, 14, 0, tzinfo=PARIS_SUMMER))
    assert (moment.hour, moment.tzinfo) == (12, UTC)


def test_text_round_trips_in_utc() -> None:
    moment = datetime(2026, 7, 1, 14, 0, 5, 123, tzinfo=PARIS_SUMMER)
    text = utc_text(moment)
    assert text == "2026-07-01T12:00:05.000123+00:00"
    assert parse_utc(text) == moment
    assert utc_text(None) is None


@pytest.mark.parametrize("text", [None, ""])
def test_no_text_is_no_moment(text: str | None) -> None:
    assert parse_utc(text) is None


def test_text_without_an_offset_is_utc() -> None:
    assert parse_utc("2026-07-01T12:00:00") == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def test_bad_text_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="yesterday"):
        parse_utc("yesterday")


def test_now_is_aware_utc() -> None:
    assert utcnow().tzinfo is UTC
