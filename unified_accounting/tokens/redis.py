"""A token store in Redis, for products whose workers run on many machines.

The refresh lock is a Redis key set with ``NX`` and a TTL, so a dead holder cannot block the
connection for longer than the TTL. Taking the lock also increments a per-connection fencing
counter. Every token write is a Lua script that checks, atomically, that the stored refresh
token is still the one the writer refreshed *and* that no later lock holder has written since
(stored fence <= writer's fence): a holder that stalled past its TTL cannot overwrite a newer
token. Keys of one connection share a hash tag, so the scripts also run on Redis Cluster.

Needs the ``redis`` extra: ``pip install 'unified-accounting[redis]'``.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.errors import ConfigurationError, StoreUnavailableError
from unified_accounting.http.redis_errors import (
    describe_redis_client,
    redact_redis_url,
    speaking_redis,
)
from unified_accounting.tokens.base import (
    DEFAULT_LOCK_TIMEOUT,
    AuthorizationState,
    ConnectionInfo,
    ConnectionRecord,
    Health,
    LocalLocks,
    StoreLock,
    TokenStore,
    lock_busy,
)
from unified_accounting.tokens.codec import (
    INFO_FIELDS,
    STATE_RETENTION,
    authorization_state,
    fingerprint,
    info_from_fields,
    new_connection_fields,
)
from unified_accounting.tokens.crypto import TokenCipher, TokenCodec, cipher_from_env
from unified_accounting.utctime import utc_text, utcnow

if TYPE_CHECKING:
    import redis as redis_lib

__all__ = ["RedisTokenStore"]

_log = logging.getLogger(__name__)
_USED = "used:"

# KEYS: lock, fence counter. ARGV: owner, ttl in ms. Returns the new fence, or false.
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return false
"""

# KEYS: lock. ARGV: owner. Deletes the lock only if this owner still holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: connection hash. ARGV: expected refresh fingerprint, fence ('' = unchecked), then
# field/value pairs. The conditional token write that makes a refresh rotation-safe.
_SWAP = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], 'refresh_fp') or '') ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then
  local stored = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0') or 0
  if stored > tonumber(ARGV[2]) then return 0 end
  redis.call('HSET', KEYS[1], 'fence', ARGV[2])
end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 1
"""

# KEYS: connection hash. ARGV: now (ISO), then field/value pairs. Replaces the whole record,
# keeping the version (incremented), the fence and the creation time.
_SAVE = """
local version = (tonumber(redis.call('HGET', KEYS[1], 'version') or '0') or 0) + 1
local fence = redis.call('HGET', KEYS[1], 'fence') or '0'
local created = redis.call('HGET', KEYS[1], 'created_at') or ''
if created == '' then created = ARGV[1] end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'version', version, 'fence', fence, 'created_at', created)
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return version
"""

# KEYS: connection hash. ARGV: field/value pairs, written only if the connection exists.
_UPDATE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
"""

# KEYS: state. Marks it used (keeping its TTL) and returns the value it had.
_CONSUME = """
local value = redis.call('GET', KEYS[1])
if not value then return false end
if string.sub(value, 1, 5) ~= 'used:' then
  redis.call('SET', KEYS[1], 'used:' .. value, 'KEEPTTL')
end
return value
"""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _seconds(text: str, name: str) -> float:
    """Read a positive number of seconds from a URL parameter."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):  # also refuses NaN
        raise ConfigurationError(f"{name} in the Redis URL must be a positive number of seconds")
    return seconds


def _flat(fields: Mapping[str, Any]) -> list[str]:
    """Field/value pairs for a script; ``None`` is stored as an empty string."""
    pairs: list[str] = []
    for name, value in fields.items():
        pairs += [name, "" if value is None else str(value)]
    return pairs


_speaks = speaking_redis("Redis token store")


class RedisTokenStore(TokenStore):
    """Tokens in Redis, with a distributed refresh lock (TTL + fencing) per connection.

    Args:
        client: a ``redis.Redis`` client; or give ``url`` instead.
        url: a Redis URL (``redis://host:6379/0``, ``rediss://...``).
        prefix: prepended to every key, so several products or tests can share a server.
        cipher: encrypts tokens at rest; by default the key in ``UNIFIED_ACCOUNTING_TOKEN_KEY``
            is used when set.
        lock_ttl: seconds after which a lock whose holder died frees itself. Keep it longer
            than a refresh can take (request timeout x attempts + backoff).
        poll_interval: seconds between attempts while another worker holds the lock.

    Raises:
        ConfigurationError: when neither ``client`` nor ``url`` is given, or ``redis`` is
            not installed.

    Every method raises :class:`~unified_accounting.errors.StoreUnavailableError` naming the
    Redis (without its password) when Redis cannot be reached; nothing stored is changed.
    """

    url_schemes = ("redis", "rediss", "unix")

    def __init__(
        self,
        client: redis_lib.Redis | None = None,
        *,
        url: str | None = None,
        prefix: str = "unified-accounting:",
        cipher: TokenCipher | None = None,
        lock_ttl: float = 60.0,
        poll_interval: float = 0.02,
    ) -> None:
        try:
            import redis as redis_lib
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise ConfigurationError(
                "RedisTokenStore needs the 'redis' package: pip install 'unified-accounting[redis]'"
            ) from exc
        self._owns_client = client is None
        if client is None:
            if url is None:
                raise ConfigurationError("RedisTokenStore needs a redis client or a url")
            client = redis_lib.Redis.from_url(url, decode_responses=True)
        self._redis = client
        self._errors: tuple[type[Exception], ...] = (redis_lib.RedisError,)
        # Redis errors come out as StoreUnavailableError; retryable ones mark a blip.
        self.transient_errors = (StoreUnavailableError,)
        self.where = (redact_redis_url(url) if url is not None and self._owns_client
                      else describe_redis_client(client))
        self.prefix = prefix
        self.lock_ttl = lock_ttl
        self._poll = poll_interval
        self._codec = TokenCodec(cipher if cipher is not None else cipher_from_env())
        self._locks = LocalLocks()
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._swap = client.register_script(_SWAP)
        self._save = client.register_script(_SAVE)
        self._update = client.register_script(_UPDATE)
        self._consume = client.register_script(_CONSUME)

    @classmethod
    def from_url(cls, url: str) -> Self:
        """Open a Redis URL; the query parameters ``prefix`` and ``lock_ttl`` (seconds) are ours.

        Example: ``redis://cache:6379/2?prefix=billing:&lock_ttl=30``.

        Raises:
            ConfigurationError: when ``lock_ttl`` is not a positive number of seconds.
        """
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        ours = {k: v for k, v in query if k in ("prefix", "lock_ttl")}
        rest = urlencode([(k, v) for k, v in query if k not in ours])
        return cls(
            url=urlunsplit(parts._replace(query=rest)),
            prefix=ours.get("prefix", "unified-accounting:"),
            lock_ttl=_seconds(ours.get("lock_ttl", "60"), "lock_ttl"),
        )

    def __repr__(self) -> str:
        return f"RedisTokenStore(prefix={self.prefix!r})"

    def close(self) -> None:
        """Close the Redis client, unless it was passed in (its owner closes it)."""
        if self._owns_client:
            self._redis.close()

    # -- keys -------------------------------------------------------------------------------

    def _key(self, kind: str, connection: str) -> str:
        # One hash tag per connection keeps its keys in one cluster slot for the scripts.
        return f"{self.prefix}{kind}:{{{connection}}}"

    @property
    def _index(self) -> str:
        return f"{self.prefix}connections"

    # -- reads ------------------------------------------------------------------------------

    @_speaks
    def load(self, connection: str) -> ConnectionRecord | None:
        """Return the connection's tokens and metadata (see :meth:`TokenStore.load`)."""
        raw = self._redis.hgetall(self._key("conn", connection))
        fields = {_text(k) or "": _text(v) for k, v in raw.items()}
        if not fields.get("tokens"):
            return None
        tokens = self._codec.decode(
            connection, fields["tokens"] or "", fields.get("encrypted") == "1"
        )
        return ConnectionRecord(info=info_from_fields(connection, fields), tokens=tokens)

    @_speaks
    def describe(self, connection: str) -> ConnectionInfo | None:
        """Return the connection's metadata without reading its tokens."""
        values = self._redis.hmget(self._key("conn", connection), list(INFO_FIELDS))
        fields = {name: _text(value) for name, value in zip(INFO_FIELDS, values, strict=True)}
        if not fields.get("provider"):
            return None
        return info_from_fields(connection, fields)

    @_speaks
    def list_connections(self) -> list[ConnectionInfo]:
        """Return every connection's metadata, sorted by name."""
        names = sorted(_text(n) or "" for n in self._redis.smembers(self._index))
        found = [self.describe(name) for name in names]
        return [info for info in found if info is not None]

    # -- writes -----------------------------------------------------------------------------

    @_speaks
    def save(
        self,
        connection: str,
        tokens: TokenSet,
        *,
        provider: str,
        client_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> ConnectionInfo:
        """Store freshly authorized tokens (see :meth:`TokenStore.save`)."""
        moment = now or utcnow()
        fields = {
            **self._codec.stored_fields(tokens, moment),
            **new_connection_fields(provider, client_id, metadata),
        }
        # Indexed first: a name whose record never arrived is skipped by list_connections,
        # while a record missing from the index would be invisible there.
        self._redis.sadd(self._index, connection)
        self._save(keys=[self._key("conn", connection)],
                   args=[utc_text(moment) or "", *_flat(fields)])
        return self._written(connection)

    @_speaks
    def compare_and_swap(
        self,
        connection: str,
        expected_refresh_token: Secret | None,
        new_tokens: TokenSet,
        *,
        fence: int | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Swap tokens keyed on the old refresh token (see :meth:`TokenStore.compare_and_swap`)."""
        moment = now or utcnow()
        fields = {
            **self._codec.stored_fields(new_tokens, moment),
            "health": Health.OK.value,
            "last_refresh_at": utc_text(moment),
            "last_error": None,
        }
        swapped = self._swap(
            keys=[self._key("conn", connection)],
            args=[
                fingerprint(expected_refresh_token) or "",
                "" if fence is None else str(fence),
                *_flat(fields),
            ],
        )
        return int(swapped) == 1

    @_speaks
    def delete(self, connection: str) -> bool:
        """Forget the connection; return whether it existed."""
        removed = int(self._redis.delete(self._key("conn", connection)))
        self._redis.srem(self._index, connection)
        return removed == 1

    @_speaks
    def record_health(
        self,
        connection: str,
        health: Health,
        *,
        error: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record a refresh failure or recovery (see :meth:`TokenStore.record_health`)."""
        fields: dict[str, Any] = {"health": health.value, "last_error": error}
        if health is not Health.OK:
            fields["last_failure_at"] = utc_text(now or utcnow())
        self._update(keys=[self._key("conn", connection)], args=_flat(fields))

    @_speaks
    def set_business_ids(self, connection: str, business_ids: tuple[str, ...]) -> None:
        """Remember which businesses the connection reaches."""
        fields = {"business_ids": json.dumps(list(business_ids))}
        self._update(keys=[self._key("conn", connection)], args=_flat(fields))

    # -- lock -------------------------------------------------------------------------------

    @contextmanager
    def lock(
        self, connection: str, *, timeout: float = DEFAULT_LOCK_TIMEOUT
    ) -> Iterator[StoreLock]:
        """Hold the connection's distributed refresh lock; yield its fence.

        Threads of one process queue on an in-process lock first, so only one of them polls
        Redis at a time.
        """
        deadline = time.monotonic() + timeout
        lock_key = self._key("lock", connection)
        with self._locks.hold(connection, timeout):
            owner = secrets.token_hex(16)
            fence = self._take(connection, owner, deadline)
            try:
                yield StoreLock(connection=connection, fence=fence)
            finally:
                try:
                    self._release(keys=[lock_key], args=[owner])
                except self._errors:
                    _log.warning("could not release the refresh lock of %r; it expires", connection)

    @_speaks
    def _take(self, connection: str, owner: str, deadline: float) -> int:
        keys = [self._key("lock", connection), self._key("fence", connection)]
        ttl_ms = max(int(self.lock_ttl * 1000), 1)
        while True:
            fence = self._acquire(keys=keys, args=[owner, ttl_ms])
            if fence:
                return int(fence)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise lock_busy(connection)
            time.sleep(min(self._poll, remaining))

    # -- OAuth states -----------------------------------------------------------------------

    @_speaks
    def put_state(self, state: str, data: Mapping[str, str], expires_at: datetime) -> None:
        """Remember an OAuth ``state`` until it expires (kept a day longer to spot replays)."""
        keep = expires_at - utcnow() + STATE_RETENTION
        value = json.dumps({"data": dict(data), "expires_at": utc_text(expires_at)})
        self._redis.set(
            f"{self.prefix}state:{state}", value, px=max(int(keep.total_seconds() * 1000), 1)
        )

    @_speaks
    def consume_state(self, state: str) -> AuthorizationState | None:
        """Mark ``state`` used and return it as it was (see :meth:`TokenStore.consume_state`)."""
        raw = _text(self._consume(keys=[f"{self.prefix}state:{state}"]))
        if raw is None:
            return None
        used = raw.startswith(_USED)
        stored = json.loads(raw[len(_USED) :] if used else raw)
        return authorization_state(state, stored["data"], stored["expires_at"], used=used)
