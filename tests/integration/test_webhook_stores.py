"""Both shipped mirrors report changes, and both webhook stores pass the store contract.

SQLite and a real PostgreSQL (each test in a schema of its own): the mirror's commits queue
the deliveries that the store then claims, orders per record, leases, retries and prunes.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import unified_accounting as ua
from unified_accounting.syncing.postgres_mirror import PostgresMirror
from unified_accounting.syncing.sqlite_mirror import SQLiteMirror
from unified_accounting.testing.change_conformance import ChangeEventConformance
from unified_accounting.testing.mirror_conformance import MirrorFactory
from unified_accounting.testing.webhook_conformance import WebhookPair, WebhookStoreConformance
from unified_accounting.webhooks.postgres_store import PostgresWebhookStore
from unified_accounting.webhooks.registry import open_webhook_store
from unified_accounting.webhooks.sqlite_store import SQLiteWebhookStore


class TestSQLiteMirrorChanges(ChangeEventConformance):
    @pytest.fixture
    def ua_mirror_factory(self, tmp_path: Path) -> MirrorFactory:
        return lambda **options: SQLiteMirror(tmp_path / "mirror.sqlite3", **options)


@pytest.mark.postgres
class TestPostgresMirrorChanges(ChangeEventConformance):
    @pytest.fixture
    def ua_mirror_factory(self, postgres_url: str, postgres_schema: str) -> MirrorFactory:
        return lambda **options: PostgresMirror(postgres_url, schema=postgres_schema,
                                                max_size=2, **options)


class TestSQLiteWebhookStore(WebhookStoreConformance):
    @pytest.fixture
    def ua_webhook_pair(self, tmp_path: Path) -> Iterator[WebhookPair]:
        path = tmp_path / "mirror.sqlite3"
        mirror, store = SQLiteMirror(path), SQLiteWebhookStore(path)
        yield mirror, store
        store.close()
        mirror.close()


@pytest.mark.postgres
class TestPostgresWebhookStore(WebhookStoreConformance):
    @pytest.fixture
    def ua_webhook_pair(self, postgres_url: str, postgres_schema: str
                        ) -> Iterator[WebhookPair]:
        mirror = PostgresMirror(postgres_url, schema=postgres_schema, max_size=2)
        store = PostgresWebhookStore(postgres_url, schema=postgres_schema)
        yield mirror, store
        store.close()
        mirror.close()


def test_the_store_beside_a_mirror_is_found_from_its_path_or_url(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    for location in (str(path), f"sqlite://{path}"):
        store = open_webhook_store(location)
        assert isinstance(store, SQLiteWebhookStore)
        assert store.path == path
        store.close()


@pytest.mark.postgres
def test_a_postgres_url_opens_the_schema_it_names(postgres_url: str, postgres_schema: str
                                                  ) -> None:
    joiner = "&" if "?" in postgres_url else "?"
    store = open_webhook_store(f"{postgres_url}{joiner}schema={postgres_schema}")
    assert isinstance(store, PostgresWebhookStore)
    assert store.schema == postgres_schema
    assert repr(store) == f"PostgresWebhookStore(schema={postgres_schema!r})"
    store.close()


@pytest.mark.usefixtures("open_umask")
def test_a_store_that_creates_the_mirror_file_keeps_it_private(tmp_path: Path) -> None:
    path = tmp_path / "books" / "mirror.sqlite3"
    store = SQLiteWebhookStore(path)  # before any sync: the file holds endpoint secrets
    store.add_endpoint("https://example.com/hooks")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    store.close()


def test_a_corrupt_or_locked_file_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"not a database\n" * 400)
    with pytest.raises(ua.StoreUnavailableError, match="is not a SQLite database") as caught:
        SQLiteWebhookStore(corrupt)
    assert f"webhook store {corrupt}" in str(caught.value)
    assert corrupt.read_bytes() == b"not a database\n" * 400

    store = SQLiteWebhookStore(tmp_path / "mirror.sqlite3", busy_timeout=0.2)
    endpoint = store.add_endpoint("https://example.com/hooks")
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a sync's commit that takes too long
    with pytest.raises(ua.StoreUnavailableError, match="is locked") as locked:
        store.claim(10, lease=60)
    assert locked.value.retryable is True
    holder.execute("ROLLBACK")
    holder.close()
    assert [e.id for e in store.endpoints()] == [endpoint.id]
    store.close()
