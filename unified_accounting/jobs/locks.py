"""One sync job at a time per (connection, business), across every worker: a Redis lease.

The lock is a key set with ``NX`` and a TTL whose value names the holder (host, process id and
a random token). A thread renews it every third of the TTL while the job runs; a worker that
dies stops renewing, so its lease ends within the TTL and the job, delivered again, can take
it. Releasing and renewing check the value first, so a late holder never ends someone else's
lease.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from typing import Any

from unified_accounting.http.redis_errors import describe_redis_client, speaking_redis

__all__ = ["JobLock"]

_log = logging.getLogger(__name__)

# KEYS: lock. ARGV: owner, ttl ms. Extends the lease only while this owner holds it.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS: lock. ARGV: owner. Deletes the lease only while this owner holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


_speaks = speaking_redis("job lock")


class JobLock:
    """The lease of one (connection, business) sync.

    Taking it, or asking who holds it, raises
    :class:`~unified_accounting.errors.StoreUnavailableError` naming the Redis when it cannot
    be reached (the job does not run then).

    Args:
        client: a ``redis.Redis`` client.
        key: the lock's Redis key.
        ttl: seconds the lease lasts without renewal.
    """

    def __init__(self, client: Any, key: str, ttl: float) -> None:
        self._redis = client
        self.where = describe_redis_client(client)
        self.key = key
        self.ttl = ttl
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(8)}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self.lost = False

    @_speaks
    def acquire(self) -> bool:
        """Take the lease if it is free and start renewing it; return whether it was taken."""
        taken = bool(self._redis.set(self.key, self.owner, nx=True, px=self._ttl_ms))
        if taken:
            self._renewer = threading.Thread(target=self._renew_until_released, daemon=True,
                                             name="ua-job-lock")
            self._renewer.start()
        return taken

    @_speaks
    def holder(self) -> str | None:
        """Who holds the lease now (``host:pid:token``), or ``None`` when it is free."""
        value = self._redis.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    @_speaks
    def seconds_left(self) -> float:
        """How long the current lease lasts unless renewed (0 when free)."""
        return max(0.0, int(self._redis.pttl(self.key)) / 1000)

    def release(self) -> None:
        """Stop renewing and end the lease (if this holder still has it)."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        try:
            self._redis.eval(_RELEASE, 1, self.key, self.owner)
        except Exception:  # the lease then ends by itself within the TTL
            _log.warning("could not release the job lock %s; it expires", self.key)

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))

    def _renew_until_released(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                renewed = int(self._redis.eval(_RENEW, 1, self.key, self.owner, self._ttl_ms))
            except Exception:  # a blip of Redis: try again at the next beat
                _log.warning("could not renew the job lock %s", self.key)
                continue
            if not renewed:
                # Another worker may run this job now; the mirror's stream locks still keep
                # the two from advancing one cursor at once.
                self.lost = True
                _log.warning("the job lock %s was lost (expired before renewal)", self.key)
                return
