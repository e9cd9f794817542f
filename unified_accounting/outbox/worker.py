"""The delivery loop: claim a due write, send it, record the outcome, and again.

Any number of workers (threads, ``unified-accounting outbox run`` processes, Celery tasks) may
share one store: the store hands each of them a different queue head, under a lease. A write
that must wait (a rate limit, a provider's block, a backoff after an error) goes back to the
store with a not-before time, and the worker goes on with other businesses at once.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from unified_accounting.errors import ConfigurationError
from unified_accounting.outbox.delivery import Attempt, ItemLease, attempt_delivery
from unified_accounting.outbox.items import OutboxItem, Queue
from unified_accounting.outbox.settings import OutboxSettings
from unified_accounting.outbox.store import OutboxStore

__all__ = ["ClientPool", "OutboxWorker", "RunSummary"]

_log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """What a run of a worker did: attempts per outcome."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    requeued: int = 0
    taken_over: int = 0
    items: list[str] = field(default_factory=list)

    @property
    def attempts(self) -> int:
        """Every attempt the run made."""
        return self.delivered + self.failed + self.dead + self.requeued + self.taken_over

    def count(self, status: str, lease_kept: bool) -> None:
        """Count one attempt that ended in ``status``."""
        if not lease_kept:
            self.taken_over += 1
        elif status == "queued":
            self.requeued += 1
        else:
            setattr(self, status, getattr(self, status) + 1)


class ClientPool:
    """One client per (provider, connection, business), connected through a token store.

    With ``settings.limiter_url``, every client of a provider paces itself through one
    :class:`~unified_accounting.http.RedisLimiter`, which every worker (and every sync job)
    naming the same Redis and prefix shares: the provider's quota is one, however many
    processes spend it.

    Args:
        settings: the token store and provider settings to connect with.
        connect_options: further keywords of ``ua.connect`` (``sleep``, ``session``, ...).
    """

    def __init__(self, settings: OutboxSettings, **connect_options: Any) -> None:
        self._settings = settings
        self._options = connect_options
        self._clients: dict[Queue, Any] = {}
        self._limiters: dict[str, Any] = {}
        self._store: Any = None
        self._guard = threading.Lock()

    def __call__(self, queue: Queue) -> Any:
        """The client of a queue, connected on first use.

        Raises:
            ReauthorizationRequired: the token store holds nothing for the connection.
            ConfigurationError: the stored connection belongs to another provider.
        """
        with self._guard:
            client = self._clients.get(queue)
            if client is None:
                client = self._clients[queue] = self._connect(queue)
            return client

    def _connect(self, queue: Queue) -> Any:
        from unified_accounting.connection import connect
        from unified_accounting.http.options import RetryConfig
        from unified_accounting.tokens import token_store_from_url
        from unified_accounting.tokens.registry import default_token_store

        if self._store is None:
            url = self._settings.token_store
            self._store = token_store_from_url(url) if url else default_token_store()
        info = self._store.describe(queue.connection)
        if info is not None and info.provider != queue.provider:
            raise ConfigurationError(f"connection {queue.connection!r} is a {info.provider} "
                                     f"connection, not {queue.provider}")
        retry = RetryConfig(max_retries=self._settings.call_retries, retry_after_cap=0.0)
        options = dict(self._options)
        if self._settings.limiter_url:
            options.setdefault("limiter", self._shared_limiter(queue.provider))
        return connect(queue.provider, connection=queue.connection,
                       business_id=queue.business_id or None, token_store=self._store,
                       settings=dict(self._settings.provider_settings), retry=retry,
                       **options)

    def _shared_limiter(self, provider: str) -> Any:
        from unified_accounting.http.redis_limiter import RedisLimiter
        from unified_accounting.plugins import load_provider

        if provider not in self._limiters:
            settings = self._settings
            limits = load_provider(provider).rate_limits(settings.provider_settings)
            self._limiters[provider] = RedisLimiter(limits, url=settings.limiter_url,
                                                    prefix=settings.limiter_prefix,
                                                    headroom=settings.limit_headroom)
        return self._limiters[provider]

    def close(self) -> None:
        """Close every client and the token store."""
        with self._guard:
            clients, self._clients = list(self._clients.values()), {}
            limiters, self._limiters = list(self._limiters.values()), {}
        for client in clients:
            client.close()
        for limiter in limiters:
            limiter.close()
        if self._store is not None:
            self._store.close()
            self._store = None


class OutboxWorker:
    """Delivers due writes from a store until told to stop (or until nothing is due).

    Args:
        store: the outbox store.
        settings: lease, retry policy and how to connect (default: from the environment).
        clients: the client of a queue; by default a :class:`ClientPool` over the
            settings' token store. Clients are reused across writes.
        clock, jitter: time and backoff jitter (injectable for tests).
        name: how the worker names itself in leases (default host:pid:random).
    """

    def __init__(self, store: OutboxStore, *, settings: OutboxSettings | None = None,
                 clients: Callable[[Queue], Any] | None = None,
                 clock: Callable[[], float] = time.time,
                 jitter: Callable[[], float] = random.random, name: str | None = None) -> None:
        self.store = store
        self.settings = settings or OutboxSettings.from_env()
        self._own_clients = clients is None
        self._clients = clients or ClientPool(self.settings)
        self._clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._attempt = Attempt(store=store, client_for=self._clients,
                                policy=self.settings.policy, clock=clock, jitter=jitter)
        self._stopping = threading.Event()

    def deliver_one(self, summary: RunSummary | None = None) -> OutboxItem | None:
        """Claim one due write and make one attempt; return the item as it ended, or ``None``
        when nothing is due."""
        lease = self.settings.lease_seconds
        item = self.store.claim(owner=self.name, now=self._clock(), lease_seconds=lease)
        if item is None:
            return None
        with ItemLease(self.store, item, self.name, lease, self._clock) as keeper:
            outcome = attempt_delivery(item, self._attempt)
        kept = self.store.finish(item.id, owner=self.name, outcome=outcome,
                                 now=self._clock()) and not keeper.lost
        _log.info("outbox %s %s.%s attempt %d: %s", item.id, item.resource, item.action,
                  item.attempts, outcome.status if kept else "taken over by another worker")
        if summary is not None:
            summary.count(outcome.status, kept)
            summary.items.append(item.id)
        return self.store.get(item.id)

    def run(self, *, until_idle: bool = False, max_items: int | None = None,
            max_seconds: float | None = None, poll_interval: float = 1.0) -> RunSummary:
        """Deliver until :meth:`stop` (or, with ``until_idle``, until nothing is due).

        Args:
            until_idle: return as soon as no write is due (paused ones may remain).
            max_items: return after this many attempts.
            max_seconds: start no attempt after this many seconds.
            poll_interval: how long to wait when nothing is due.
        """
        summary = RunSummary()
        ends = None if max_seconds is None else time.monotonic() + max_seconds
        while not self._stopping.is_set():
            if max_items is not None and summary.attempts >= max_items:
                break
            if ends is not None and time.monotonic() >= ends:
                break
            try:
                item = self.deliver_one(summary)
            except Exception:
                # The store is unreachable (a restart, a network blip): a claimed write's
                # lease runs out and it is sent again; wait and try again.
                _log.exception("the outbox store failed; trying again in %g s", poll_interval)
                item = None
            if item is None:
                if until_idle:
                    break
                self._stopping.wait(poll_interval)
        return summary

    def stop(self) -> None:
        """Finish the current attempt, then return from :meth:`run`."""
        self._stopping.set()

    def close(self) -> None:
        """Close the clients the worker connected (not the store)."""
        close = getattr(self._clients, "close", None)
        if self._own_clients and close is not None:
            close()
