"""The PostgreSQL mirror's schema, as numbered migrations applied in order.

Every tenant shares one schema: records are keyed by (provider, connection, business_id,
resource, id) in one table, cursors by (provider, connection, business_id, resource) in
another. ``schema_version`` lists the migrations applied. :func:`migrate` takes a
transaction-scoped advisory lock first, so any number of workers may start at once: one applies
what is missing, the others wait for it and then find nothing left to do.

To change the schema, append a :class:`Migration` with the next number; never edit one that
has shipped, because databases that applied it will not apply it again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unified_accounting.errors import ConfigurationError
from unified_accounting.events.postgres_log import MIGRATION_STATEMENTS as EVENT_TABLES

if TYPE_CHECKING:
    import psycopg

__all__ = ["MIGRATIONS", "Migration", "advisory_key", "migrate", "quoted_schema"]

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its number, what it does, and the SQL (``{schema}`` filled in)."""

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "records and sync cursors of every tenant", (
        """CREATE TABLE {schema}.mirror_records (
            provider text NOT NULL, connection text NOT NULL, business_id text NOT NULL,
            resource text NOT NULL, id text COLLATE "C" NOT NULL,
            updated_at timestamptz, deleted boolean NOT NULL DEFAULT false,
            deleted_at timestamptz, digest text, data jsonb, remote_data jsonb,
            synced_at timestamptz NOT NULL,
            PRIMARY KEY (provider, connection, business_id, resource, id))""",
        """CREATE TABLE {schema}.sync_state (
            provider text NOT NULL, connection text NOT NULL, business_id text NOT NULL,
            resource text NOT NULL, state jsonb NOT NULL, saved_at timestamptz NOT NULL,
            PRIMARY KEY (provider, connection, business_id, resource))""",
    )),
    Migration(2, "find a tenant's changed records by time", (
        """CREATE INDEX mirror_records_updated ON {schema}.mirror_records
            (provider, connection, business_id, resource, updated_at)""",
    )),
    Migration(3, "change events, webhook endpoints and their deliveries", EVENT_TABLES),
)

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS {versions} (
    version integer PRIMARY KEY, description text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())"""


def quoted_schema(name: str) -> str:
    """``name`` as an SQL identifier, after checking it is a plain lower-case name.

    Raises:
        ConfigurationError: the name has other characters or is longer than 63.
    """
    if not _SCHEMA_NAME.match(name):
        raise ConfigurationError(
            f"schema {name!r}: use lower-case letters, digits and '_' (at most 63)"
        )
    return f'"{name}"'


def advisory_key(*parts: str) -> int:
    """A signed 64-bit advisory-lock key for ``parts`` (PostgreSQL's ``bigint``)."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def migrate(
    conn: psycopg.Connection[tuple[object, ...]],
    schema: str,
    migrations: tuple[Migration, ...] = MIGRATIONS,
    version_table: str = "schema_version",
) -> list[int]:
    """Bring ``schema`` up to the last migration, in one transaction; return versions applied.

    ``version_table`` lists what was applied; another set of tables in the same schema (the
    write outbox's) keeps its own list under another name.

    Raises:
        ConfigurationError: the database holds a newer schema than this code knows (a newer
            release has migrated it: upgrade this one too).
    """
    quoted = quoted_schema(schema)
    versions = f"{quoted}.{quoted_schema(version_table)}"
    applied: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key("migrate", schema),))
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
        conn.execute(_VERSION_TABLE.format(versions=versions))
        latest = f"SELECT coalesce(max(version), 0) FROM {versions}"  # noqa: S608
        row = conn.execute(latest).fetchone()
        current = int(row[0]) if row else 0  # type: ignore[call-overload]
        newest = max((m.version for m in migrations), default=0)
        if current > newest:
            raise ConfigurationError(
                f"schema {schema!r} is at version {current}, newer than this release knows "
                f"({newest}); upgrade unified-accounting"
            )
        for migration in sorted(migrations, key=lambda m: m.version):
            if migration.version <= current:
                continue
            for statement in migration.statements:
                conn.execute(statement.format(schema=quoted))
            conn.execute(
                f"INSERT INTO {versions} (version, description) "  # noqa: S608
                "VALUES (%s, %s)",
                (migration.version, migration.description),
            )
            applied.append(migration.version)
    return applied
