"""RedisLimiter against a real Redis: caps across threads and processes, rate windows, leases."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
from support.limiter_load import Tracker, most_in_any_window, run_load
from support.workers import run_together
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.errors import RateLimitError
from unified_accounting.http import Limiter, LimitScope, LocalLimiter, RateLimits, RedisLimiter

pytestmark = pytest.mark.redis

WORKER = Path(__file__).resolve().parents[1] / "support" / "limiter_worker.py"
B1 = LimitScope("app", "biz-1")
B2 = LimitScope("app", "biz-2")


@pytest.fixture
def client(redis_url: str) -> Iterator[Any]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def tracker(client: Any, redis_prefix: str) -> Tracker:
    return Tracker(client, redis_prefix)


def limiter(client: Any, prefix: str, lease_ttl: float = 5.0, **limits: Any) -> RedisLimiter:
    """One worker's limiter; several of them on one prefix act as separate workers."""
    return RedisLimiter(RateLimits(**limits), client, prefix=prefix, lease_ttl=lease_ttl,
                        poll_interval=0.01)


def worker(redis_url: str, prefix: str, limits: dict[str, Any], *args: str) -> list[str]:
    return [sys.executable, str(WORKER), "--redis", redis_url, "--prefix", prefix,
            "--limits", json.dumps(limits), *args]


def taken(action: Any) -> RateLimitError:
    """Run ``action`` expecting the limiter to refuse it; return the error."""
    with pytest.raises(RateLimitError) as refused:
        action()
    return refused.value


def enter(context: Any) -> None:
    with context:
        pass


# -- concurrency ------------------------------------------------------------------------------

def test_threads_of_several_workers_never_exceed_the_caps(
    client: Any, redis_prefix: str, tracker: Tracker
) -> None:
    caps = {"max_concurrency": 3, "business_max_concurrency": 2}
    workers = [limiter(client, redis_prefix, **caps) for _ in range(3)]
    runs = [threading.Thread(target=run_load, args=(w, tracker, scope),
                             kwargs={"threads": 4, "calls": 4, "hold": 0.02})
            for w, scope in zip(workers, (B1, B1, B2), strict=True)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(tracker.times("app")) == 48
    assert tracker.highest("biz:biz-1") == 2  # eight threads on two slots fill both
    assert tracker.highest("biz:biz-2") <= 2
    assert 2 <= tracker.highest("app") <= 3


def test_processes_never_exceed_the_caps(
    redis_url: str, redis_prefix: str, tracker: Tracker
) -> None:
    caps = {"max_concurrency": 4, "business_max_concurrency": 2}
    commands = [worker(redis_url, redis_prefix, caps, "--business", business, "--threads", "4",
                       "--calls", "4", "--hold", "0.02")
                for business in ("biz-1", "biz-1", "biz-2")]
    results = run_together(commands, timeout=60)
    assert [result for _, result in results] == [{"granted": 16}] * 3
    assert tracker.highest("biz:biz-1") == 2
    assert tracker.highest("biz:biz-2") <= 2
    assert 2 <= tracker.highest("app") <= 4


def test_a_refused_request_takes_no_slot_at_any_level(client: Any, redis_prefix: str) -> None:
    shared = limiter(client, redis_prefix, max_concurrency=2, business_max_concurrency=1)
    with shared.acquire(B1, timeout=1):
        taken(lambda: enter(shared.acquire(B1, timeout=0)))
        # Had the refusal kept an app slot, the app's second slot would be gone.
        with shared.acquire(B2, timeout=0):
            pass


def test_leaving_the_block_frees_the_slot_at_once(client: Any, redis_prefix: str) -> None:
    first, second = (limiter(client, redis_prefix, business_max_concurrency=1)
                     for _ in range(2))
    with pytest.raises(KeyError), first.acquire(B1, timeout=1):
        raise KeyError("the request failed")
    with second.acquire(B1, timeout=0), first.sequential(B1, timeout=0):
        pass
    with second.sequential(B1, timeout=0):
        pass


# -- rate -------------------------------------------------------------------------------------

def test_rate_across_processes_stays_within_the_window(
    redis_url: str, redis_prefix: str, tracker: Tracker
) -> None:
    limits = {"requests_per_second": 20, "business_requests_per_second": 12}
    commands = [
        worker(redis_url, redis_prefix, limits, "--business", business, "--threads", "3",
               "--calls", "5", "--hold", "0")
        for business in ("biz-1", "biz-1", "biz-2")
    ]
    started = time.monotonic()
    run_together(commands, timeout=60)
    elapsed = time.monotonic() - started
    app, biz1 = tracker.times("app"), tracker.times("biz:biz-1")
    assert (len(app), len(biz1)) == (45, 30)
    # Grants are timed just after the limiter granted them, by threads that a busy machine
    # may pause: the windows allow 100 ms of that noise. (A token bucket with a burst of R
    # would let about 1.9 R through in 0.9 s.)
    assert most_in_any_window(app, 0.9) <= 20
    assert most_in_any_window(biz1, 0.9) <= 12
    # biz-1's 30 grants at 12 per second need three windows.
    assert biz1[-1] - biz1[0] >= 1.9
    assert elapsed < 15


def test_a_rate_wait_past_the_deadline_raises_at_once_with_retry_after(
    client: Any, redis_prefix: str
) -> None:
    shared = limiter(client, redis_prefix, requests_per_second=2)
    for _ in range(2):
        enter(shared.acquire(B1, timeout=0))
    started = time.monotonic()
    error = taken(lambda: enter(shared.acquire(B1, timeout=0.2)))
    assert time.monotonic() - started < 0.15
    assert error.retry_after is not None
    assert 0.5 < error.retry_after <= 1.0
    assert error.retryable
    with shared.acquire(B1, timeout=2):
        waited = time.monotonic() - started
    assert waited >= error.retry_after - 0.05


def test_rates_of_other_businesses_and_prefixes_are_separate(
    client: Any, redis_prefix: str
) -> None:
    shared = limiter(client, redis_prefix, business_requests_per_second=1)
    other_product = limiter(client, redis_prefix + "other:", business_requests_per_second=1)
    enter(shared.acquire(B1, timeout=0))
    enter(shared.acquire(B2, timeout=0))
    enter(other_product.acquire(B1, timeout=0))
    taken(lambda: enter(shared.acquire(B1, timeout=0)))


# -- timeouts and leases ----------------------------------------------------------------------

def test_a_full_level_and_a_held_lock_time_out_with_retry_after(
    client: Any, redis_prefix: str
) -> None:
    holder, waiter = (limiter(client, redis_prefix, lease_ttl=2.0, business_max_concurrency=1)
                      for _ in range(2))
    with holder.acquire(B1, timeout=0), holder.sequential(B1, timeout=0):
        for context in (lambda: waiter.acquire(B1, timeout=0.2),
                        lambda: waiter.sequential(B1, timeout=0.2)):
            started = time.monotonic()
            error = taken(lambda context=context: enter(context()))
            assert 0.2 <= time.monotonic() - started < 1.0
            assert error.retry_after is not None
            assert 0 < error.retry_after <= 2.0


def test_a_live_holder_keeps_its_leases_past_the_ttl(client: Any, redis_prefix: str) -> None:
    holder, waiter = (limiter(client, redis_prefix, lease_ttl=0.3, business_max_concurrency=1)
                      for _ in range(2))
    with holder.acquire(B1, timeout=0), holder.sequential(B1, timeout=0):
        time.sleep(1.0)
        taken(lambda: enter(waiter.acquire(B1, timeout=0)))
        taken(lambda: enter(waiter.sequential(B1, timeout=0)))
    with waiter.acquire(B1, timeout=0), waiter.sequential(B1, timeout=0):
        pass


def test_a_killed_holder_frees_its_slot_and_write_lock_after_the_lease_ttl(
    client: Any, redis_url: str, redis_prefix: str
) -> None:
    ttl = 0.5
    caps = {"business_max_concurrency": 1}
    process = subprocess.Popen(
        worker(redis_url, redis_prefix, caps, "--mode", "hold", "--lease-ttl", str(ttl),
               "--business", "biz-1"),
        stdout=subprocess.PIPE, text=True,
    )
    waiter = limiter(client, redis_prefix, lease_ttl=ttl, **caps)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held"
        time.sleep(2 * ttl)  # the holder's renewals keep its leases past the TTL
        taken(lambda: enter(waiter.acquire(B1, timeout=0)))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        killed = time.monotonic()
        taken(lambda: enter(waiter.sequential(B1, timeout=0)))
        with waiter.acquire(B1, timeout=5), waiter.sequential(B1, timeout=5):
            freed = time.monotonic() - killed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert freed <= ttl + 0.5


# -- through ua.connect, against the Sage sandbox ---------------------------------------------

def busy_workers(clients: list[ua.Client], threads: int) -> Counter[str]:
    """Each client's threads create a contact and read two pages of contacts at once."""
    names = itertools.count()

    def work(client: ua.Client) -> list[str]:
        calls: list[Callable[[], object]] = [
            lambda: client.contacts.create(ua.Contact(name=f"Shared {next(names)}",
                                                      is_customer=True)),
            lambda: list(itertools.islice(client.contacts.list(), 1)),
            lambda: client.proxy.request("GET", "/contacts"),
        ]
        outcomes = []
        for call in calls:
            try:
                call()
                outcomes.append("ok")
            except ua.AccountingError as exc:
                outcomes.append(type(exc).__name__)
        return outcomes

    with ThreadPoolExecutor(len(clients) * threads) as pool:
        futures = [pool.submit(work, c) for c in clients for _ in range(threads)]
        return Counter(itertools.chain.from_iterable(f.result() for f in futures))


def test_workers_connected_with_one_redis_limiter_stay_under_the_sandbox_cap(
    client: Any, redis_prefix: str
) -> None:
    no_retry = ua.RetryConfig(max_retries=0)  # a 429 would surface as RateLimitError

    def connect(sb: SageSandbox, name: str, limiter: Limiter) -> ua.Client:
        return sb.connect(country="GB", connection=name, retry=no_retry, limiter=limiter)

    with SageSandbox.running(port=0, seed=7, rate_limits={"business_concurrent": 2},
                             faults={"latency": 1.0, "latency_seconds": 0.05}) as sb:
        shared = [connect(sb, f"worker-{n}", RedisLimiter(
            RateLimits(business_max_concurrency=2), client, prefix=redis_prefix))
            for n in range(2)]
        before = sb.record_counts().get("GB", {}).get("contacts", 0)
        assert busy_workers(shared, threads=4) == {"ok": 24}
        assert sb.counters.total_429 == 0
        assert sb.record_counts()["GB"]["contacts"] == before + 8
        # Every lease was given back (an empty set disappears), none left to expire.
        assert client.keys(redis_prefix + "limit:*") == []
        # The same load with a limiter per worker and no cap meets the sandbox's 429s.
        alone = [connect(sb, f"alone-{n}", LocalLimiter(RateLimits())) for n in range(2)]
        assert busy_workers(alone, threads=4)["RateLimitError"] > 0
        assert sb.counters.total_429 > 0


def test_headroom_stretches_the_window_beyond_the_providers(
    client: Any, redis_prefix: str
) -> None:
    stretched = RedisLimiter(RateLimits(requests_per_second=2), client, prefix=redis_prefix,
                             poll_interval=0.01, headroom=0.5)
    scope = LimitScope("app")
    granted = []
    for _ in range(3):
        with stretched.acquire(scope, timeout=10):
            granted.append(time.monotonic())
    # Two grants per 1.5 s instead of per second: the third waits for the first's window.
    assert granted[2] - granted[0] >= 1.45
