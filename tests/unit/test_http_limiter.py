from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import unified_accounting as ua
from unified_accounting.http import LimiterRegistry, LimitScope, LocalLimiter, RateLimits
from unified_accounting.http.limiter import SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_sliding_window_never_lets_more_than_the_rate_start_in_one_window() -> None:
    clock = Clock()
    window = SlidingWindow(rate=2.0, headroom=0.0, clock=clock)
    assert [window.reserve() for _ in range(5)] == [0.0, 0.0, 1.0, 1.0, 2.0]
    clock.now += 10
    assert window.reserve() == 0.0


def test_sliding_window_does_not_burst_after_a_pause() -> None:
    # A token bucket full after a pause would let 2R through within one second here.
    clock = Clock()
    window = SlidingWindow(rate=3.0, headroom=0.0, clock=clock)
    for _ in range(3):
        window.reserve()
    clock.now += 0.5
    assert window.reserve() == pytest.approx(0.5)


def test_sliding_window_headroom_and_fractional_rates() -> None:
    assert SlidingWindow(rate=15.0).window == pytest.approx(1.04)
    slow = SlidingWindow(rate=0.2, headroom=0.0, clock=Clock())
    assert (slow.limit, slow.window) == (1, pytest.approx(5.0))
    assert [slow.reserve(), slow.reserve()] == [0.0, pytest.approx(5.0)]
    with pytest.raises(ValueError, match="positive"):
        SlidingWindow(rate=0.0)


def test_cancelled_reservation_is_given_back() -> None:
    window = SlidingWindow(rate=1.0, clock=Clock())
    window.reserve()
    assert window.reserve() > 0
    window.cancel()
    window.cancel()
    assert window.reserve() == 0.0


def test_limiter_sleeps_for_the_slowest_level() -> None:
    clock = Clock()
    limits = RateLimits(requests_per_second=10.0, business_requests_per_second=1.0)
    limiter = LocalLimiter(limits, clock=clock, sleep=clock.sleep)
    scope = LimitScope("app", "biz")
    for _ in range(3):
        with limiter.acquire(scope, timeout=None):
            pass
    assert clock.sleeps == pytest.approx([1.04, 1.04])


def test_businesses_have_separate_buckets() -> None:
    clock = Clock()
    limiter = LocalLimiter(RateLimits(business_requests_per_second=1.0), clock=clock,
                           sleep=clock.sleep)
    for business in ("a", "b", "c"):
        with limiter.acquire(LimitScope("app", business), timeout=None):
            pass
    assert clock.sleeps == []


def test_a_wait_past_the_deadline_raises_rate_limit_error() -> None:
    clock = Clock()
    limiter = LocalLimiter(RateLimits(requests_per_second=1.0), clock=clock, sleep=clock.sleep)
    with limiter.acquire(LimitScope("app"), timeout=None):
        pass
    with pytest.raises(ua.RateLimitError) as caught, limiter.acquire(LimitScope("app"), 0.5):
        pass
    assert caught.value.retry_after == pytest.approx(1.04)
    # The refused reservation was given back, so the next wait is still one window (1.04 s).
    with limiter.acquire(LimitScope("app"), timeout=None):
        pass
    assert clock.sleeps == pytest.approx([1.04])


@pytest.mark.parametrize(("app_limit", "business_limit", "expected"), [(3, None, 3), (8, 2, 2)])
def test_concurrency_never_exceeds_the_limit(
    app_limit: int, business_limit: int | None, expected: int
) -> None:
    limiter = LocalLimiter(RateLimits(max_concurrency=app_limit,
                                      business_max_concurrency=business_limit))
    lock = threading.Lock()
    active = 0
    peak = 0
    full = threading.Event()

    def work(_: int) -> None:
        nonlocal active, peak
        with limiter.acquire(LimitScope("app", "biz"), timeout=30):
            with lock:
                active += 1
                peak = max(peak, active)
                if active == expected:
                    full.set()
            # Hold the slot until every slot has been taken once, so the limit is tested.
            full.wait(timeout=10)
            with lock:
                active -= 1

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(work, range(40)))
    assert peak == expected


def test_sequential_writes_are_serialized_per_business() -> None:
    limiter = LocalLimiter(RateLimits())
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with limiter.sequential(LimitScope("app", "biz"), timeout=None):
            inside.set()
            release.wait(timeout=10)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(timeout=10)
    with limiter.sequential(LimitScope("app", "other"), timeout=1):
        order.append("other business")  # another business is not blocked
    with pytest.raises(ua.RateLimitError), limiter.sequential(LimitScope("app", "biz"), 0):
        pass
    release.set()
    with limiter.sequential(LimitScope("app", "biz"), timeout=10):
        order.append("second")
    thread.join()
    assert order == ["other business", "first", "second"]


def test_registry_shares_one_limiter_per_app(caplog: pytest.LogCaptureFixture) -> None:
    registry = LimiterRegistry()
    first = registry.for_app("sage:app1", RateLimits(max_concurrency=5))
    assert registry.for_app("sage:app1", RateLimits(max_concurrency=5)) is first
    assert caplog.records == []
    assert registry.for_app("sage:app1", RateLimits(max_concurrency=9)) is first
    assert "already shares a limiter" in caplog.text
    assert "limiter=" in caplog.text
    assert registry.for_app("sage:app2", RateLimits()) is not first
