"""Builds transports for unit tests: the example provider, a fake clock and recorded sleeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ua_example_provider import ExampleProvider

from unified_accounting.credentials import AccessTokenSource, Secret, StaticAccessToken
from unified_accounting.http import LocalLimiter, RateLimits, RetryConfig, Transport

BASE = "https://api.test/v1"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class RefreshingToken:
    """A token source that hands out ``fresh`` after a 401 and records what it was told."""

    def __init__(self, first: str = "tok-first", fresh: str = "tok-fresh") -> None:
        self.current = Secret(first)
        self.fresh = Secret(fresh)
        self.rejected: list[Secret] = []

    def access_token(self) -> Secret:
        return self.current

    def refresh_after_unauthorized(self, rejected: Secret) -> Secret:
        self.rejected.append(rejected)
        self.current = self.fresh
        return self.current


def make_transport(
    *,
    clock: FakeClock | None = None,
    tokens: AccessTokenSource | None = None,
    retry: RetryConfig | None = None,
    business_id: str | None = "biz-1",
    **kwargs: Any,
) -> Transport:
    """A transport to ``BASE`` that never really sleeps and uses the largest backoff."""
    clock = clock or FakeClock()
    provider = ExampleProvider()
    provider.name = "example"
    return Transport(
        provider=provider, base_url=BASE, token_source=tokens or StaticAccessToken("tok-static"),
        limiter=LocalLimiter(RateLimits(), clock=clock, sleep=clock.sleep), app_key="example:t",
        business_id=business_id, retry=retry or RetryConfig(max_retries=3, deadline=60.0),
        sleep=clock.sleep, clock=clock, jitter=lambda ceiling: ceiling, now=lambda: NOW,
        **kwargs,
    )
