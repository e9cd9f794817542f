"""The default mirror: one SQLite file, one table per resource plus ``sync_state``.

Every row is keyed by (provider, connection, business_id, id), so two businesses whose ids
clash never share a row. The file uses WAL journaling so readers are not blocked while a sync
writes, and each commit takes the write lock up front (``BEGIN IMMEDIATE``) so the records of
a page and the cursor that vouches for them land together. Syncs of one stream from several
processes are serialised by a lock file per stream next to the database.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from os import PathLike, fspath
from pathlib import Path
from typing import Any

import filelock

from unified_accounting.errors import ConfigurationError, ConflictError
from unified_accounting.events import sqlite_log
from unified_accounting.events.model import ChangeListener
from unified_accounting.events.recorder import ChangeRecorder
from unified_accounting.models import DeletedRecord
from unified_accounting.sqlite_files import SQLitePool, private_folder, translated, translating
from unified_accounting.syncing.cursor import StreamState, state_from_json, state_to_json
from unified_accounting.syncing.mirror import (
    CommitCounts,
    Mirror,
    MirrorItem,
    MirrorRecord,
    Scope,
    StoredVersion,
    StreamKey,
    deletion_applies,
    encode_item,
    pass_time,
    upsert_action,
)
from unified_accounting.utctime import as_utc

__all__ = ["SQLiteMirror"]

_RESOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_RESERVED = frozenset({"sync_state", "sqlite_sequence", *sqlite_log.TABLES})
_SCHEMA_VERSION = 1
_STATE_TABLE = """
CREATE TABLE IF NOT EXISTS sync_state (
    provider TEXT NOT NULL, connection TEXT NOT NULL, business_id TEXT NOT NULL,
    resource TEXT NOT NULL, state TEXT NOT NULL, saved_at TEXT NOT NULL,
    PRIMARY KEY (provider, connection, business_id, resource)
) WITHOUT ROWID
"""
# A rowid table: a record's JSON runs to kilobytes, and a WITHOUT ROWID table keeps whole rows
# in its key's B-tree, where rows that large overflow and splits copy them (three times the
# CPU per insert, measured). Files made with the earlier WITHOUT ROWID layout work unchanged.
_RECORD_TABLE = """
CREATE TABLE IF NOT EXISTS "{table}" (
    provider TEXT NOT NULL, connection TEXT NOT NULL, business_id TEXT NOT NULL, id TEXT NOT NULL,
    updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0, deleted_at TEXT, digest TEXT,
    data TEXT, remote_data TEXT, synced_at TEXT NOT NULL,
    PRIMARY KEY (provider, connection, business_id, id)
)
"""
_COLUMNS = "id, updated_at, deleted, deleted_at, digest, data, remote_data, synced_at"
_SCOPE_WHERE = "provider = ? AND connection = ? AND business_id = ?"
_WHAT = "mirror"
_speaks = translating(_WHAT)


class SQLiteMirror(Mirror):
    """A mirror in one SQLite file, safe to share between threads and processes.

    Args:
        path: the database file; created with its tables if missing.
        lock_timeout: seconds to wait for another process syncing the same stream before
            giving up with :class:`~unified_accounting.errors.ConflictError`.
        busy_timeout: seconds SQLite waits for another writer before failing.

    The file, its lock files and their folder are private to the user (``0600``/``0700``).
    A file locked for longer than ``busy_timeout``, corrupt or unreadable raises
    :class:`~unified_accounting.errors.StoreUnavailableError` naming it.

    Raises:
        ConfigurationError: ``path`` is ``:memory:`` (each thread would see its own database).
    """

    emits_changes = True

    def __init__(
        self, path: str | PathLike[str], *, lock_timeout: float = 30.0, busy_timeout: float = 30.0
    ) -> None:
        if fspath(path) == ":memory:":
            raise ConfigurationError("the SQLite mirror needs a file path, not ':memory:'")
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._tables: set[str] = set()
        self._pool = SQLitePool(self.path, busy_timeout=busy_timeout, owner=repr(self))
        with translated(_WHAT, self.path), self._pool.write() as conn:
            conn.execute(_STATE_TABLE)
            sqlite_log.create_tables(conn)
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def __repr__(self) -> str:
        return f"SQLiteMirror({str(self.path)!r})"

    # -- cursors and commits -------------------------------------------------------------

    @_speaks
    def load_state(self, key: StreamKey) -> StreamState:
        """Return the saved cursors of one stream (an empty state if it never ran)."""
        with self._pool.connection() as conn:
            row = conn.execute(
                f"SELECT state FROM sync_state WHERE {_SCOPE_WHERE} AND resource = ?",  # noqa: S608
                (*_scope_params(key.scope), key.resource),
            ).fetchone()
        return StreamState() if row is None else state_from_json(json.loads(row[0]))

    @_speaks
    def commit(
        self,
        key: StreamKey,
        *,
        state: StreamState,
        upserts: Sequence[MirrorItem] = (),
        deletions: Sequence[DeletedRecord] = (),
        on_change: ChangeListener | None = None,
    ) -> CommitCounts:
        """Apply listed records and deletions and save ``state``, in one transaction.

        Change events (for ``on_change`` and registered webhooks) are recorded in the same
        transaction; see :mod:`unified_accounting.events.sqlite_log`.
        """
        table = self._table_name(key.resource)
        with self._pool.write() as conn:
            self._ensure_table(conn, table)
            recorder = sqlite_log.open_recorder(
                conn, provider=key.scope.provider, connection=key.scope.connection,
                business_id=key.scope.business_id, resource=key.resource, listener=on_change,
                fetch_data=lambda ids: _stored_data(conn, table, key.scope, ids))
            moment = pass_time(state)
            counts = _apply_upserts(conn, table, key.scope, upserts, moment, recorder)
            counts += _apply_deletions(conn, table, key.scope, deletions, moment, recorder)
            if recorder is not None:
                recorder.finish()
            _save_state(conn, key, state)
        return counts

    def stream_lock(self, key: StreamKey) -> AbstractContextManager[object]:
        """Lock one stream across processes with a lock file beside the database."""
        return self._stream_lock(key)

    @contextmanager
    def _stream_lock(self, key: StreamKey) -> Iterator[None]:
        name = "\x00".join((*_scope_params(key.scope), key.resource)).encode("utf-8")
        lock_dir = self.path.with_name(self.path.name + ".locks")
        private_folder(lock_dir)
        lock_path = lock_dir / (hashlib.sha256(name).hexdigest()[:24] + ".lock")
        lock = filelock.FileLock(lock_path, timeout=self.lock_timeout, thread_local=False,
                                 mode=0o600)
        try:
            lock.acquire()
        except filelock.Timeout as exc:
            raise ConflictError(
                f"another sync of {key.resource} for business {key.scope.business_id} "
                "is still running"
            ) from exc
        try:
            yield
        finally:
            lock.release()

    # -- reading back ----------------------------------------------------------------------

    @_speaks
    def get(
        self, scope: Scope, resource: str, record_id: str, *, include_deleted: bool = False
    ) -> MirrorRecord | None:
        """Return one record, or ``None`` if it is unknown (or deleted, unless included)."""
        table = self._table_name(resource)
        if not self._has_table(table):
            return None
        with self._pool.connection() as conn:
            row = conn.execute(
                f'SELECT {_COLUMNS} FROM "{table}" WHERE {_SCOPE_WHERE} AND id = ?',  # noqa: S608
                (*_scope_params(scope), record_id),
            ).fetchone()
        if row is None or (row[2] and not include_deleted):
            return None
        return _record(scope, resource, row)

    def records(
        self, scope: Scope, resource: str, *, include_deleted: bool = False
    ) -> Iterator[MirrorRecord]:
        """Iterate over a resource's records of one scope, ordered by id."""
        table = self._table_name(resource)
        if not self._has_table(table):
            return
        live = "" if include_deleted else " AND deleted = 0"
        with translated(_WHAT, self.path), self._pool.connection() as conn:
            cursor = conn.execute(
                f'SELECT {_COLUMNS} FROM "{table}" WHERE {_SCOPE_WHERE}{live} ORDER BY id',  # noqa: S608
                _scope_params(scope),
            )
            while rows := cursor.fetchmany(500):
                for row in rows:
                    yield _record(scope, resource, row)

    @_speaks
    def count(self, scope: Scope, resource: str, *, include_deleted: bool = False) -> int:
        """Count a resource's records of one scope."""
        table = self._table_name(resource)
        if not self._has_table(table):
            return 0
        live = "" if include_deleted else " AND deleted = 0"
        with self._pool.connection() as conn:
            row = conn.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE {_SCOPE_WHERE}{live}',  # noqa: S608
                _scope_params(scope),
            ).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the idle connections; connections in use close when they are handed back."""
        self._pool.close()

    # -- plumbing --------------------------------------------------------------------------

    def _table_name(self, resource: str) -> str:
        if not _RESOURCE_NAME.match(resource) or resource in _RESERVED:
            raise ConfigurationError(f"{resource!r} cannot be a mirror table name")
        return resource

    @_speaks
    def _has_table(self, table: str) -> bool:
        if table in self._tables:
            return True
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
        if row is not None:
            self._tables.add(table)
        return row is not None

    def _ensure_table(self, conn: sqlite3.Connection, table: str) -> None:
        # Not cached: a rolled-back transaction would take the new table with it.
        conn.execute(_RECORD_TABLE.format(table=table))


def _apply_upserts(
    conn: sqlite3.Connection, table: str, scope: Scope, items: Sequence[MirrorItem],
    moment: datetime | None, recorder: ChangeRecorder | None = None,
) -> CommitCounts:
    stored = _stored_versions(conn, table, scope, [item.id for item in items])
    inserted = updated = unchanged = 0
    now = _ts(datetime.now(UTC))
    for item in items:
        data_text, digest = encode_item(item)
        current = stored.get(item.id)
        action = upsert_action(current, item, digest, moment)
        if action == "unchanged":
            unchanged += 1
            continue
        conn.execute(
            f'INSERT OR REPLACE INTO "{table}" (provider, connection, business_id, {_COLUMNS}) '  # noqa: S608
            "VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?)",
            (
                *_scope_params(scope), item.id, _ts(item.updated_at), digest,
                data_text,
                None if item.remote_data is None else json.dumps(item.remote_data, default=str),
                now,
            ),
        )
        inserted += action == "insert"
        updated += action == "update"
        if recorder is not None:
            recorder.upserted(record_id=item.id, inserted=action == "insert", data=item.data,
                              updated_at=item.updated_at, after=digest,
                              before=None if current is None else current.digest)
        stored[item.id] = StoredVersion(
            updated_at=item.updated_at, digest=digest, deleted=False, deleted_at=None
        )
    return CommitCounts(inserted=inserted, updated=updated, unchanged=unchanged)


def _apply_deletions(
    conn: sqlite3.Connection, table: str, scope: Scope, records: Sequence[DeletedRecord],
    moment: datetime | None, recorder: ChangeRecorder | None = None,
) -> CommitCounts:
    stored = _stored_versions(conn, table, scope, [record.id for record in records])
    deleted = 0
    now = _ts(datetime.now(UTC))
    for record in records:
        current = stored.get(record.id)
        if not deletion_applies(current, record, moment):
            continue
        deleted_at = None if record.deleted_at is None else as_utc(record.deleted_at)
        if current is None:
            conn.execute(
                f'INSERT INTO "{table}" (provider, connection, business_id, id, deleted, '  # noqa: S608
                "deleted_at, synced_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                (*_scope_params(scope), record.id, _ts(deleted_at), now),
            )
        else:
            conn.execute(
                f'UPDATE "{table}" SET deleted = 1, deleted_at = ?, synced_at = ? '  # noqa: S608
                f"WHERE {_SCOPE_WHERE} AND id = ?",
                (_ts(deleted_at), now, *_scope_params(scope), record.id),
            )
        deleted += 1
        if recorder is not None:
            recorder.deleted(record_id=record.id, deleted_at=deleted_at,
                             before=None if current is None else current.digest)
        updated_at = None if current is None else current.updated_at
        digest = None if current is None else current.digest
        stored[record.id] = StoredVersion(
            updated_at=updated_at, digest=digest, deleted=True, deleted_at=deleted_at
        )
    return CommitCounts(deleted=deleted)


def _rows_by_id(conn: sqlite3.Connection, table: str, scope: Scope, columns: str,
                ids: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """``id`` and ``columns`` of the rows of ``ids``, in chunks well under SQLite's limit."""
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        yield from conn.execute(
            f'SELECT id, {columns} FROM "{table}" '  # noqa: S608
            f"WHERE {_SCOPE_WHERE} AND id IN ({marks})",
            (*_scope_params(scope), *chunk),
        )


def _stored_versions(
    conn: sqlite3.Connection, table: str, scope: Scope, ids: Sequence[str]
) -> dict[str, StoredVersion]:
    return {
        record_id: StoredVersion(updated_at=_parse(updated_at), digest=digest,
                                 deleted=bool(deleted), deleted_at=_parse(deleted_at))
        for record_id, updated_at, digest, deleted, deleted_at in _rows_by_id(
            conn, table, scope, "updated_at, digest, deleted, deleted_at", ids)
    }


def _stored_data(
    conn: sqlite3.Connection, table: str, scope: Scope, ids: Sequence[str]
) -> dict[str, dict[str, Any] | None]:
    return {record_id: None if data is None else json.loads(data)
            for record_id, data in _rows_by_id(conn, table, scope, "data", ids)}


def _save_state(conn: sqlite3.Connection, key: StreamKey, state: StreamState) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO sync_state (provider, connection, business_id, resource, state, "
        "saved_at) VALUES (?, ?, ?, ?, ?, ?)",
        (
            *_scope_params(key.scope), key.resource,
            json.dumps(state_to_json(state), sort_keys=True), _ts(datetime.now(UTC)),
        ),
    )


def _record(scope: Scope, resource: str, row: tuple[Any, ...]) -> MirrorRecord:
    record_id, updated_at, deleted, deleted_at, _digest, data, remote_data, synced_at = row
    return MirrorRecord(
        scope=scope,
        resource=resource,
        id=record_id,
        updated_at=_parse(updated_at),
        deleted=bool(deleted),
        deleted_at=_parse(deleted_at),
        data=None if data is None else json.loads(data),
        remote_data=None if remote_data is None else json.loads(remote_data),
        synced_at=_parse_required(synced_at),
    )


def _scope_params(scope: Scope) -> tuple[str, str, str]:
    return (scope.provider, scope.connection, scope.business_id)


def _ts(value: datetime | None) -> str | None:
    # A fixed-width UTC form, so the stored text also sorts in time order.
    if value is None:
        return None
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(value: str | None) -> datetime | None:
    return None if value is None else _parse_required(value)


def _parse_required(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
