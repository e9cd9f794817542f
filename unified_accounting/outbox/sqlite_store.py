"""The outbox in one SQLite file: for one machine, any number of threads and processes.

Every change is a transaction that takes SQLite's write lock first (``BEGIN IMMEDIATE``), so
a claim reads the queue heads and takes one in a single step: two workers never take the same
item, nor two items of one business. The file uses WAL journaling with full fsync, so a write
that ``add`` returned survives a crash of the process or the machine.

The file holds what products write to their customers' books, so it is private like the
mirror's (``0600`` in a ``0700`` folder), and a locked, corrupt or unreadable file raises
:class:`~unified_accounting.errors.StoreUnavailableError` naming it.
"""

from __future__ import annotations

import sqlite3
from os import PathLike, fspath
from pathlib import Path
from typing import Any

import platformdirs

from unified_accounting.errors import ConfigurationError, NotFoundError
from unified_accounting.outbox import sql
from unified_accounting.outbox.items import STATUSES, NewItem, OutboxItem, Queue, Status
from unified_accounting.outbox.outcomes import ItemOutcome
from unified_accounting.outbox.store import OutboxStore
from unified_accounting.sqlite_files import SQLitePool, translated, translating

__all__ = ["SQLiteOutbox", "default_path"]

_TABLE = "outbox_items"
_SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS {_TABLE} (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        provider TEXT NOT NULL, connection TEXT NOT NULL, business_id TEXT NOT NULL,
        resource TEXT NOT NULL, action TEXT NOT NULL, target_id TEXT,
        payload TEXT, options TEXT NOT NULL, refs TEXT NOT NULL,
        idempotency_key TEXT NOT NULL, status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
        not_before REAL NOT NULL, lease_owner TEXT, lease_until REAL, provider_id TEXT,
        result TEXT, error TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL,
        delivered_at REAL)""",
    f"""CREATE INDEX IF NOT EXISTS outbox_holding ON {_TABLE}
        (provider, connection, business_id, seq) WHERE status IN ('queued', 'sending', 'dead')""",
    f"""CREATE INDEX IF NOT EXISTS outbox_due ON {_TABLE} (not_before, seq)
        WHERE status IN ('queued', 'sending')""",
    f"CREATE INDEX IF NOT EXISTS outbox_status ON {_TABLE} (status, seq)",
)


def default_path() -> Path:
    """``outbox.sqlite3`` in the user's data folder."""
    return Path(platformdirs.user_data_dir("unified-accounting", appauthor=False)) / (
        "outbox.sqlite3")


_WHAT = "outbox"
_speaks = translating(_WHAT)


def _q(statement: str) -> str:
    return statement.format(table=_TABLE).replace("%s", "?")


class SQLiteOutbox(OutboxStore):
    """An outbox in one SQLite file, safe to share between threads and processes.

    Args:
        path: the database file; created with its table if missing.
        busy_timeout: seconds to wait for another writer before failing.

    Raises:
        StoreUnavailableError: the file is locked for longer than ``busy_timeout``, corrupt or
            unreadable (from any method); the message names the file.
        ConfigurationError: ``path`` is ``:memory:`` (the worker would not see the writes).
    """

    def __init__(self, path: str | PathLike[str], *, busy_timeout: float = 30.0) -> None:
        if fspath(path) == ":memory:":
            raise ConfigurationError("the SQLite outbox needs a file path, not ':memory:'")
        self.path = Path(path)
        self._pool = SQLitePool(self.path, busy_timeout=busy_timeout, synchronous="FULL",
                                owner=repr(self))
        with translated(_WHAT, self.path), self._pool.write() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)

    def __repr__(self) -> str:
        return f"SQLiteOutbox({str(self.path)!r})"

    @_speaks
    def add(self, item: NewItem) -> OutboxItem:
        with self._pool.write() as conn:
            row = conn.execute(_q(sql.INSERT), sql.insert_params(item, sql.json_text)).fetchone()
        return self._item(row)

    @_speaks
    def get(self, item_id: str) -> OutboxItem | None:
        with self._pool.connection() as conn:
            row = conn.execute(f"SELECT {sql.COLUMNS} FROM {_TABLE} WHERE id = ?",  # noqa: S608
                               (item_id,)).fetchone()
        return None if row is None else self._item(row)

    @_speaks
    def claim(self, *, owner: str, now: float, lease_seconds: float) -> OutboxItem | None:
        with self._pool.write() as conn:
            found = conn.execute(_q(sql.CLAIM_SELECT), (now, now)).fetchone()
            if found is None:
                return None
            row = conn.execute(_q(sql.TAKE), (owner, now + lease_seconds, now,
                                              found[0])).fetchone()
        return self._item(row)

    @_speaks
    def renew(self, item_id: str, *, owner: str, until: float) -> bool:
        with self._pool.write() as conn:
            return conn.execute(_q(sql.RENEW), (until, item_id, owner)).rowcount == 1

    @_speaks
    def finish(self, item_id: str, *, owner: str, outcome: ItemOutcome, now: float) -> bool:
        params = sql.finish_params(item_id, owner, outcome, now, sql.json_text)
        with self._pool.write() as conn:
            return conn.execute(_q(sql.FINISH), params).rowcount == 1

    @_speaks
    def items(self, *, status: Status | None = None, queue: Queue | None = None,
              connection: str | None = None, after_seq: int = 0,
              limit: int = 100) -> list[OutboxItem]:
        query, params = sql.listing(_TABLE, status=status, queue=queue, connection=connection,
                                    after_seq=after_seq, limit=limit)
        with self._pool.connection() as conn:
            rows = conn.execute(query.replace("%s", "?"), params).fetchall()
        return [self._item(row) for row in rows]

    @_speaks
    def retry(self, item_id: str, *, now: float) -> OutboxItem:
        with self._pool.write() as conn:
            item = self._locked(conn, item_id)
            row = conn.execute(_q(sql.RESET), (*sql.retried_state(item, now), now,
                                               item.seq)).fetchone()
        return self._item(row)

    @_speaks
    def cancel(self, item_id: str, *, now: float) -> OutboxItem:
        with self._pool.write() as conn:
            item = self._locked(conn, item_id)
            row = conn.execute(_q(sql.RESET), (*sql.cancelled_state(item, now), now,
                                               item.seq)).fetchone()
        return self._item(row)

    @_speaks
    def counts(self) -> dict[str, int]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT status, count(*) FROM {_TABLE} GROUP BY status").fetchall()  # noqa: S608
        found = {status: int(count) for status, count in rows}
        return {status: found.get(status, 0) for status in STATUSES}

    def close(self) -> None:
        """Close the idle connections; those in use close when they are handed back."""
        self._pool.close()

    # -- plumbing --------------------------------------------------------------------------

    def _locked(self, conn: sqlite3.Connection, item_id: str) -> OutboxItem:
        row = conn.execute(f"SELECT {sql.COLUMNS} FROM {_TABLE} WHERE id = ?",  # noqa: S608
                           (item_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no outbox item {item_id!r}")
        return self._item(row)

    @staticmethod
    def _item(row: Any) -> OutboxItem:
        return sql.item_from_row(row, sql.json_value)
