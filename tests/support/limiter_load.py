"""Measuring what a shared limiter lets through, from threads and processes alike.

Every grant is recorded in Redis by one script: it counts requests in flight per label (the
app, each business), keeps the highest count seen, and appends the Redis server's time, so
processes on one machine (or many) are measured on one clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any

from unified_accounting.http import Limiter, LimitScope

# KEYS: in-flight counter, highest count, grant times. Returns the new in-flight count.
_ENTER = """
local n = redis.call('INCR', KEYS[1])
if n > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], n) end
local t = redis.call('TIME')
redis.call('RPUSH', KEYS[3], t[1] .. string.format('%06d', tonumber(t[2])))
return n
"""


class Tracker:
    """In-flight maxima and grant times per label, under a test's key prefix."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix + "track:"
        self._enter = client.register_script(_ENTER)

    def _keys(self, label: str) -> list[str]:
        return [f"{self.prefix}{label}:{kind}" for kind in ("now", "max", "times")]

    @contextmanager
    def inside(self, *labels: str) -> Iterator[None]:
        """Count the block as one request in flight under every label."""
        with ExitStack() as stack:
            for label in labels:
                self._enter(keys=self._keys(label))
                stack.callback(self.client.decr, self._keys(label)[0])
            yield

    def highest(self, label: str) -> int:
        """The most requests that were in flight at once under ``label``."""
        return int(self.client.get(self._keys(label)[1]) or 0)

    def times(self, label: str) -> list[float]:
        """Server times (seconds) of the grants under ``label``, in order."""
        return sorted(int(t) / 1e6 for t in self.client.lrange(self._keys(label)[2], 0, -1))


def labels(scope: LimitScope) -> list[str]:
    return ["app"] if scope.business is None else ["app", f"biz:{scope.business}"]


def run_load(limiter: Limiter, tracker: Tracker, scope: LimitScope, *, threads: int,
             calls: int, hold: float) -> int:
    """``threads`` threads each pass ``calls`` times through the limiter, holding ``hold`` s.

    Returns:
        How many grants were made.
    """
    granted = 0
    guard = threading.Lock()

    def one_thread() -> None:
        nonlocal granted
        for _ in range(calls):
            with limiter.acquire(scope, timeout=60), tracker.inside(*labels(scope)):
                time.sleep(hold)
            with guard:
                granted += 1

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(one_thread) for _ in range(threads)]:
            future.result()
    return granted


def most_in_any_window(times: list[float], window: float) -> int:
    """The most grants inside any half-open interval ``[t, t + window)``."""
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most
