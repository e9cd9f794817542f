from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified_accounting.http.retry import (
    RetryPlan,
    backoff_delay,
    full_jitter,
    parse_retry_after,
    plan_retry,
    should_retry,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", [None, 429, 500, 502, 503, 504])
def test_reads_retry_transient_failures(status: int | None) -> None:
    assert should_retry("GET", status, has_idempotency_key=False)
    assert should_retry("head", status, has_idempotency_key=False)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 501])
def test_reads_never_retry_other_statuses(status: int) -> None:
    assert not should_retry("GET", status, has_idempotency_key=False)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("status", [None, 429, 500, 502, 503, 504])
def test_writes_retry_only_with_an_idempotency_key(method: str, status: int | None) -> None:
    assert not should_retry(method, status, has_idempotency_key=False)
    assert should_retry(method, status, has_idempotency_key=True)


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_idempotent_writes_do_not_retry_client_errors(status: int) -> None:
    assert not should_retry("POST", status, has_idempotency_key=True)


def test_backoff_ceiling_doubles_then_caps() -> None:
    ceiling = [backoff_delay(n, base=0.5, cap=4.0, jitter=lambda c: c) for n in range(1, 7)]
    assert ceiling == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_backoff_uses_the_jitter_below_the_ceiling() -> None:
    assert backoff_delay(3, base=1.0, cap=10.0, jitter=lambda c: c / 4) == 1.0
    # A jitter that misbehaves is clamped into [0, ceiling].
    assert backoff_delay(1, base=1.0, cap=10.0, jitter=lambda c: c * 5) == 1.0
    assert backoff_delay(1, base=1.0, cap=10.0, jitter=lambda c: -3.0) == 0.0


@given(st.integers(min_value=1, max_value=10_000), st.floats(0.01, 5), st.floats(0.01, 60))
def test_full_jitter_backoff_stays_within_bounds(n: int, base: float, cap: float) -> None:
    delay = backoff_delay(n, base=base, cap=cap, jitter=full_jitter)
    assert 0.0 <= delay <= min(cap, base * 2 ** min(n - 1, 64))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0.0), ("7", 7.0), (" 2.5 ", 2.5), ("-4", 0.0), (None, None), ("", None),
     ("soon", None), ("nan", None)],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_http_date_counts_from_now() -> None:
    later = "Sun, 01 Mar 2026 12:00:30 GMT"
    assert parse_retry_after(later, NOW) == 30.0
    earlier = "Sun, 01 Mar 2026 11:59:00 GMT"
    assert parse_retry_after(earlier, NOW) == 0.0


@given(st.integers(min_value=0, max_value=86_400))
def test_retry_after_date_round_trips(seconds: int) -> None:
    when = NOW + timedelta(seconds=seconds)
    header = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(header, NOW) == float(seconds)


def _plan(**overrides: Any) -> RetryPlan:
    defaults: dict[str, Any] = {
        "method": "GET", "status": 503, "has_idempotency_key": False, "retries_done": 0,
        "max_retries": 3, "retry_after": None, "retry_after_cap": 60.0, "time_left": None,
        "backoff": 0.75,
    }
    return plan_retry(**{**defaults, **overrides})


def test_plan_uses_backoff_without_retry_after() -> None:
    plan = _plan()
    assert (plan.retry, plan.delay) == (True, 0.75)


def test_plan_prefers_retry_after_under_the_cap() -> None:
    plan = _plan(status=429, retry_after=12.0)
    assert (plan.retry, plan.delay) == (True, 12.0)


def test_plan_refuses_retry_after_over_the_cap() -> None:
    plan = _plan(status=429, retry_after=61.0)
    assert (plan.retry, plan.reason, plan.delay) == (False, "retry_after_too_long", 61.0)


def test_plan_stops_when_retries_are_used_up() -> None:
    assert _plan(retries_done=3).reason == "exhausted"


def test_plan_stops_when_the_wait_passes_the_deadline() -> None:
    assert _plan(time_left=0.5).reason == "deadline"
    assert _plan(time_left=0.8).retry is True


def test_plan_refuses_non_retryable_failures() -> None:
    assert _plan(status=404).reason == "not_retryable"
    assert _plan(method="POST", status=500).reason == "not_retryable"
    assert _plan(method="POST", status=500, has_idempotency_key=True).retry is True
