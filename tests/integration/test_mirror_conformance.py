"""Both mirrors the library ships pass the mirror conformance suite: SQLite and PostgreSQL.

The PostgreSQL mirror also has tests of its own: the schema migrations (versions, idempotence,
concurrent starts), one schema for every tenant, and the stream lock freed by a dead holder.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import unified_accounting as ua
from unified_accounting.syncing import Scope, StreamKey, StreamState
from unified_accounting.syncing.mirror import Mirror, available_mirrors, load_mirror
from unified_accounting.syncing.postgres_migrations import MIGRATIONS, migrate
from unified_accounting.syncing.postgres_mirror import PostgresMirror
from unified_accounting.syncing.sqlite_mirror import SQLiteMirror
from unified_accounting.testing.mirror_conformance import MirrorConformance, MirrorFactory

GB = Scope("sage", "default", "biz-gb")


class TestSQLiteMirrorConformance(MirrorConformance):
    @pytest.fixture
    def ua_mirror_factory(self, tmp_path: Path) -> MirrorFactory:
        return lambda **options: SQLiteMirror(tmp_path / "mirror.sqlite3", **options)


@pytest.mark.postgres
class TestPostgresMirrorConformance(MirrorConformance):
    @pytest.fixture
    def ua_mirror_factory(self, postgres_url: str, postgres_schema: str) -> MirrorFactory:
        return lambda **options: PostgresMirror(postgres_url, schema=postgres_schema,
                                                max_size=2, **options)


def tables(url: str, schema: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = %s", (schema,)).fetchall()
    return {row[0] for row in rows}


def versions(url: str, schema: str) -> list[int]:
    import psycopg

    with psycopg.connect(url) as conn:
        query = f'SELECT version FROM "{schema}".schema_version ORDER BY version'  # noqa: S608
        rows = conn.execute(query).fetchall()
    return [row[0] for row in rows]


@pytest.mark.postgres
def test_migrations_run_once_in_order_and_every_tenant_shares_two_tables(
    postgres_url: str, postgres_schema: str
) -> None:
    first = PostgresMirror(postgres_url, schema=postgres_schema)
    assert first.applied_migrations == [m.version for m in MIGRATIONS]
    for number in range(3):
        first.commit(StreamKey(Scope("sage", f"tenant-{number}", "biz"), "contacts"),
                     state=StreamState(), upserts=[])
    first.close()
    again = PostgresMirror(postgres_url, schema=postgres_schema)
    assert again.applied_migrations == []  # idempotent: nothing left to apply
    again.close()
    assert versions(postgres_url, postgres_schema) == [m.version for m in MIGRATIONS]
    assert tables(postgres_url, postgres_schema) == {
        "mirror_records", "sync_state", "schema_version",
        "change_events", "webhook_endpoints", "webhook_deliveries"}


@pytest.mark.postgres
def test_concurrent_starts_apply_each_migration_exactly_once(
    postgres_url: str, postgres_schema: str
) -> None:
    import psycopg

    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                applied.append(migrate(conn, postgres_schema))
        except BaseException as exc:  # collected and re-raised by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(applied, key=len) == [[]] * 5 + [[m.version for m in MIGRATIONS]]
    assert versions(postgres_url, postgres_schema) == [m.version for m in MIGRATIONS]


@pytest.mark.postgres
def test_a_database_newer_than_this_release_is_refused(
    postgres_url: str, postgres_schema: str
) -> None:
    import psycopg

    PostgresMirror(postgres_url, schema=postgres_schema).close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'INSERT INTO "{postgres_schema}".schema_version '  # noqa: S608
                     "(version, description) VALUES (999, 'from the future')")
    with pytest.raises(ua.ConfigurationError, match="version 999"):
        PostgresMirror(postgres_url, schema=postgres_schema)


@pytest.mark.postgres
def test_the_stream_lock_of_a_killed_holder_is_free_at_once(
    postgres_url: str, postgres_schema: str
) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from unified_accounting.syncing import Scope, StreamKey\n"
        "from unified_accounting.syncing.postgres_mirror import PostgresMirror\n"
        "m = PostgresMirror(sys.argv[1], schema=sys.argv[2])\n"
        "with m.stream_lock(StreamKey(Scope('sage', 'default', 'biz-gb'), 'contacts')):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"), postgres_url, postgres_schema], stdout=subprocess.PIPE)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == b"held"
    with PostgresMirror(postgres_url, schema=postgres_schema, lock_timeout=0.0) as mirror:
        key = StreamKey(GB, "contacts")
        with pytest.raises(ua.ConflictError), mirror.stream_lock(key):
            pass
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 5
        while True:  # the server notices the closed socket within milliseconds
            try:
                with mirror.stream_lock(key):
                    break
            except ua.ConflictError:
                assert time.monotonic() < deadline, "the dead holder's lock was not freed"
                time.sleep(0.05)


@pytest.mark.postgres
def test_load_mirror_finds_postgres_through_its_entry_point(
    postgres_url: str, postgres_schema: str
) -> None:
    mirror: Mirror = load_mirror("postgres", dsn=postgres_url, schema=postgres_schema)
    assert isinstance(mirror, PostgresMirror)
    assert "postgres" in available_mirrors()
    assert repr(mirror) == f"PostgresMirror(schema={postgres_schema!r})"
    mirror.close()
    by_url = PostgresMirror.from_url(f"{postgres_url}&schema={postgres_schema}&max_size=2")
    assert by_url.schema == postgres_schema
    by_url.close()


def test_bad_schema_names_are_refused() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(ua.ConfigurationError, match="schema"):
        PostgresMirror("postgresql://127.0.0.1:1/none", schema='x"; DROP SCHEMA public; --')
