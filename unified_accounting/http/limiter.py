"""Client-side limits, so a product never exceeds a provider's published quotas.

The transport talks to a :class:`Limiter`; :class:`LocalLimiter` enforces limits inside one
process (a sliding window for requests per second and a semaphore for concurrent requests, per
provider app and per business, plus a lock per business for sequential writes). A limiter
shared by several processes (e.g. backed by Redis) implements the same protocol.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Protocol

from unified_accounting.errors import RateLimitError

__all__ = [
    "LimitScope", "Limiter", "LimiterRegistry", "LocalLimiter", "RateLimits", "SlidingWindow",
]

# Providers count requests in windows of their own; a request's arrival there can lag its start
# here by more than the next request's does, so our window is this much longer than theirs.
WINDOW_HEADROOM = 0.04

_log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RateLimits:
    """A provider's published limits, which the client-side limiter enforces.

    ``None`` means "no limit at this level". App limits are shared by every connection of one
    provider app in the process; business limits apply to each business separately.
    """

    requests_per_second: float | None = None
    max_concurrency: int | None = None
    business_requests_per_second: float | None = None
    business_max_concurrency: int | None = None


@dataclass(frozen=True)
class LimitScope:
    """Who a request counts against: a provider app and, optionally, one business."""

    app: str
    business: str | None = None


class Limiter(Protocol):
    """What the transport needs from a limiter."""

    def acquire(self, scope: LimitScope, timeout: float | None) -> AbstractContextManager[None]:
        """Wait for a request slot (rate and concurrency) and hold it while the block runs.

        Raises:
            RateLimitError: when no slot frees up within ``timeout`` seconds.
        """
        ...

    def sequential(self, scope: LimitScope, timeout: float | None) -> AbstractContextManager[None]:
        """Hold the business's write lock, so numbered documents are created one at a time.

        Raises:
            RateLimitError: when the lock is not free within ``timeout`` seconds.
        """
        ...


class SlidingWindow:
    """A rate limit that lets at most ``limit`` requests start within any ``window`` seconds.

    Unlike a token bucket it never bursts: a bucket full after a pause lets ``rate`` requests go
    at once and ``rate`` more within the same second, which a provider counting fixed windows
    answers with 429. ``rate`` requests a second become ``floor(rate)`` starts (at least one)
    per ``limit / rate`` seconds, stretched by ``headroom``.

    Args:
        rate: requests per second.
        headroom: how much longer than the provider's our window is (0.04 = 4 %).
        clock: a monotonic clock, injectable for tests.
    """

    def __init__(self, rate: float, headroom: float = WINDOW_HEADROOM,
                 clock: Clock = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.limit = max(1, int(rate))
        self.window = self.limit / rate * (1.0 + headroom)
        self._clock = clock
        # Start times handed out, in order; future ones belong to callers still waiting.
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take the earliest start that keeps the limit and return how long to wait for it."""
        with self._lock:
            now = self._clock()
            while self._starts and self._starts[0] <= now - self.window:
                self._starts.popleft()
            at = now
            if len(self._starts) >= self.limit:
                at = max(now, self._starts[-self.limit] + self.window)
            self._starts.append(at)
            return at - now

    def cancel(self) -> None:
        """Give back a reservation that will not be used (the latest one: they are alike)."""
        with self._lock:
            if self._starts:
                self._starts.pop()


class LocalLimiter:
    """In-process limits for every app and business that uses this instance.

    Args:
        limits: the rates and concurrency to enforce.
        clock: monotonic clock; ``sleep``: how to wait (both injectable for tests).
    """

    def __init__(self, limits: RateLimits, *, clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._guard = threading.Lock()
        self._buckets: dict[LimitScope, SlidingWindow] = {}
        self._slots: dict[LimitScope, threading.BoundedSemaphore] = {}
        self._locks: dict[LimitScope, threading.Lock] = {}

    def _levels(self, scope: LimitScope) -> list[tuple[LimitScope, float | None, int | None]]:
        levels = [(LimitScope(scope.app), self.limits.requests_per_second,
                   self.limits.max_concurrency)]
        if scope.business is not None:
            levels.append((scope, self.limits.business_requests_per_second,
                           self.limits.business_max_concurrency))
        return levels

    def _bucket(self, key: LimitScope, rate: float) -> SlidingWindow:
        with self._guard:
            if key not in self._buckets:
                self._buckets[key] = SlidingWindow(rate, clock=self._clock)
            return self._buckets[key]

    def _semaphore(self, key: LimitScope, size: int) -> threading.BoundedSemaphore:
        with self._guard:
            if key not in self._slots:
                self._slots[key] = threading.BoundedSemaphore(size)
            return self._slots[key]

    @contextmanager
    def acquire(self, scope: LimitScope, timeout: float | None) -> Iterator[None]:
        """Hold a concurrency slot and a rate token at every level (app, then business)."""
        deadline = None if timeout is None else self._clock() + timeout
        with ExitStack() as held:
            for key, _, size in self._levels(scope):
                if size is not None:
                    held.enter_context(self._hold(self._semaphore(key, size), deadline))
            self._wait_for_tokens(scope, deadline)
            yield

    @contextmanager
    def _hold(self, semaphore: threading.BoundedSemaphore,
              deadline: float | None) -> Iterator[None]:
        left = None if deadline is None else max(0.0, deadline - self._clock())
        if not semaphore.acquire(timeout=left):
            raise RateLimitError("no free request slot before the deadline (client-side limit)")
        try:
            yield
        finally:
            semaphore.release()

    def _wait_for_tokens(self, scope: LimitScope, deadline: float | None) -> None:
        taken: list[SlidingWindow] = []
        wait = 0.0
        for key, rate, _ in self._levels(scope):
            if rate is not None:
                bucket = self._bucket(key, rate)
                wait = max(wait, bucket.reserve())
                taken.append(bucket)
        if deadline is not None and self._clock() + wait > deadline:
            for bucket in taken:
                bucket.cancel()
            raise RateLimitError(
                "the request rate limit leaves no slot before the deadline (client-side limit)",
                retry_after=wait,
            )
        if wait > 0:
            self._sleep(wait)

    @contextmanager
    def sequential(self, scope: LimitScope, timeout: float | None) -> Iterator[None]:
        """Hold the write lock of ``scope`` (one per app and business)."""
        with self._guard:
            lock = self._locks.setdefault(scope, threading.Lock())
        if not lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            raise RateLimitError("earlier writes to this business did not finish in time")
        try:
            yield
        finally:
            lock.release()


class LimiterRegistry:
    """Hands out one :class:`LocalLimiter` per provider app, so every client of an app shares it.

    The first client of an app decides its limits: the limiter is shared, so a later client
    cannot loosen it for the others. A later client asking for other limits is warned; it
    should pass its own ``limiter=`` to ``connect`` instead.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._limiters: dict[str, LocalLimiter] = {}

    def for_app(self, app: str, limits: RateLimits) -> LocalLimiter:
        """Return the limiter of ``app``, creating it with ``limits`` on first use."""
        with self._guard:
            limiter = self._limiters.get(app)
            if limiter is None:
                limiter = self._limiters[app] = LocalLimiter(limits)
            elif limiter.limits != limits:
                _log.warning(
                    "app %s already shares a limiter with other limits (%s); ignoring %s: "
                    "pass limiter= to connect() to use different limits", app,
                    limiter.limits, limits,
                )
            return limiter
