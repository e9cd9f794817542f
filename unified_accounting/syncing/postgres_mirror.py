"""A mirror in PostgreSQL, shared by every worker of a product and every tenant.

One schema holds every tenant: ``mirror_records`` keyed by (provider, connection, business_id,
resource, id) and ``sync_state`` keyed by (provider, connection, business_id, resource); the
schema is created and upgraded by numbered migrations (:mod:`.postgres_migrations`) when the
mirror opens. A commit is one transaction: the page's records, its deletion flags and the
cursor that vouches for them land together or not at all. Syncs of one stream are serialised
across processes and machines by a session-level advisory lock, which PostgreSQL releases the
moment its holder's connection ends, so a killed worker never blocks the next one.

Needs the ``postgres`` extra: ``pip install 'unified-accounting[postgres]'`` (psycopg 3 and
psycopg_pool).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from unified_accounting.errors import ConfigurationError, ConflictError
from unified_accounting.events import postgres_log
from unified_accounting.events.model import ChangeListener
from unified_accounting.events.recorder import ChangeRecorder
from unified_accounting.models import DeletedRecord
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
    item_digest,
    pass_time,
    upsert_action,
)
from unified_accounting.syncing.postgres_migrations import advisory_key, migrate, quoted_schema

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = ["CommitPlan", "PostgresMirror", "plan_commit"]

DEFAULT_SCHEMA = "unified_accounting"
_READ_BATCH = 500
_COLUMNS = "id, updated_at, deleted, deleted_at, digest, data, remote_data, synced_at"
_RESOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_STREAM = "provider = %s AND connection = %s AND business_id = %s AND resource = %s"


@dataclass
class CommitPlan:
    """What one commit writes, decided from what the mirror holds (no I/O).

    ``upserts`` are full rows (insert or replace), ``tombstones`` ids deleted before the mirror
    saw them, ``marked`` ids whose row becomes deleted, each with its ``deleted_at``.
    """

    upserts: list[tuple[MirrorItem, str]] = field(default_factory=list)
    tombstones: list[tuple[str, datetime | None]] = field(default_factory=list)
    marked: list[tuple[str, datetime | None]] = field(default_factory=list)
    counts: CommitCounts = field(default_factory=CommitCounts)


def plan_commit(
    stored: dict[str, StoredVersion],
    upserts: Sequence[MirrorItem],
    deletions: Sequence[DeletedRecord],
    now: datetime | None = None,
    recorder: ChangeRecorder | None = None,
) -> CommitPlan:
    """Apply :func:`upsert_action` then :func:`deletion_applies`, item by item, to ``stored``.

    ``stored`` is updated as the items are planned, so a page that repeats an id counts it
    once as news and then as unchanged, exactly as the SQLite mirror does. Each change is
    also told to ``recorder``, when one listens.
    """
    plan = CommitPlan()
    inserted = updated = unchanged = deleted = 0
    for item in upserts:
        digest = item_digest(item)
        action = upsert_action(stored.get(item.id), item, digest, now)
        if action == "unchanged":
            unchanged += 1
            continue
        inserted += action == "insert"
        updated += action == "update"
        if recorder is not None:
            before = stored.get(item.id)
            recorder.upserted(record_id=item.id, inserted=action == "insert", data=item.data,
                              updated_at=item.updated_at, after=digest,
                              before=None if before is None else before.digest)
        plan.upserts.append((item, digest))
        stored[item.id] = StoredVersion(updated_at=item.updated_at, digest=digest,
                                        deleted=False, deleted_at=None)
    for record in deletions:
        current = stored.get(record.id)
        if not deletion_applies(current, record, now):
            continue
        deleted += 1
        deleted_at = None if record.deleted_at is None else record.deleted_at.astimezone(UTC)
        if recorder is not None:
            recorder.deleted(record_id=record.id, deleted_at=deleted_at,
                             before=None if current is None else current.digest)
        (plan.tombstones if current is None else plan.marked).append((record.id, deleted_at))
        stored[record.id] = StoredVersion(
            updated_at=None if current is None else current.updated_at,
            digest=None if current is None else current.digest,
            deleted=True, deleted_at=deleted_at,
        )
    plan.counts = CommitCounts(inserted, updated, unchanged, deleted)
    return plan


class PostgresMirror(Mirror):
    """A mirror in a PostgreSQL schema, safe to share between threads, processes and machines.

    Args:
        dsn: a libpq connection string or URL (``postgresql://user@host:5432/db``).
        schema: the schema holding the tables; created and migrated when the mirror opens.
        min_size, max_size: connections the pool keeps open and may open at most. Stream
            locks use connections of their own, outside the pool.
        lock_timeout: seconds to wait for another process syncing the same stream before
            giving up with :class:`~unified_accounting.errors.ConflictError`.

    Raises:
        ConfigurationError: psycopg is not installed, or the schema name is not plain.
    """

    emits_changes = True

    def __init__(
        self, dsn: str, *, schema: str = DEFAULT_SCHEMA, min_size: int = 1, max_size: int = 8,
        lock_timeout: float = 30.0,
    ) -> None:
        self._psycopg, pool_class = _import_psycopg()
        self.schema = schema
        self._quoted = quoted_schema(schema)
        self._dsn = dsn
        self.lock_timeout = lock_timeout
        self._pool: ConnectionPool[Any] = pool_class(
            dsn, min_size=min_size, max_size=max_size, open=True,
            kwargs={"autocommit": True}, name=f"mirror-{schema}",
        )
        try:
            with self._pool.connection() as conn:
                self.applied_migrations = migrate(conn, schema)
        except BaseException:
            self._pool.close()
            raise

    @classmethod
    def from_url(cls, url: str) -> Self:
        """Open ``postgresql://...``; the query parameters ``schema`` and ``max_size`` are ours.

        Example: ``postgresql://app@db:5432/billing?schema=mirror&max_size=4``.
        """
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        ours = {k: v for k, v in query if k in ("schema", "max_size")}
        rest = urlencode([(k, v) for k, v in query if k not in ours])
        return cls(urlunsplit(parts._replace(query=rest)),
                   schema=ours.get("schema", DEFAULT_SCHEMA),
                   max_size=int(ours.get("max_size", "8")))

    def __repr__(self) -> str:
        # The connection string may hold a password: show only the schema.
        return f"PostgresMirror(schema={self.schema!r})"

    # -- cursors and commits -------------------------------------------------------------

    def load_state(self, key: StreamKey) -> StreamState:
        """Return the saved cursors of one stream (an empty state if it never ran)."""
        with self._pool.connection() as conn:
            row = conn.execute(
                f"SELECT state FROM {self._quoted}.sync_state WHERE {_STREAM}",  # noqa: S608
                _stream_params(key.scope, key.resource),
            ).fetchone()
        return StreamState() if row is None else state_from_json(row[0])

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
        transaction; see :mod:`unified_accounting.events.postgres_log`.
        """
        ids = sorted({item.id for item in upserts} | {record.id for record in deletions})
        with self._pool.connection() as conn, conn.transaction():
            recorder = postgres_log.open_recorder(
                conn, self._quoted, provider=key.scope.provider,
                connection=key.scope.connection, business_id=key.scope.business_id,
                resource=key.resource, listener=on_change,
                fetch_data=lambda record_ids: self._stored_data(conn, key, record_ids))
            plan = plan_commit(self._stored_versions(conn, key, ids), upserts, deletions,
                               pass_time(state), recorder)
            self._write_plan(conn, key, plan)
            if recorder is not None:
                recorder.finish()
            self._save_state(conn, key, state)
        return plan.counts

    def stream_lock(self, key: StreamKey) -> AbstractContextManager[object]:
        """Lock one stream across processes with an advisory lock on a connection of its own."""
        return self._stream_lock(key)

    @contextmanager
    def _stream_lock(self, key: StreamKey) -> Iterator[None]:
        lock_key = advisory_key("stream", self.schema, *_stream_params(key.scope, key.resource))
        deadline = time.monotonic() + self.lock_timeout
        with self._psycopg.connect(self._dsn, autocommit=True) as conn:
            while not conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key,)).fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise ConflictError(
                        f"another sync of {key.resource} for business {key.scope.business_id} "
                        "is still running"
                    )
                time.sleep(0.05)
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key,))

    # -- reading back ----------------------------------------------------------------------

    def get(
        self, scope: Scope, resource: str, record_id: str, *, include_deleted: bool = False
    ) -> MirrorRecord | None:
        """Return one record, or ``None`` if it is unknown (or deleted, unless included)."""
        with self._pool.connection() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM {self._quoted}.mirror_records "  # noqa: S608
                f"WHERE {_STREAM} AND id = %s",
                (*_stream_params(scope, resource), record_id),
            ).fetchone()
        if row is None or (row[2] and not include_deleted):
            return None
        return _record(scope, resource, row)

    def records(
        self, scope: Scope, resource: str, *, include_deleted: bool = False
    ) -> Iterator[MirrorRecord]:
        """Iterate over a resource's records of one scope, ordered by id.

        Read in batches by id, so no connection is held while the caller works on a batch.
        """
        live = "" if include_deleted else " AND NOT deleted"
        query = (f"SELECT {_COLUMNS} FROM {self._quoted}.mirror_records "  # noqa: S608
                 f"WHERE {_STREAM}{live} AND id > %s ORDER BY id LIMIT %s")
        after = ""
        while True:
            with self._pool.connection() as conn:
                rows = conn.execute(query, (*_stream_params(scope, resource), after,
                                            _READ_BATCH)).fetchall()
            for row in rows:
                yield _record(scope, resource, row)
            if len(rows) < _READ_BATCH:
                return
            after = rows[-1][0]

    def count(self, scope: Scope, resource: str, *, include_deleted: bool = False) -> int:
        """Count a resource's records of one scope."""
        live = "" if include_deleted else " AND NOT deleted"
        with self._pool.connection() as conn:
            row = conn.execute(
                f"SELECT count(*) FROM {self._quoted}.mirror_records "  # noqa: S608
                f"WHERE {_STREAM}{live}",
                _stream_params(scope, resource),
            ).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        """Close the pool's connections."""
        self._pool.close()

    # -- plumbing --------------------------------------------------------------------------

    def _stored_versions(
        self, conn: psycopg.Connection[Any], key: StreamKey, ids: Sequence[str]
    ) -> dict[str, StoredVersion]:
        if not ids:
            return {}
        # FOR UPDATE: a concurrent commit to the same rows (outside the stream lock) waits
        # for this one instead of deciding from a version that is about to change.
        rows = conn.execute(
            f"SELECT id, updated_at, digest, deleted, deleted_at FROM {self._quoted}."  # noqa: S608
            f"mirror_records WHERE {_STREAM} AND id = ANY(%s) FOR UPDATE",
            (*_stream_params(key.scope, key.resource), list(ids)),
        ).fetchall()
        return {
            record_id: StoredVersion(updated_at=_utc(updated_at), digest=digest,
                                     deleted=bool(deleted), deleted_at=_utc(deleted_at))
            for record_id, updated_at, digest, deleted, deleted_at in rows
        }

    def _stored_data(
        self, conn: psycopg.Connection[Any], key: StreamKey, ids: Sequence[str]
    ) -> dict[str, dict[str, Any] | None]:
        rows = conn.execute(
            f"SELECT id, data FROM {self._quoted}.mirror_records "  # noqa: S608
            f"WHERE {_STREAM} AND id = ANY(%s)",
            (*_stream_params(key.scope, key.resource), list(ids)),
        ).fetchall()
        return dict(rows)

    def _write_plan(self, conn: psycopg.Connection[Any], key: StreamKey, plan: CommitPlan) -> None:
        jsonb = self._psycopg.types.json.Jsonb
        params = _stream_params(key.scope, key.resource)
        now = datetime.now(UTC)
        table = f"{self._quoted}.mirror_records"
        with conn.cursor() as cur:
            if plan.upserts:
                cur.executemany(
                    f"INSERT INTO {table} (provider, connection, business_id, resource, "  # noqa: S608
                    f"{_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, false, NULL, %s, %s, %s, %s) "
                    "ON CONFLICT (provider, connection, business_id, resource, id) DO UPDATE SET "
                    "updated_at = EXCLUDED.updated_at, deleted = false, deleted_at = NULL, "
                    "digest = EXCLUDED.digest, data = EXCLUDED.data, "
                    "remote_data = EXCLUDED.remote_data, synced_at = EXCLUDED.synced_at",
                    [(*params, item.id, item.updated_at, digest, jsonb(item.data),
                      None if item.remote_data is None else jsonb(item.remote_data, _dumps),
                      now) for item, digest in plan.upserts],
                )
            if plan.tombstones:
                cur.executemany(
                    f"INSERT INTO {table} (provider, connection, business_id, resource, id, "  # noqa: S608
                    "deleted, deleted_at, synced_at) VALUES (%s, %s, %s, %s, %s, true, %s, %s)",
                    [(*params, record_id, at, now) for record_id, at in plan.tombstones],
                )
            if plan.marked:
                cur.executemany(
                    f"UPDATE {table} SET deleted = true, deleted_at = %s, synced_at = %s "  # noqa: S608
                    f"WHERE {_STREAM} AND id = %s",
                    [(at, now, *params, record_id) for record_id, at in plan.marked],
                )

    def _save_state(
        self, conn: psycopg.Connection[Any], key: StreamKey, state: StreamState
    ) -> None:
        conn.execute(
            f"INSERT INTO {self._quoted}.sync_state (provider, connection, business_id, "  # noqa: S608
            "resource, state, saved_at) VALUES (%s, %s, %s, %s, %s, now()) "
            "ON CONFLICT (provider, connection, business_id, resource) DO UPDATE SET "
            "state = EXCLUDED.state, saved_at = EXCLUDED.saved_at",
            (*_stream_params(key.scope, key.resource),
             self._psycopg.types.json.Jsonb(state_to_json(state))),
        )


_dumps = partial(json.dumps, default=str)


def _import_psycopg() -> tuple[Any, Any]:
    try:
        import psycopg
        import psycopg.types.json
        from psycopg_pool import ConnectionPool
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ConfigurationError(
            "the PostgreSQL mirror needs psycopg and psycopg_pool: "
            "pip install 'unified-accounting[postgres]'"
        ) from exc
    return psycopg, ConnectionPool


def _record(scope: Scope, resource: str, row: Sequence[Any]) -> MirrorRecord:
    record_id, updated_at, deleted, deleted_at, _digest, data, remote_data, synced_at = row
    return MirrorRecord(
        scope=scope, resource=resource, id=record_id, updated_at=_utc(updated_at),
        deleted=bool(deleted), deleted_at=_utc(deleted_at), data=data, remote_data=remote_data,
        synced_at=synced_at.astimezone(UTC),
    )


def _stream_params(scope: Scope, resource: str) -> tuple[str, str, str, str]:
    # The same names as the SQLite mirror accepts, so a stream can move between the two.
    if not _RESOURCE_NAME.match(resource):
        raise ConfigurationError(f"{resource!r} is not a resource name")
    return (scope.provider, scope.connection, scope.business_id, resource)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)
