"""Both outbox stores the library ships pass the outbox conformance suite: SQLite and PostgreSQL.

The stores also have tests of their own: the PostgreSQL migrations keep their own version
table beside the mirror's; the SQLite file is private like the mirror's and fails clearly
when corrupt or locked; the plugin group finds both stores.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

import unified_accounting as ua
from unified_accounting.outbox.postgres_store import MIGRATIONS, PostgresOutbox
from unified_accounting.outbox.registry import available_outboxes, load_outbox, open_outbox
from unified_accounting.outbox.sqlite_store import SQLiteOutbox
from unified_accounting.syncing.postgres_migrations import MIGRATIONS as MIRROR_MIGRATIONS
from unified_accounting.syncing.postgres_mirror import PostgresMirror
from unified_accounting.testing.outbox_conformance import (
    T0,
    OutboxConformance,
    OutboxFactory,
    claim,
    new,
)


class TestSQLiteOutboxConformance(OutboxConformance):
    @pytest.fixture
    def ua_outbox_factory(self, tmp_path: Path) -> OutboxFactory:
        return lambda: SQLiteOutbox(tmp_path / "outbox.sqlite3")


@pytest.mark.postgres
class TestPostgresOutboxConformance(OutboxConformance):
    @pytest.fixture
    def ua_outbox_factory(self, postgres_url: str, postgres_schema: str) -> OutboxFactory:
        return lambda: PostgresOutbox(postgres_url, schema=postgres_schema, max_size=2)


@pytest.mark.postgres
def test_the_outbox_and_the_mirror_share_a_schema_with_their_own_versions(
    postgres_url: str, postgres_schema: str
) -> None:
    import psycopg

    # The outbox first: had it written its version 1 to the mirror's list, the mirror would
    # skip its own first migration and find no tables.
    outbox = PostgresOutbox(postgres_url, schema=postgres_schema)
    assert outbox.applied_migrations == [m.version for m in MIGRATIONS]
    mirror = PostgresMirror(postgres_url, schema=postgres_schema)
    assert mirror.applied_migrations == [m.version for m in MIRROR_MIGRATIONS]
    again = PostgresOutbox(postgres_url, schema=postgres_schema)
    assert again.applied_migrations == []
    for store in (mirror, outbox, again):
        store.close()
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = %s", (postgres_schema,)).fetchall()
        listed = {table: [row[0] for row in conn.execute(
            f'SELECT version FROM "{postgres_schema}".{table} ORDER BY version')]  # noqa: S608
            for table in ("schema_version", "outbox_schema_version")}
    assert {row[0] for row in rows} == {"mirror_records", "sync_state", "schema_version",
                                        "change_events", "webhook_endpoints",
                                        "webhook_deliveries", "outbox_items",
                                        "outbox_schema_version"}
    assert listed == {"schema_version": [m.version for m in MIRROR_MIGRATIONS],
                      "outbox_schema_version": [m.version for m in MIGRATIONS]}


@pytest.mark.postgres
def test_stores_open_by_url_and_by_plugin_name(postgres_url: str, postgres_schema: str,
                                               tmp_path: Path) -> None:
    assert {"sqlite", "postgres"} <= set(available_outboxes())
    by_name = load_outbox("postgres", dsn=postgres_url, schema=postgres_schema)
    assert repr(by_name) == f"PostgresOutbox(schema={postgres_schema!r})"
    by_name.close()
    by_url = open_outbox(f"{postgres_url}&schema={postgres_schema}&max_size=2")
    assert isinstance(by_url, PostgresOutbox)
    by_url.close()
    sqlite = open_outbox(f"sqlite://{tmp_path / 'o.db'}")
    assert isinstance(sqlite, SQLiteOutbox)
    assert sqlite.path == tmp_path / "o.db"
    sqlite.close()


def test_unknown_urls_and_memory_databases_are_refused() -> None:
    with pytest.raises(ua.ConfigurationError, match="postgresql:// or sqlite:///"):
        open_outbox("redis://127.0.0.1:6379/0")
    with pytest.raises(ua.ConfigurationError, match=":memory:"):
        SQLiteOutbox(":memory:")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_the_sqlite_outbox_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "queue" / "outbox.sqlite3"
    outbox = SQLiteOutbox(path)
    outbox.add(new())  # the queued write's data: nobody else on the machine may read it
    assert _mode(path.parent) == 0o700
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert file.exists(), file
        assert _mode(file) == 0o600, file
    outbox.close()


def test_a_corrupt_sqlite_outbox_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    garbage = b"not a database, only bytes\n" * 300
    path.write_bytes(garbage)
    with pytest.raises(ua.StoreUnavailableError, match="is not a SQLite database") as caught:
        SQLiteOutbox(path)
    assert f"outbox {path}" in str(caught.value)
    assert caught.value.retryable is False
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert path.read_bytes() == garbage


def test_a_locked_sqlite_outbox_fails_clearly_and_keeps_its_writes(tmp_path: Path) -> None:
    outbox = SQLiteOutbox(tmp_path / "outbox.sqlite3", busy_timeout=0.2)
    first = outbox.add(new())
    holder = sqlite3.connect(outbox.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    for call in (lambda: outbox.add(new()), lambda: claim(outbox)):
        with pytest.raises(ua.StoreUnavailableError, match="is locked") as caught:
            call()
        assert f"outbox {outbox.path}" in str(caught.value)
        assert caught.value.retryable is True  # a worker waits and claims again
    holder.execute("ROLLBACK")
    holder.close()
    assert [item.id for item in outbox.items()] == [first.id]
    assert claim(outbox, at=T0).id == first.id
    outbox.close()
    with pytest.raises(ua.ConfigurationError, match="closed"):
        outbox.items()
