"""The token store contract: where a connection's OAuth tokens live between processes.

A store keeps, per connection name, the provider's :class:`~unified_accounting.credentials.TokenSet`
plus the facts needed to run and watch it (provider, client id, business ids, health, the time of
the last refresh and of the last failure, a version and a fencing counter). It also owns the lock
that makes a refresh a single flight, because a lock held by a client object protects nothing once
two clients (or two processes) share one connection.

Third-party stores register a :class:`TokenStore` subclass under the entry-point group
``unified_accounting.token_stores``; :func:`token_store_from_url` picks one by URL scheme.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Self

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.errors import AccountingError, ConfigurationError

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "AuthorizationState",
    "ConnectionInfo",
    "ConnectionRecord",
    "Health",
    "LockTimeoutError",
    "StoreLock",
    "TokenStore",
]

DEFAULT_LOCK_TIMEOUT = 30.0


class Health(StrEnum):
    """How a connection's tokens are doing."""

    OK = "ok"
    REFRESH_FAILED = "refresh_failed"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"


@dataclass(frozen=True)
class ConnectionInfo:
    """Everything a store keeps about a connection except the tokens; safe to print or log.

    ``issued_at`` is when the current access token was obtained (its lifetime is
    ``expires_at - issued_at``); ``version`` grows with every token write and ``fence`` is the
    fencing number of the lock holder that wrote the tokens last.
    """

    connection: str
    provider: str
    client_id: str | None = None
    business_ids: tuple[str, ...] = ()
    health: Health = Health.OK
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    refresh_token_expires_at: datetime | None = None
    scope: str | None = None
    created_at: datetime | None = None
    last_refresh_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_error: str | None = None
    version: int = 0
    fence: int = 0
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConnectionRecord:
    """A connection's tokens together with what the store knows about them."""

    info: ConnectionInfo
    tokens: TokenSet

    @property
    def connection(self) -> str:
        """The connection name."""
        return self.info.connection


@dataclass(frozen=True)
class StoreLock:
    """Proof of holding a connection's refresh lock.

    ``fence`` grows every time anyone takes the lock; a write carrying a smaller fence than the
    one stored with the tokens is refused, so a holder that stalled past its lease cannot
    overwrite tokens written by a later holder.
    """

    connection: str
    fence: int


@dataclass(frozen=True)
class AuthorizationState:
    """A stored OAuth ``state`` value and what ``begin_authorization`` recorded with it.

    ``used`` is true when the state had already been consumed before this lookup.
    """

    state: str
    data: Mapping[str, str]
    expires_at: datetime
    used: bool = False


class LockTimeoutError(AccountingError, TimeoutError):
    """The connection's refresh lock was not free within the time allowed."""

    default_retryable = True


def lock_busy(connection: str) -> LockTimeoutError:
    """The error for a refresh lock of ``connection`` that was not free in time."""
    return LockTimeoutError(f"refresh lock of connection {connection!r} is busy")


class LocalLocks:
    """One ``threading.Lock`` per connection name, so threads of a process queue in memory."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    @contextmanager
    def hold(self, connection: str, timeout: float) -> Iterator[None]:
        """Hold the in-process lock of ``connection``.

        Raises:
            LockTimeoutError: when it is not free within ``timeout`` seconds.
        """
        with self._guard:
            lock = self._locks.setdefault(connection, threading.Lock())
        if not lock.acquire(timeout=max(timeout, 0.0)):
            raise lock_busy(connection)
        try:
            yield
        finally:
            lock.release()


class TokenStore(ABC):
    """Where connections' tokens live, with a refresh lock per connection.

    Implementations must make :meth:`compare_and_swap` atomic and :meth:`lock` exclusive across
    every process that shares the store. Methods that take ``now`` use it for the timestamps
    they write; it defaults to the current UTC time.
    """

    #: URL schemes :meth:`from_url` understands (for :func:`token_store_from_url`).
    url_schemes: tuple[str, ...] = ()
    #: Errors after which a write may succeed when repeated (a connection drop, a busy file).
    #: The manager retries saving freshly rotated tokens on these, since the provider has
    #: already invalidated the old refresh token.
    transient_errors: tuple[type[Exception], ...] = ()

    @classmethod
    def from_url(cls, url: str) -> Self:
        """Open a store described by a URL such as ``sqlite:///path`` or ``redis://host/0``.

        Raises:
            ConfigurationError: when this store cannot be opened from a URL.
        """
        raise ConfigurationError(f"{cls.__name__} cannot be opened from a URL")

    @abstractmethod
    def load(self, connection: str) -> ConnectionRecord | None:
        """Return the connection's tokens and metadata, or ``None`` when there is none.

        Raises:
            ConfigurationError: when the tokens are encrypted and the key is missing or wrong.
        """

    @abstractmethod
    def describe(self, connection: str) -> ConnectionInfo | None:
        """Return the connection's metadata without reading (or decrypting) its tokens."""

    @abstractmethod
    def list_connections(self) -> list[ConnectionInfo]:
        """Return the metadata of every stored connection, sorted by name."""

    @abstractmethod
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
        """Store freshly authorized tokens unconditionally (a new or re-authorized connection).

        Health becomes ``ok``, business ids are cleared, the version grows and the fence kept.

        Returns:
            The stored metadata.
        """

    @abstractmethod
    def compare_and_swap(
        self,
        connection: str,
        expected_refresh_token: Secret | None,
        new_tokens: TokenSet,
        *,
        fence: int | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Replace the tokens only if the stored refresh token is still ``expected_refresh_token``.

        When ``fence`` is given the write is also refused if the stored tokens were written
        under a larger fence. A successful swap sets health ``ok`` and the last refresh time.

        Returns:
            Whether the tokens were replaced.
        """

    @abstractmethod
    def delete(self, connection: str) -> bool:
        """Forget the connection; return whether it existed."""

    @abstractmethod
    def lock(
        self, connection: str, *, timeout: float = DEFAULT_LOCK_TIMEOUT
    ) -> AbstractContextManager[StoreLock]:
        """Hold the connection's refresh lock, exclusive across threads and processes.

        Raises:
            LockTimeoutError: when the lock is not free within ``timeout`` seconds.
        """

    @abstractmethod
    def record_health(
        self,
        connection: str,
        health: Health,
        *,
        error: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record a refresh failure (``refresh_failed``/``needs_reauthorization``) or recovery.

        ``error`` is a short code such as ``invalid_grant`` or ``http_503``, never a body.
        Does nothing when the connection does not exist.
        """

    @abstractmethod
    def set_business_ids(self, connection: str, business_ids: tuple[str, ...]) -> None:
        """Remember which businesses the connection reaches (does nothing when it is absent)."""

    @abstractmethod
    def put_state(self, state: str, data: Mapping[str, str], expires_at: datetime) -> None:
        """Remember an OAuth ``state`` issued by ``begin_authorization`` until ``expires_at``."""

    @abstractmethod
    def consume_state(self, state: str) -> AuthorizationState | None:
        """Atomically mark ``state`` used and return it as it was before this call.

        Returns:
            ``None`` for an unknown state; a record with ``used=True`` when it was consumed
            before (a replayed callback).
        """

    def _written(self, connection: str) -> ConnectionInfo:
        """Return the metadata of a connection this store has just written."""
        info = self.describe(connection)
        assert info is not None, "a connection just written must exist"
        return info

    def close(self) -> None:  # noqa: B027 - optional hook, most stores have nothing to free
        """Release connections or files the store holds."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
