"""The refresh policy's pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified_accounting.errors import (
    AuthenticationError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from unified_accounting.tokens import ConnectionInfo, Health, RefreshPolicy
from unified_accounting.tokens.policy import (
    backoff_delay,
    cooldown_remaining,
    error_code,
    needs_refresh,
    refresh_margin,
    retry_delay,
)

POLICY = RefreshPolicy()
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [(300, 60), (3600, 60), (120, 24), (100, 20), (10, 2), (None, 60), (0, 60), (-5, 60)],
)
def test_refresh_margin_is_min_of_60s_and_a_fifth(lifetime: float | None, margin: float) -> None:
    assert refresh_margin(lifetime, POLICY) == margin


@given(st.floats(min_value=0.001, max_value=1e7))
def test_margin_never_exceeds_cap_or_a_fifth_of_the_lifetime(lifetime: float) -> None:
    margin = refresh_margin(lifetime, POLICY)
    assert margin <= 60
    assert margin <= lifetime / 5 + 1e-9


@pytest.mark.parametrize(("left", "due"), [(61, False), (60, False), (59.9, True), (-1, True)])
def test_needs_refresh_for_a_five_minute_token(left: float, due: bool) -> None:
    issued = T0
    expires = T0 + timedelta(seconds=300)
    now = expires - timedelta(seconds=left)
    assert needs_refresh(expires, issued, now, POLICY) is due


def test_needs_refresh_without_issue_time_uses_the_full_margin() -> None:
    expires = T0 + timedelta(seconds=100)
    assert needs_refresh(expires, None, expires - timedelta(seconds=59), POLICY)
    assert not needs_refresh(expires, None, expires - timedelta(seconds=61), POLICY)


@pytest.mark.parametrize(
    ("attempt", "jitter", "delay"),
    [(1, 1.0, 0.5), (2, 1.0, 1.0), (3, 1.0, 2.0), (5, 1.0, 5.0), (9, 1.0, 5.0), (2, 0.0, 0.5)],
)
def test_backoff_doubles_up_to_the_cap_with_jitter(
    attempt: int, jitter: float, delay: float
) -> None:
    assert backoff_delay(attempt, POLICY, jitter) == delay


@given(st.integers(min_value=1, max_value=50), st.floats(min_value=0, max_value=1))
def test_backoff_stays_within_half_and_all_of_the_capped_base(attempt: int, jitter: float) -> None:
    base = min(0.5 * 2.0 ** (attempt - 1), 5.0)
    assert base / 2 <= backoff_delay(attempt, POLICY, jitter) <= base


@pytest.mark.parametrize(
    ("error", "attempt", "expected"),
    [
        (ProviderUnavailableError("x", status=503), 1, 0.5),
        (ProviderUnavailableError("unreachable"), 2, 1.0),
        (RateLimitError("x", retry_after=4), 1, 4.0),
        (RateLimitError("x", retry_after=11), 1, None),  # longer than max_retry_after
        (RateLimitError("x"), 1, 0.5),
        (ProviderUnavailableError("x", status=503), 3, None),  # attempts spent
        (AuthenticationError("x", status=400, code="invalid_grant"), 1, None),
        (ProviderError("x", status=418), 1, None),
    ],
)
def test_retry_delay_retries_only_transient_failures(
    error: Exception, attempt: int, expected: float | None
) -> None:
    assert retry_delay(attempt, error, POLICY, jitter=1.0) == expected


def info(health: Health, failed_at: datetime | None) -> ConnectionInfo:
    return ConnectionInfo(
        connection="acme", provider="sage", health=health, last_failure_at=failed_at
    )


@pytest.mark.parametrize(
    ("health", "elapsed", "remaining"),
    [
        (Health.REFRESH_FAILED, 0, 15),
        (Health.REFRESH_FAILED, 10, 5),
        (Health.REFRESH_FAILED, 20, 0),
        (Health.OK, 0, 0),
        (Health.NEEDS_REAUTHORIZATION, 0, 0),
    ],
)
def test_cooldown_remaining(health: Health, elapsed: int, remaining: float) -> None:
    now = T0 + timedelta(seconds=elapsed)
    assert cooldown_remaining(info(health, T0), now, POLICY) == remaining


def test_cooldown_without_failure_time_is_zero() -> None:
    assert cooldown_remaining(info(Health.REFRESH_FAILED, None), T0, POLICY) == 0


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (RateLimitError("x", status=429), "rate_limited"),
        (ProviderUnavailableError("x"), "unreachable"),
        (ProviderUnavailableError("x", status=502), "server_error"),
        (AuthenticationError("x", status=401, code="invalid_client"), "invalid_client"),
        (ProviderError("x", status=418), "http_418"),
        (ProviderError("x"), "http_error"),
    ],
)
def test_error_code(error: ProviderError, code: str) -> None:
    assert error_code(error) == code
