"""Per-key request limits: a token bucket per API key, refilled continuously.

A key created with ``per_minute=N`` may burst up to N requests and then send N a minute. The
buckets live in the worker process: with ``--workers W`` a key may send up to W times its
limit in all, which is the documented trade for not adding a shared store to every request.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["KeyLimiter"]


class _Bucket:
    __slots__ = ("stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class KeyLimiter:
    """Decides whether a key may send one more request now.

    Args:
        clock: a monotonic clock in seconds (injectable for tests).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def acquire(self, key_id: str, per_minute: int) -> float:
        """Take one request from the key's bucket.

        Returns:
            0 when the request may go ahead, else the whole seconds to wait (for
            ``Retry-After``).
        """
        rate = per_minute / 60.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key_id)
            if bucket is None:
                bucket = self._buckets[key_id] = _Bucket(float(per_minute), now)
            bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return float(max(1, math.ceil((1.0 - bucket.tokens) / rate)))
