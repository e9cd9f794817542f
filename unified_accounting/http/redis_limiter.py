"""A client-side limiter in Redis, shared by every worker process on every machine.

:class:`RedisLimiter` implements the same :class:`~unified_accounting.http.limiter.Limiter`
protocol as :class:`~unified_accounting.http.limiter.LocalLimiter`, with its state in Redis:

- **Requests per second**, per app and per business: a sliding window of the last ``N``
  grants (a Redis list of their times). A request is granted only when the ``N``-th latest
  grant is at least one window old, so no window of that length ever holds more than ``N``
  grants. Times come from the Redis server (``TIME``), so the workers' clocks do not matter.
- **Concurrent requests**, per app and per business: a sorted set of leases scored by their
  expiry. A worker that dies stops renewing its leases, and they expire after ``lease_ttl``.
- **Sequential writes**: the business's write lock is a lease in a set that holds one.

One Lua script checks every level and grants all of them or none, so a request refused at
the business level takes nothing at the app level. A waiter polls: it sleeps for the wait
the script computed (rate) or a jittered ``poll_interval`` (concurrency, lock). Keys of one
app share a hash tag, so the scripts also run on Redis Cluster.

Needs the ``redis`` extra: ``pip install 'unified-accounting[redis]'``.
"""

from __future__ import annotations

import logging
import math
import random
import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unified_accounting.errors import ConfigurationError, RateLimitError
from unified_accounting.http.leases import LeaseKeeper
from unified_accounting.http.limiter import LimitScope, RateLimits
from unified_accounting.http.redis_errors import (
    describe_redis_client,
    redact_redis_url,
    translated_redis,
)

if TYPE_CHECKING:
    import redis as redis_lib

__all__ = ["RedisLimiter", "pause_before_retry", "rate_window", "redact_redis_url"]

_log = logging.getLogger(__name__)
_MICRO = 1_000_000

# Shared by the scripts: the server's time in microseconds, and a key expiry that only grows
# (workers may run with different lease TTLs; a short one must not cut a long one's lease).
_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function keep(key, us)
  local ms = math.ceil(us / 1000) + 1
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
"""

# KEYS: rate lists, then lease sets. ARGV: lease id, lease ttl (us), number of rate lists,
# (count, window us) per rate list, capacity per lease set.
# Returns {granted, rate wait (us), us until the soonest lease of a full set expires or -1}.
_ACQUIRE = _PRELUDE + """
local lease, ttl, nr = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 1, nr do
  local latest = redis.call('LINDEX', KEYS[i], 0)
  if latest and tonumber(latest) > now then now = tonumber(latest) end
end
local wait, full = 0, -1
for i = 1, nr do
  local nth = redis.call('LINDEX', KEYS[i], tonumber(ARGV[2 + 2 * i]) - 1)
  if nth then wait = math.max(wait, tonumber(nth) + tonumber(ARGV[3 + 2 * i]) - now) end
end
for i = nr + 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[3 + nr + i]) then
    local soonest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    full = math.max(full, tonumber(soonest[2]) - now)
  end
end
if wait > 0 or full >= 0 then return {0, wait, full} end
for i = 1, nr do
  redis.call('LPUSH', KEYS[i], now)
  redis.call('LTRIM', KEYS[i], 0, tonumber(ARGV[2 + 2 * i]) - 1)
  keep(KEYS[i], tonumber(ARGV[3 + 2 * i]))
end
for i = nr + 1, #KEYS do
  redis.call('ZADD', KEYS[i], now + ttl, lease)
  keep(KEYS[i], ttl)
end
return {1, 0, -1}
"""

# KEYS: lease sets. ARGV: lease id, lease ttl (us). Extends a live lease; returns how many
# sets no longer held it (expired and possibly handed to someone else).
_RENEW = _PRELUDE + """
local lost = 0
for i = 1, #KEYS do
  local score = redis.call('ZSCORE', KEYS[i], ARGV[1])
  if score and tonumber(score) > now then
    redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[2]), ARGV[1])
    keep(KEYS[i], tonumber(ARGV[2]))
  else
    redis.call('ZREM', KEYS[i], ARGV[1])
    lost = lost + 1
  end
end
return lost
"""

# KEYS: lease sets. ARGV: lease id. Only the owner knows its id, so only it can release.
_RELEASE = """
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
"""


def rate_window(rate: float) -> tuple[int, float]:
    """Express ``rate`` requests per second as "at most ``count`` in any ``window`` seconds".

    Whole rates use one-second windows; others keep the count whole and stretch the window
    (0.2/s is one request per 5 s; 15.5/s is 15 per 0.968 s).

    Raises:
        ValueError: when ``rate`` is not a positive finite number.
    """
    if not 0 < rate < math.inf:
        raise ValueError("requests per second must be a positive number")
    count = max(1, math.floor(rate))
    return count, count / rate


def pause_before_retry(rate_wait: float, full: bool, poll: float, draw: float) -> float:
    """Seconds to sleep before asking again, given what the last refusal said.

    Args:
        rate_wait: seconds until the rate window has room (0 when it has).
        full: whether a concurrency level or the write lock had no free lease.
        poll: the limiter's poll interval.
        draw: a random number in [0, 1), so that waiters woken together spread out.
    """
    spread = poll * draw
    if full:
        return max(rate_wait, poll / 2 + spread)
    return rate_wait + spread


def _open_redis(client: Any, url: str | None) -> tuple[Any, tuple[type[Exception], ...]]:
    """The client to use (opened from ``url`` when none is given) and Redis's error class."""
    try:
        import redis as redis_lib
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ConfigurationError(
            "RedisLimiter needs the 'redis' package: pip install 'unified-accounting[redis]'"
        ) from exc
    if client is None:
        if url is None:
            raise ConfigurationError("RedisLimiter needs a redis client or a url")
        client = redis_lib.Redis.from_url(url)
    return client, (redis_lib.RedisError,)


@dataclass(frozen=True)
class _Levels:
    """The keys and script arguments of one request's levels."""

    rate_keys: list[str]
    rate_args: list[int]
    lease_keys: list[str]
    capacities: list[int]


class RedisLimiter:
    """Rate, concurrency and write-lock limits shared through Redis by every worker.

    Give every worker of a product the same ``limits`` and ``prefix``; they then share one
    quota per provider app and per business, as :class:`LocalLimiter` does within a process.

    Args:
        limits: the rates and concurrency to enforce.
        client: a ``redis.Redis`` client; or give ``url`` instead.
        url: a Redis URL (``redis://host:6379/0``, ``rediss://...``).
        prefix: prepended to every key, so several products or tests can share a server.
        lease_ttl: seconds after which the concurrency slots and write lock of a worker that
            died free themselves. Live holders renew their leases every ``lease_ttl / 3``.
        poll_interval: about how often a waiter asks again while slots or the lock are taken.
        headroom: how much longer than the provider's our rate window is (0.04 = 4 %, as the
            local limiter's), so that requests delayed on the way never crowd into one of the
            provider's fixed windows. Default 0: exactly the provider's window.

    Raises:
        ConfigurationError: when neither ``client`` nor ``url`` is given, a number is not
            positive, or ``redis`` is not installed.

    Without Redis the limiter cannot tell whether a request is allowed, so it lets none through:
    asking for a slot raises :class:`~unified_accounting.errors.StoreUnavailableError` naming
    the Redis it could not reach (``retryable``), and nothing is sent.
    """

    def __init__(
        self,
        limits: RateLimits,
        client: redis_lib.Redis | None = None,
        *,
        url: str | None = None,
        prefix: str = "unified-accounting:",
        lease_ttl: float = 30.0,
        poll_interval: float = 0.05,
        headroom: float = 0.0,
    ) -> None:
        if not (0 < lease_ttl < math.inf and 0 < poll_interval < math.inf):
            raise ConfigurationError("lease_ttl and poll_interval must be positive seconds")
        self._owns_client = client is None
        self._redis, self._errors = _open_redis(client, url)
        self._where = redact_redis_url(url) if client is None and url else describe_redis_client(
            self._redis)
        self.limits = limits
        self.prefix = prefix
        self.lease_ttl = lease_ttl
        self.poll_interval = poll_interval
        self._windows = {rate: (count, window * (1.0 + headroom))
                         for rate, (count, window) in _windows(limits).items()}
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._renew = self._redis.register_script(_RENEW)
        self._release = self._redis.register_script(_RELEASE)
        self._keeper = LeaseKeeper(self._renew_lease, lease_ttl / 3, self._errors)

    def __repr__(self) -> str:
        return (f"RedisLimiter(limits={self.limits!r}, redis={self._where!r}, "
                f"prefix={self.prefix!r}, lease_ttl={self.lease_ttl!r})")

    def close(self) -> None:
        """Close the Redis client, unless it was passed in (its owner closes it)."""
        if self._owns_client:
            self._redis.close()

    # -- the Limiter protocol ---------------------------------------------------------------

    @contextmanager
    def acquire(self, scope: LimitScope, timeout: float | None) -> Iterator[None]:
        """Hold a rate grant and a concurrency lease at every level (app, then business).

        Raises:
            RateLimitError: when no slot frees up within ``timeout`` seconds; ``retry_after``
                is the rate window's wait, or while slots are taken the time until the
                soonest lease ends (by release, or expiry unless renewed).
        """
        levels = self._levels(scope)
        if not levels.rate_keys and not levels.lease_keys:
            yield
            return
        with self._holding(levels, timeout, "no free request slot before the deadline "
                           "(client-side limit, shared)"):
            yield

    @contextmanager
    def sequential(self, scope: LimitScope, timeout: float | None) -> Iterator[None]:
        """Hold the write lock of ``scope`` (one per app and business) across all workers.

        Raises:
            RateLimitError: when the lock is not free within ``timeout`` seconds.
        """
        lock = _Levels([], [], [self._key(scope, "write")], [1])
        with self._holding(lock, timeout, "earlier writes to this business did not finish "
                           "in time"):
            yield

    # -- keys and levels --------------------------------------------------------------------

    def _key(self, scope: LimitScope, kind: str) -> str:
        # The app is the hash tag: one script touches the app's and a business's keys.
        base = f"{self.prefix}limit:{{{scope.app}}}:{kind}"
        return base if scope.business is None else f"{base}:{scope.business}"

    def _levels(self, scope: LimitScope) -> _Levels:
        levels = _Levels([], [], [], [])
        pairs = [(LimitScope(scope.app), self.limits.requests_per_second,
                  self.limits.max_concurrency)]
        if scope.business is not None:
            pairs.append((scope, self.limits.business_requests_per_second,
                          self.limits.business_max_concurrency))
        for key_scope, rate, capacity in pairs:
            if rate is not None:
                count, window = self._windows[rate]
                levels.rate_keys.append(self._key(key_scope, "rate"))
                levels.rate_args.extend([count, math.ceil(window * _MICRO)])
            if capacity is not None:
                levels.lease_keys.append(self._key(key_scope, "busy"))
                levels.capacities.append(capacity)
        return levels

    # -- taking and giving back -------------------------------------------------------------

    @contextmanager
    def _holding(self, levels: _Levels, timeout: float | None, message: str) -> Iterator[None]:
        lease = self._take(levels, timeout, message)
        if levels.lease_keys:
            self._keeper.add(lease, levels.lease_keys)
        try:
            yield
        finally:
            self._give_back(lease, levels.lease_keys)

    def _take(self, levels: _Levels, timeout: float | None, message: str) -> str:
        """Ask until every level grants; return the lease id."""
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        args: list[Any] = [math.ceil(self.lease_ttl * _MICRO), len(levels.rate_keys),
                           *levels.rate_args, *levels.capacities]
        keys = levels.rate_keys + levels.lease_keys
        while True:
            lease = secrets.token_hex(16)
            with translated_redis("the shared rate limiter", self._where):
                granted, wait_us, full_us = self._acquire(keys=keys, args=[lease, *args])
            if int(granted):
                return lease
            rate_wait, full = int(wait_us) / _MICRO, int(full_us) >= 0
            pause = pause_before_retry(rate_wait, full, self.poll_interval, random.random())
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and (left <= 0 or rate_wait > left):
                retry_after = max(rate_wait, int(full_us) / _MICRO)
                raise RateLimitError(message, retry_after=retry_after)
            time.sleep(pause if left is None else min(pause, left))

    def _give_back(self, lease: str, keys: list[str]) -> None:
        self._keeper.remove(lease)
        if not keys:
            return
        try:
            self._release(keys=keys, args=[lease])
        except self._errors:
            _log.warning("could not release a limiter lease; it expires in %.0f s",
                         self.lease_ttl)

    def _renew_lease(self, keys: Sequence[str], lease: str) -> int:
        return int(self._renew(keys=list(keys), args=[lease, math.ceil(self.lease_ttl * _MICRO)]))


def _windows(limits: RateLimits) -> dict[float, tuple[int, float]]:
    """Each configured rate as (count, window); refuses limits that could never grant."""
    capacities = (limits.max_concurrency, limits.business_max_concurrency)
    if any(capacity is not None and capacity < 1 for capacity in capacities):
        raise ConfigurationError("concurrency limits must be at least 1")
    rates = (limits.requests_per_second, limits.business_requests_per_second)
    try:
        return {rate: rate_window(rate) for rate in rates if rate is not None}
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
