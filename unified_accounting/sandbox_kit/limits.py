"""Request quotas per scope (an app, a business, ...): fixed minute/day windows and slots.

The quotas object names its limits ``<kind>_per_minute``, ``<kind>_per_day`` and
``<kind>_concurrent`` for every scope kind a sandbox counts (None means unlimited).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["RateLimiter", "Refusal", "window_wait"]

_WINDOWS = {"per_minute": 60, "per_day": 86400}


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused and how long to wait."""

    scope: str
    retry_after: int


def window_wait(now: float, length: int) -> int:
    """Seconds until the fixed window containing ``now`` ends, at least 1."""
    end = (math.floor(now / length) + 1) * length
    return max(1, math.ceil(end - now))


class RateLimiter:
    """Counts requests against a quotas object; safe to call from many threads.

    Args:
        limits: the quotas (see the module docstring); replaced at run time by :meth:`configure`.
    """

    def __init__(self, limits: object) -> None:
        self._lock = threading.Lock()
        self._limits = limits
        self._counts: Counter[tuple[str, str, int]] = Counter()
        self._in_flight: Counter[tuple[str, str]] = Counter()

    def configure(self, limits: object) -> None:
        """Replace the quotas (existing window counts are kept)."""
        with self._lock:
            self._limits = limits

    def acquire(self, keys: Sequence[tuple[str, str]], now: float) -> Refusal | None:
        """Take one request slot in every scope, or say why not.

        A refused request consumes nothing. An admitted one must be followed by
        :meth:`release` with the same keys.

        Args:
            keys: ``(kind, key)`` pairs, e.g. ``(("app", client_id), ("business", id))``.
            now: current POSIX time from the sandbox clock.

        Returns:
            None when admitted, else the refusal with its ``Retry-After``.
        """
        with self._lock:
            refusal = self._check(keys, now)
            if refusal is not None:
                return refusal
            for kind, key in keys:
                self._in_flight[(kind, key)] += 1
                for name, length in _WINDOWS.items():
                    self._counts[(kind + "_" + name, key, math.floor(now / length))] += 1
            return None

    def release(self, keys: Sequence[tuple[str, str]]) -> None:
        """Give back the concurrency slots taken by :meth:`acquire`."""
        with self._lock:
            for key in keys:
                self._in_flight[key] -= 1

    def _check(self, keys: Sequence[tuple[str, str]], now: float) -> Refusal | None:
        for kind, key in keys:
            concurrent = getattr(self._limits, f"{kind}_concurrent", None)
            if concurrent is not None and self._in_flight[(kind, key)] >= concurrent:
                return Refusal(f"{kind}_concurrent", 1)
            for name, length in _WINDOWS.items():
                scope = f"{kind}_{name}"
                limit = getattr(self._limits, scope, None)
                window = math.floor(now / length)
                if limit is not None and self._counts[(scope, key, window)] >= limit:
                    return Refusal(scope, window_wait(now, length))
        return None
