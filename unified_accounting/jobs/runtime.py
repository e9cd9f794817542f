"""What a worker process opens once and reuses for every job: store, limiters, mirror, Redis.

A Celery worker forks its pool processes after importing the app, and a connection pool or
a Redis socket must not cross a fork: :func:`process_runtime` opens everything lazily, once
per process id.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

from unified_accounting.errors import ConfigurationError
from unified_accounting.http.redis_limiter import RedisLimiter
from unified_accounting.jobs.locks import JobLock
from unified_accounting.jobs.settings import JobSettings
from unified_accounting.syncing import Mirror, Syncer, SyncResult
from unified_accounting.tokens import token_store_from_url
from unified_accounting.tokens.base import TokenStore
from unified_accounting.tokens.registry import default_token_store

__all__ = ["Runtime", "job_summary", "open_mirror", "process_runtime"]


def open_mirror(url: str) -> Mirror:
    """Open the mirror a URL names: ``postgresql://...`` or ``sqlite:///path``.

    Raises:
        ConfigurationError: no URL, or a scheme no shipped mirror serves.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from unified_accounting.syncing.postgres_mirror import PostgresMirror

        return PostgresMirror.from_url(url)
    if url.startswith("sqlite://"):
        from unified_accounting.syncing.sqlite_mirror import SQLiteMirror

        return SQLiteMirror(url.removeprefix("sqlite://"))
    raise ConfigurationError(
        "UNIFIED_ACCOUNTING_MIRROR must be a postgresql:// or sqlite:/// URL"
        + ("" if url else " (it is not set)")
    )


@dataclass
class Runtime:
    """The shared parts one worker process syncs with."""

    settings: JobSettings
    redis: Any
    store: TokenStore
    mirror: Mirror
    limiters: dict[str, RedisLimiter] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: JobSettings) -> Runtime:
        """Open the Redis client, the token store and the mirror the settings name."""
        import redis

        store = (token_store_from_url(settings.token_store) if settings.token_store
                 else default_token_store())
        return cls(settings=settings, redis=redis.Redis.from_url(settings.broker_url),
                   store=store, mirror=open_mirror(settings.mirror_url))

    def job_lock(self, connection: str, business_id: str) -> JobLock:
        """The lease that keeps one sync of (connection, business) at a time."""
        key = f"{self.settings.prefix}job-lock:{{{connection}}}:{business_id}"
        return JobLock(self.redis, key, self.settings.lock_ttl)

    def limiter(self, provider: str) -> RedisLimiter:
        """The shared limiter of one provider's quota (one per provider, per process)."""
        from unified_accounting.plugins import load_provider

        with self._guard:
            if provider not in self.limiters:
                limits = load_provider(provider).rate_limits(self.settings.provider_settings)
                self.limiters[provider] = RedisLimiter(limits, self.redis,
                                                       prefix=self.settings.prefix,
                                                       headroom=self.settings.limit_headroom)
            return self.limiters[provider]

    def sync(self, connection: str, business_id: str, *, resources: list[str] | None,
             full: bool) -> SyncResult:
        """Run one incremental sync of a connection's business into the mirror.

        Raises:
            ReauthorizationRequired: the store holds no tokens for the connection.
        """
        import unified_accounting as ua

        info = self.store.describe(connection)
        if info is None:
            raise ua.ReauthorizationRequired(
                f"connection {connection!r} is not in the token store", connection=connection)
        client = ua.connect(info.provider, connection=connection, business_id=business_id,
                            token_store=self.store, settings=dict(self.settings.provider_settings),
                            limiter=self.limiter(info.provider))
        try:
            syncer = Syncer(self.mirror, resources=resources, page_size=self.settings.page_size,
                            max_workers=1)
            return syncer.run(client, full=full)
        finally:
            client.close()

    def close(self) -> None:
        """Close what was opened."""
        self.mirror.close()
        self.store.close()
        self.redis.close()


_runtimes: list[tuple[int, JobSettings, Runtime]] = []
_runtime_guard = threading.Lock()


def process_runtime(settings: JobSettings) -> Runtime:
    """This process's runtime for ``settings``, opened on first use (again after a fork).

    Found by the settings too: two apps in one process (an embedding program, tests) never
    share each other's Redis, token store or mirror.
    """
    pid = os.getpid()
    with _runtime_guard:
        for owner, opened_with, runtime in _runtimes:
            if owner == pid and opened_with == settings:
                return runtime
        runtime = Runtime.open(settings)
        _runtimes.append((pid, settings, runtime))
        return runtime


def job_summary(connection: str, business_id: str, result: SyncResult) -> dict[str, Any]:
    """A JSON summary of one job's sync, as the task returns it."""
    totals = {name: result.total(name) for name in
              ("fetched", "inserted", "updated", "unchanged", "deleted", "requests")}
    return {
        "connection": connection,
        "business_id": business_id,
        **totals,
        "resumed": [s.resource for s in result.streams if s.resumed],
        "failed": {s.resource: f"{type(s.error).__name__}: {s.error}" for s in result.failed},
        "pid": os.getpid(),
    }
