"""Sage's per-company blocks and the daily budget, shared by every client that must see them.

A 429 from v2 means the company (for this API key and user) is blocked for an hour, and
every further call during the block extends it. So the first worker that receives one writes
the block where every worker looks before sending: in this process by default, in Redis when
the ``redis_url`` setting names one (then across processes and machines). Calls to a blocked
company fail at once with ``RateLimitError`` and the seconds left; other companies go on.

The daily budget (5,000 requests a company) is counted the same way; with
``enforce_daily_budget`` a call that would go over it fails before it is sent.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from unified_accounting.errors import ConfigurationError, RateLimitError
from unified_accounting.provider import LoginCredentials, ProviderContext
from unified_accounting_sage_za.config import setting_flag, setting_int

__all__ = [
    "LocalQuota",
    "Quota",
    "QuotaBoard",
    "RedisQuota",
    "board_for",
    "login_key",
    "quota_key",
]

Clock = Callable[[], float]
_DAY = 86400


class Quota(Protocol):
    """Where blocks and daily counts live."""

    def blocked_for(self, key: str, now: float) -> float:
        """Seconds the key stays blocked (0 when it is not)."""
        ...

    def block(self, key: str, until: float) -> None:
        """Block the key until the POSIX time ``until``."""
        ...

    def count(self, key: str, day: int) -> int:
        """Count one request of the key on a UTC day; return the day's count."""
        ...

    def used(self, key: str, day: int) -> int:
        """The day's count so far."""
        ...


class LocalQuota:
    """Blocks and counts in this process (shared by every client of the process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blocks: dict[str, float] = {}
        self._days: dict[tuple[str, int], int] = {}

    def blocked_for(self, key: str, now: float) -> float:
        with self._lock:
            return max(0.0, self._blocks.get(key, 0.0) - now)

    def block(self, key: str, until: float) -> None:
        with self._lock:
            self._blocks[key] = max(until, self._blocks.get(key, 0.0))

    def count(self, key: str, day: int) -> int:
        with self._lock:
            self._days[(key, day)] = self._days.get((key, day), 0) + 1
            return self._days[(key, day)]

    def used(self, key: str, day: int) -> int:
        with self._lock:
            return self._days.get((key, day), 0)


class RedisQuota:
    """Blocks and counts in Redis: ``<prefix>block:<key>`` and ``<prefix>day:<day>:<key>``."""

    def __init__(self, url: str, prefix: str = "ua:sage_za:") -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - the redis extra is missing
            raise ConfigurationError("the redis_url setting needs the redis extra") from exc
        self._redis: Any = redis.Redis.from_url(url)
        self._prefix = prefix

    def blocked_for(self, key: str, now: float) -> float:
        until = self._redis.get(self._prefix + "block:" + key)
        return 0.0 if until is None else max(0.0, float(until) - now)

    def block(self, key: str, until: float) -> None:
        name = self._prefix + "block:" + key
        ttl = max(1, math.ceil(until - time.time()) + 60)
        # Keep the later of two blocks written by two workers at once.
        with self._redis.pipeline() as pipe:
            pipe.set(name, repr(until), ex=ttl, nx=True)
            pipe.get(name)
            _, current = pipe.execute()
        if current is not None and float(current) < until:
            self._redis.set(name, repr(until), ex=ttl)

    def count(self, key: str, day: int) -> int:
        name = f"{self._prefix}day:{day}:{key}"
        with self._redis.pipeline() as pipe:
            pipe.incr(name)
            pipe.expire(name, 2 * _DAY)
            count, _ = pipe.execute()
        return int(count)

    def used(self, key: str, day: int) -> int:
        value = self._redis.get(f"{self._prefix}day:{day}:{key}")
        return 0 if value is None else int(value)


def quota_key(api_key: str, username: str, company: str) -> str:
    """Sage keys a block on API key + company + user; the key holds no secret in clear."""
    digest = hashlib.sha256(f"{api_key.strip('{}').lower()}|{username.lower()}".encode())
    return f"{digest.hexdigest()[:24]}:{company}"


class QuotaBoard:
    """The blocks and budget of one connection, over a shared :class:`Quota`.

    Args:
        quota: where blocks and counts live.
        clock: POSIX seconds (injectable so tests can roll an hour without waiting).
        daily_budget: requests a company may make a day.
        enforce: refuse a call that would go over the budget.
    """

    def __init__(self, quota: Quota, *, clock: Clock, daily_budget: int,
                 enforce: bool) -> None:
        self.quota = quota
        self.clock = clock
        self.daily_budget = daily_budget
        self.enforce = enforce

    def _day(self) -> int:
        return math.floor(self.clock() / _DAY)

    def check(self, key: str, company: str) -> None:
        """Refuse a call to a blocked company, or one over an enforced budget.

        Raises:
            RateLimitError: with ``retry_after`` the seconds left.
        """
        now = self.clock()
        left = self.quota.blocked_for(key, now)
        if left > 0:
            raise RateLimitError(
                f"Sage has blocked company {company} for going over 100 requests a minute; "
                f"calls resume in {math.ceil(left)} s", retry_after=left, provider="sage_za")
        if self.enforce and self.quota.used(key, self._day()) >= self.daily_budget:
            raise RateLimitError(
                f"company {company} has used its daily budget of {self.daily_budget} requests",
                retry_after=float(_DAY - now % _DAY), provider="sage_za")

    def sent(self, key: str) -> int:
        """Count one request sent; return today's count."""
        return self.quota.count(key, self._day())

    def blocked(self, key: str, seconds: float) -> None:
        """Record a block Sage announced with a 429."""
        self.quota.block(key, self.clock() + seconds)

    def usage(self, key: str) -> Mapping[str, int]:
        """``{"used": n, "budget": 5000, "remaining": ...}`` for today (UTC)."""
        used = self.quota.used(key, self._day())
        return {"used": used, "budget": self.daily_budget,
                "remaining": max(0, self.daily_budget - used)}


# Blocks and daily counts are shared by every client of the process unless Redis is named.
_PROCESS_QUOTA = LocalQuota()


def board_for(context: ProviderContext) -> QuotaBoard:
    """The connection's view of the shared blocks and daily budget."""
    found = context.cache.get("sage_za.board")
    if isinstance(found, QuotaBoard):
        return found
    url = context.settings.get("redis_url")
    quota: Quota = RedisQuota(str(url)) if url else _PROCESS_QUOTA
    clock = context.options.get("clock", time.time)
    board = QuotaBoard(quota, clock=clock,
                       daily_budget=setting_int(context.settings, "daily_budget"),
                       enforce=setting_flag(context.settings, "enforce_daily_budget"))
    context.cache["sage_za.board"] = board
    return board


def login_key(context: ProviderContext, company: str) -> str:
    """The quota key of the connection's login and a company."""
    login = LoginCredentials.from_secret(context.transport.token_source.access_token())
    return quota_key(login.value("api_key").reveal(), login.value("username").reveal(),
                     company)
