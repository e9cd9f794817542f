"""The outbox in PostgreSQL: shared by every worker of a deployment, on any machine.

One table, ``outbox_items``, in a schema of the deployment's choosing (the mirror's schema by
default; the outbox keeps its own migration list, ``outbox_schema_version``). A claim locks
the queue head it picks with ``FOR UPDATE SKIP LOCKED``, so workers never wait for each
other and never take one item twice; PostgreSQL re-checks the picked row after the lock, so a
head another worker has just finished is never sent again.

Needs the ``postgres`` extra: ``pip install 'unified-accounting[postgres]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from unified_accounting.errors import ConfigurationError, NotFoundError
from unified_accounting.outbox import sql
from unified_accounting.outbox.items import STATUSES, NewItem, OutboxItem, Queue, Status
from unified_accounting.outbox.outcomes import ItemOutcome
from unified_accounting.outbox.store import OutboxStore
from unified_accounting.syncing.postgres_migrations import Migration, migrate, quoted_schema

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = ["MIGRATIONS", "PostgresOutbox"]

DEFAULT_SCHEMA = "unified_accounting"
VERSION_TABLE = "outbox_schema_version"

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "queued writes of every tenant", (
        """CREATE TABLE {schema}.outbox_items (
            seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE,
            provider text NOT NULL, connection text NOT NULL, business_id text NOT NULL,
            resource text NOT NULL, action text NOT NULL, target_id text,
            payload jsonb, options jsonb NOT NULL, refs jsonb NOT NULL,
            idempotency_key text NOT NULL, status text NOT NULL,
            attempts integer NOT NULL DEFAULT 0, failures integer NOT NULL DEFAULT 0,
            not_before double precision NOT NULL, lease_owner text,
            lease_until double precision, provider_id text, result jsonb, error jsonb,
            created_at double precision NOT NULL, updated_at double precision NOT NULL,
            delivered_at double precision)""",
        """CREATE INDEX outbox_holding ON {schema}.outbox_items
            (provider, connection, business_id, seq)
            WHERE status IN ('queued', 'sending', 'dead')""",
        """CREATE INDEX outbox_due ON {schema}.outbox_items (not_before, seq)
            WHERE status IN ('queued', 'sending')""",
        "CREATE INDEX outbox_status ON {schema}.outbox_items (status, seq)",
    )),
)


class PostgresOutbox(OutboxStore):
    """An outbox in a PostgreSQL schema, safe to share between threads, processes and hosts.

    Args:
        dsn: a libpq connection string or URL.
        schema: the schema holding the table; created and migrated when the store opens.
        min_size, max_size: connections the pool keeps open and may open at most.

    Raises:
        ConfigurationError: psycopg is not installed, or the schema name is not plain.
    """

    def __init__(self, dsn: str, *, schema: str = DEFAULT_SCHEMA, min_size: int = 1,
                 max_size: int = 4) -> None:
        self._psycopg, pool_class = _import_psycopg()
        self.schema = schema
        self._table = f"{quoted_schema(schema)}.outbox_items"
        self._pool: ConnectionPool[Any] = pool_class(
            dsn, min_size=min_size, max_size=max_size, open=True,
            kwargs={"autocommit": True}, name=f"outbox-{schema}")
        try:
            with self._pool.connection() as conn:
                self.applied_migrations = migrate(conn, schema, MIGRATIONS, VERSION_TABLE)
        except BaseException:
            self._pool.close()
            raise

    @classmethod
    def from_url(cls, url: str) -> Self:
        """Open ``postgresql://...``; the query parameters ``schema`` and ``max_size`` are ours."""
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        ours = {key: value for key, value in query if key in ("schema", "max_size")}
        rest = urlencode([(key, value) for key, value in query if key not in ours])
        return cls(urlunsplit(parts._replace(query=rest)),
                   schema=ours.get("schema", DEFAULT_SCHEMA),
                   max_size=int(ours.get("max_size", "4")))

    def __repr__(self) -> str:
        # The connection string may hold a password: show only the schema.
        return f"PostgresOutbox(schema={self.schema!r})"

    def add(self, item: NewItem) -> OutboxItem:
        with self._pool.connection() as conn:
            row = conn.execute(self._q(sql.INSERT), sql.insert_params(item, self._jsonb)).fetchone()
        return self._item(row)

    def get(self, item_id: str) -> OutboxItem | None:
        with self._pool.connection() as conn:
            row = conn.execute(f"SELECT {sql.COLUMNS} FROM {self._table} WHERE id = %s",  # noqa: S608
                               (item_id,)).fetchone()
        return None if row is None else self._item(row)

    def get_many(self, item_ids: Any) -> dict[str, OutboxItem]:
        wanted = list(item_ids)
        if not wanted:
            return {}
        with self._pool.connection() as conn:
            rows = conn.execute(f"SELECT {sql.COLUMNS} FROM {self._table} "  # noqa: S608
                                "WHERE id = ANY(%s)", (wanted,)).fetchall()
        return {item.id: item for item in map(self._item, rows)}

    def claim(self, *, owner: str, now: float, lease_seconds: float) -> OutboxItem | None:
        pick = self._q(sql.CLAIM_SELECT) + " FOR UPDATE OF i SKIP LOCKED"
        with self._pool.connection() as conn, conn.transaction():
            found = conn.execute(pick, (now, now)).fetchone()
            if found is None:
                return None
            row = conn.execute(self._q(sql.TAKE), (owner, now + lease_seconds, now,
                                                   found[0])).fetchone()
        return self._item(row)

    def renew(self, item_id: str, *, owner: str, until: float) -> bool:
        with self._pool.connection() as conn:
            return bool(conn.execute(self._q(sql.RENEW), (until, item_id, owner)).rowcount == 1)

    def finish(self, item_id: str, *, owner: str, outcome: ItemOutcome, now: float) -> bool:
        params = sql.finish_params(item_id, owner, outcome, now, self._jsonb)
        with self._pool.connection() as conn:
            return bool(conn.execute(self._q(sql.FINISH), params).rowcount == 1)

    def items(self, *, status: Status | None = None, queue: Queue | None = None,
              connection: str | None = None, after_seq: int = 0,
              limit: int = 100) -> list[OutboxItem]:
        query, params = sql.listing(self._table, status=status, queue=queue,
                                    connection=connection, after_seq=after_seq, limit=limit)
        with self._pool.connection() as conn:
            rows = conn.execute(query, params).fetchall()
        return [self._item(row) for row in rows]

    def retry(self, item_id: str, *, now: float) -> OutboxItem:
        with self._pool.connection() as conn, conn.transaction():
            item = self._locked(conn, item_id)
            row = conn.execute(self._q(sql.RESET), (*sql.retried_state(item, now), now,
                                                    item.seq)).fetchone()
        return self._item(row)

    def cancel(self, item_id: str, *, now: float) -> OutboxItem:
        with self._pool.connection() as conn, conn.transaction():
            item = self._locked(conn, item_id)
            row = conn.execute(self._q(sql.RESET), (*sql.cancelled_state(item, now), now,
                                                    item.seq)).fetchone()
        return self._item(row)

    def counts(self) -> dict[str, int]:
        with self._pool.connection() as conn:
            rows = conn.execute(f"SELECT status, count(*) FROM {self._table} "  # noqa: S608
                                "GROUP BY status").fetchall()
        found = {status: int(count) for status, count in rows}
        return {status: found.get(status, 0) for status in STATUSES}

    def close(self) -> None:
        """Close the pool's connections."""
        self._pool.close()

    # -- plumbing --------------------------------------------------------------------------

    def _q(self, statement: str) -> str:
        return statement.format(table=self._table)

    def _locked(self, conn: psycopg.Connection[Any], item_id: str) -> OutboxItem:
        row = conn.execute(f"SELECT {sql.COLUMNS} FROM {self._table} "  # noqa: S608
                           "WHERE id = %s FOR UPDATE", (item_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no outbox item {item_id!r}")
        return self._item(row)

    def _jsonb(self, value: Any) -> Any:
        return None if value is None else self._psycopg.types.json.Jsonb(value)

    @staticmethod
    def _item(row: Any) -> OutboxItem:
        return sql.item_from_row(row, lambda value: value)


def _import_psycopg() -> tuple[Any, Any]:
    try:
        import psycopg
        import psycopg.types.json
        from psycopg_pool import ConnectionPool
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ConfigurationError(
            "the PostgreSQL outbox needs psycopg and psycopg_pool: "
            "pip install 'unified-accounting[postgres]'") from exc
    return psycopg, ConnectionPool
