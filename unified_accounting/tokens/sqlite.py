"""The default token store: one SQLite file on this machine, private to its user.

Safe across threads and processes: SQLite in WAL mode with a busy timeout serialises the short
writes, and each connection's refresh lock is a ``threading.Lock`` (threads of one process)
plus a per-connection file lock (processes). The refresh lock is deliberately *not* a SQLite
write transaction: a refresh waits on the provider for up to seconds, and holding
``BEGIN IMMEDIATE`` that long would stall every other write to the file (other connections'
refreshes, health records, OAuth states). A file lock per connection blocks only the workers
that need that very token, and the operating system releases it when a holder dies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Self

import filelock
import platformdirs

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.errors import StoreUnavailableError
from unified_accounting.sqlite_files import (
    create_private_file,
    private_folder,
    translated,
    translating,
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

__all__ = ["SQLiteTokenStore", "default_sqlite_path"]

_log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS connections (
    connection TEXT PRIMARY KEY, tokens TEXT NOT NULL, encrypted INTEGER NOT NULL DEFAULT 0,
    refresh_fp TEXT, provider TEXT NOT NULL, client_id TEXT, business_ids TEXT,
    health TEXT NOT NULL DEFAULT 'ok', issued_at TEXT, expires_at TEXT, refresh_expires_at TEXT,
    scope TEXT, created_at TEXT, last_refresh_at TEXT, last_failure_at TEXT, last_error TEXT,
    version INTEGER NOT NULL DEFAULT 0, fence INTEGER NOT NULL DEFAULT 0, metadata TEXT
);
CREATE TABLE IF NOT EXISTS fences (connection TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_states (
    state TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
"""

_INFO_COLUMNS = ", ".join(INFO_FIELDS)


def default_sqlite_path() -> Path:
    """The default database file: ``tokens.sqlite3`` in the user's data directory."""
    return Path(platformdirs.user_data_dir("unified-accounting", appauthor=False)) / (
        "tokens.sqlite3"
    )


_WHAT = "token store"
_speaks = translating(_WHAT)


class SQLiteTokenStore(TokenStore):
    """Tokens in a SQLite file (mode 0600), safe across threads and processes on one machine.

    A file that is locked for longer than ``busy_timeout``, corrupt or unreadable raises
    :class:`~unified_accounting.errors.StoreUnavailableError` naming it; the store never
    rewrites a file it cannot read, so the tokens in it are not lost.

    Args:
        path: the database file; default :func:`default_sqlite_path`.
        cipher: encrypts tokens at rest; by default the key in ``UNIFIED_ACCOUNTING_TOKEN_KEY``
            is used when set, otherwise tokens are stored as plain JSON.
        busy_timeout: seconds a write waits for another writer before failing.
    """

    url_schemes = ("sqlite",)
    transient_errors: tuple[type[Exception], ...] = (StoreUnavailableError,)

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        cipher: TokenCipher | None = None,
        busy_timeout: float = 30.0,
    ) -> None:
        self.path = Path(path) if path is not None else default_sqlite_path()
        self._codec = TokenCodec(cipher if cipher is not None else cipher_from_env())
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._pid = os.getpid()
        self._opened: list[sqlite3.Connection] = []
        self._opened_guard = threading.Lock()
        self._locks = LocalLocks()
        self._lock_dir = self.path.with_name(self.path.name + ".locks")
        create_private_file(self.path)
        private_folder(self._lock_dir)
        with translated(_WHAT, self.path):
            # executescript commits on its own; every statement in it is idempotent.
            self._db().executescript(_SCHEMA)

    @classmethod
    def from_url(cls, url: str) -> Self:
        """Open ``sqlite:///absolute/path.sqlite3``, ``sqlite:relative.sqlite3`` or ``sqlite://``.

        An empty path means the default file.
        """
        rest = url.split(":", 1)[1] if ":" in url else ""
        if rest.startswith("//"):
            rest = rest[2:]
        return cls(rest or None)

    def __repr__(self) -> str:
        return f"SQLiteTokenStore(path={str(self.path)!r})"

    # -- plumbing ---------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if os.getpid() != self._pid:
            # A forked child must not share the parent's SQLite handles.
            self._local = threading.local()
            self._opened = []
            self._pid = os.getpid()
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA busy_timeout={int(self._busy_timeout * 1000)}")
            self._local.db = db
            with self._opened_guard:
                self._opened.append(db)
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Close every SQLite handle this store opened."""
        with self._opened_guard:
            opened, self._opened = self._opened, []
        for db in opened:
            db.close()
        self._local = threading.local()

    # -- reads ------------------------------------------------------------------------------

    @_speaks
    def load(self, connection: str) -> ConnectionRecord | None:
        """Return the connection's tokens and metadata (see :meth:`TokenStore.load`)."""
        row = (
            self._db()
            .execute("SELECT * FROM connections WHERE connection = ?", (connection,))
            .fetchone()
        )
        if row is None:
            return None
        tokens = self._codec.decode(connection, row["tokens"], bool(row["encrypted"]))
        return ConnectionRecord(info=info_from_fields(connection, dict(row)), tokens=tokens)

    @_speaks
    def describe(self, connection: str) -> ConnectionInfo | None:
        """Return the connection's metadata without touching its tokens."""
        row = (
            self._db()
            .execute(
                f"SELECT {_INFO_COLUMNS} FROM connections WHERE connection = ?",  # noqa: S608
                (connection,),
            )
            .fetchone()
        )
        return None if row is None else info_from_fields(connection, dict(row))

    @_speaks
    def list_connections(self) -> list[ConnectionInfo]:
        """Return every connection's metadata, sorted by name."""
        rows = self._db().execute(
            f"SELECT connection, {_INFO_COLUMNS} FROM connections ORDER BY connection"  # noqa: S608
        )
        return [info_from_fields(row["connection"], dict(row)) for row in rows]

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
        with self._transaction() as db:
            old = db.execute(
                "SELECT version, fence, created_at FROM connections WHERE connection = ?",
                (connection,),
            ).fetchone()
            columns: dict[str, Any] = {
                "connection": connection,
                **self._codec.stored_fields(tokens, moment),
                **new_connection_fields(provider, client_id, metadata),
                "created_at": old["created_at"] if old else utc_text(moment),
                "last_refresh_at": None,
                "last_failure_at": None,
                "last_error": None,
                "version": (old["version"] if old else 0) + 1,
                "fence": old["fence"] if old else 0,
            }
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            db.execute(
                f"INSERT OR REPLACE INTO connections ({names}) VALUES ({marks})",  # noqa: S608
                tuple(columns.values()),
            )
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
        columns = self._codec.stored_fields(new_tokens, moment)
        sets = ", ".join(f"{name} = :{name}" for name in columns)
        with self._transaction() as db:
            cursor = db.execute(
                f"UPDATE connections SET {sets}, health = 'ok', last_refresh_at = :now, "  # noqa: S608
                "last_error = NULL, version = version + 1, fence = COALESCE(:fence, fence) "
                "WHERE connection = :connection AND refresh_fp IS :expected "
                "AND (:fence IS NULL OR fence <= :fence)",
                {
                    **columns,
                    "now": utc_text(moment),
                    "fence": fence,
                    "connection": connection,
                    "expected": fingerprint(expected_refresh_token),
                },
            )
            return cursor.rowcount == 1

    @_speaks
    def delete(self, connection: str) -> bool:
        """Forget the connection; return whether it existed."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM connections WHERE connection = ?", (connection,))
            return cursor.rowcount == 1

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
        with self._transaction() as db:
            if health is Health.OK:
                db.execute(
                    "UPDATE connections SET health = ?, last_error = NULL WHERE connection = ?",
                    (health.value, connection),
                )
                return
            db.execute(
                "UPDATE connections SET health = ?, last_failure_at = ?, last_error = ? "
                "WHERE connection = ?",
                (health.value, utc_text(now or utcnow()), error, connection),
            )

    @_speaks
    def set_business_ids(self, connection: str, business_ids: tuple[str, ...]) -> None:
        """Remember which businesses the connection reaches."""
        with self._transaction() as db:
            db.execute(
                "UPDATE connections SET business_ids = ? WHERE connection = ?",
                (json.dumps(list(business_ids)), connection),
            )

    # -- lock -------------------------------------------------------------------------------

    def _lock_path(self, connection: str) -> Path:
        digest = hashlib.sha256(connection.encode("utf-8")).hexdigest()[:32]
        return self._lock_dir / f"{digest}.lock"

    @contextmanager
    def lock(
        self, connection: str, *, timeout: float = DEFAULT_LOCK_TIMEOUT
    ) -> Iterator[StoreLock]:
        """Hold the connection's refresh lock (threads, then processes); yield its fence."""
        deadline = time.monotonic() + timeout
        with self._locks.hold(connection, timeout):
            file_lock = filelock.FileLock(self._lock_path(connection), mode=0o600)
            try:
                file_lock.acquire(timeout=max(deadline - time.monotonic(), 0.0), poll_interval=0.01)
            except filelock.Timeout as exc:
                raise lock_busy(connection) from exc
            try:
                yield StoreLock(connection=connection, fence=self._next_fence(connection))
            finally:
                file_lock.release()

    @_speaks
    def _next_fence(self, connection: str) -> int:
        with self._transaction() as db:
            row = db.execute(
                "INSERT INTO fences (connection, value) VALUES (?, 1) "
                "ON CONFLICT (connection) DO UPDATE SET value = value + 1 RETURNING value",
                (connection,),
            ).fetchone()
        return int(row[0])

    # -- OAuth states -----------------------------------------------------------------------

    @_speaks
    def put_state(self, state: str, data: Mapping[str, str], expires_at: datetime) -> None:
        """Remember an OAuth ``state`` until it expires (kept a day longer to spot replays)."""
        with self._transaction() as db:
            db.execute(
                "DELETE FROM oauth_states WHERE expires_at < ?",
                (utc_text(utcnow() - STATE_RETENTION),),
            )
            db.execute(
                "INSERT INTO oauth_states (state, data, expires_at) VALUES (?, ?, ?)",
                (state, json.dumps(dict(data)), utc_text(expires_at)),
            )

    @_speaks
    def consume_state(self, state: str) -> AuthorizationState | None:
        """Mark ``state`` used and return it as it was (see :meth:`TokenStore.consume_state`)."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT data, expires_at, used_at FROM oauth_states WHERE state = ?", (state,)
            ).fetchone()
            if row is None:
                return None
            if row["used_at"] is None:
                db.execute(
                    "UPDATE oauth_states SET used_at = ? WHERE state = ?",
                    (utc_text(utcnow()), state),
                )
        return authorization_state(
            state, json.loads(row["data"]), row["expires_at"], used=row["used_at"] is not None
        )
