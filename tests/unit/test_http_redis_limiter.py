"""RedisLimiter's pure parts: rate windows, retry pauses, settings and a repr without secrets.

Behaviour against a real Redis is in tests/integration/test_redis_limiter.py.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import unified_accounting as ua
from unified_accounting.http import RateLimits, RedisLimiter
from unified_accounting.http.redis_limiter import (
    pause_before_retry,
    rate_window,
    redact_redis_url,
)


@pytest.mark.parametrize(("rate", "count", "window"), [
    (15, 15, 1.0), (1, 1, 1.0), (0.2, 1, 5.0), (15.5, 15, 15 / 15.5), (2.5, 2, 0.8)])
def test_a_rate_becomes_a_whole_count_per_window(rate: float, count: int, window: float) -> None:
    assert rate_window(rate) == (count, pytest.approx(window))


@given(st.floats(min_value=1e-3, max_value=1e5, allow_nan=False))
def test_a_window_never_allows_more_than_the_rate(rate: float) -> None:
    count, window = rate_window(rate)
    assert count >= 1
    assert count / window == pytest.approx(rate)
    assert count <= max(1.0, rate)


@pytest.mark.parametrize("rate", [0, -1, math.inf, math.nan])
def test_a_rate_must_be_positive_and_finite(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        rate_window(rate)


def test_a_rate_wait_is_slept_through_with_a_little_spread() -> None:
    assert pause_before_retry(0.4, full=False, poll=0.05, draw=0.0) == 0.4
    assert pause_before_retry(0.4, full=False, poll=0.05, draw=0.5) == pytest.approx(0.425)


def test_taken_slots_are_polled_around_the_interval_but_never_before_the_rate_allows() -> None:
    assert pause_before_retry(0.0, full=True, poll=0.1, draw=0.0) == pytest.approx(0.05)
    assert pause_before_retry(0.0, full=True, poll=0.1, draw=0.99) == pytest.approx(0.149)
    assert pause_before_retry(0.7, full=True, poll=0.1, draw=0.5) == 0.7


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://:hunter2@cache:6379/0", "redis://:***@cache:6379/0"),
    ("rediss://worker:hunter2@cache:6380/2", "rediss://worker:***@cache:6380/2"),
    ("redis://cache:6379/0?password=hunter2&db=1", "redis://cache:6379/0?password=***&db=1"),
    ("redis://worker@cache/0", "redis://worker@cache/0"),
    ("unix:///run/redis.sock?db=3", "unix:///run/redis.sock?db=3"),
])
def test_passwords_are_masked_in_urls(url: str, shown: str) -> None:
    assert redact_redis_url(url) == shown


def test_repr_names_the_server_but_not_its_password() -> None:
    limiter = RedisLimiter(RateLimits(max_concurrency=3),
                           url="redis://app:hunter2@cache:6379/0?password=hunter2",
                           prefix="billing:", lease_ttl=12)
    text = repr(limiter)
    assert "hunter2" not in text
    assert "redis://app:***@cache:6379/0" in text
    assert "prefix='billing:'" in text
    assert "lease_ttl=12" in text
    assert "max_concurrency=3" in text
    limiter.close()


def test_repr_of_a_given_client_shows_where_it_points() -> None:
    import redis

    client = redis.Redis(host="cache", port=6390, db=4, password="hunter2")
    text = repr(RedisLimiter(RateLimits(), client))
    assert "redis://cache:6390/4" in text
    assert "hunter2" not in text


@pytest.mark.parametrize("options", [
    {}, {"url": "redis://cache/0", "lease_ttl": 0}, {"url": "redis://cache/0", "lease_ttl": -1},
    {"url": "redis://cache/0", "poll_interval": 0},
    {"url": "redis://cache/0", "lease_ttl": math.inf},
])
def test_bad_settings_are_configuration_errors(options: dict[str, object]) -> None:
    with pytest.raises(ua.ConfigurationError):
        RedisLimiter(RateLimits(), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("limits", [
    RateLimits(max_concurrency=0), RateLimits(business_max_concurrency=-2),
    RateLimits(requests_per_second=0), RateLimits(business_requests_per_second=math.nan),
])
def test_limits_that_could_never_grant_are_refused(limits: RateLimits) -> None:
    with pytest.raises(ua.ConfigurationError):
        RedisLimiter(limits, url="redis://cache/0")


def test_it_is_exported_beside_the_other_limiters() -> None:
    from unified_accounting import http

    assert "RedisLimiter" in http.__all__
    assert http.RedisLimiter is RedisLimiter
