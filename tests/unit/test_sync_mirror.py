"""The pure dedupe rules and what only the SQLite mirror does.

The contract every mirror keeps is tested for SQLite and PostgreSQL alike in
``tests/integration/test_mirror_conformance.py``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import unified_accounting as ua
from unified_accounting.models import DeletedRecord
from unified_accounting.syncing import sqlite_mirror
from unified_accounting.syncing.cursor import StreamState
from unified_accounting.syncing.mirror import (
    Mirror,
    MirrorItem,
    Scope,
    StoredVersion,
    StreamKey,
    deletion_applies,
    encode_item,
    item_digest,
    load_mirror,
    upsert_action,
)
from unified_accounting.syncing.sqlite_mirror import SQLiteMirror

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
SEC = timedelta(seconds=1)
GB = Scope("sage", "default", "biz-gb")
IE = Scope("sage", "default", "biz-ie")


def item(record_id: str, at: datetime | None, name: str = "Acme") -> MirrorItem:
    return MirrorItem(id=record_id, updated_at=at, data={"id": record_id, "name": name},
                      remote_data={"id": record_id, "displayed_as": name})


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[SQLiteMirror]:
    with SQLiteMirror(tmp_path / "mirror.sqlite3") as opened:
        yield opened


def stored(at: datetime | None, *, deleted: bool = False, deleted_at: datetime | None = None,
           digest: str | None = "d") -> StoredVersion:
    return StoredVersion(updated_at=at, digest=digest, deleted=deleted, deleted_at=deleted_at)


@pytest.mark.parametrize(
    ("current", "at", "same_content", "expected"),
    [
        (None, T0, True, "insert"),
        (stored(T0), T0 + SEC, True, "update"),
        (stored(T0), T0, True, "unchanged"),  # a re-read from the overlap window
        (stored(T0), T0, False, "update"),  # same second, new content
        (stored(T0 + SEC), T0, False, "unchanged"),  # a stale read never goes backwards
        (stored(None), None, False, "update"),
        (stored(T0, deleted=True, deleted_at=T0 + SEC), T0, False, "unchanged"),
        (stored(T0, deleted=True, deleted_at=T0 + SEC), T0 + 2 * SEC, False, "update"),
        (stored(None, deleted=True), T0, False, "update"),  # tombstone of an unseen id
    ],
)
def test_upsert_action(current: StoredVersion | None, at: datetime | None, same_content: bool,
                       expected: str) -> None:
    new = item("a", at)
    digest = current.digest if same_content and current is not None else item_digest(new)
    assert upsert_action(current, new, digest or "") == expected


@pytest.mark.parametrize(
    ("current", "deleted_at", "expected"),
    [
        (None, T0, True),
        (stored(T0), T0 + SEC, True),
        (stored(T0), None, True),
        (stored(T0, deleted=True, deleted_at=T0), T0, False),
        (stored(T0 + SEC), T0, False),  # a newer version than the deletion is kept
    ],
)
def test_deletion_applies(current: StoredVersion | None, deleted_at: datetime | None,
                          expected: bool) -> None:
    assert deletion_applies(current, DeletedRecord(id="a", deleted_at=deleted_at)) is expected


FUTURE = T0 + timedelta(days=10)  # a provider clock error, days ahead of the pass at T0


@pytest.mark.parametrize(
    ("current", "at", "same_content", "expected"),
    [
        # The stored stamp lies in the future: an older stamp is the real change, not stale.
        (stored(FUTURE), T0, False, "update"),
        (stored(FUTURE), T0, True, "update"),  # same content, but the stamp must come back
        (stored(FUTURE), FUTURE, True, "unchanged"),  # a re-read of the same version
        # Within the tolerance, a stamp ahead of the pass is clock skew and still believed.
        (stored(T0 + 30 * SEC), T0, False, "unchanged"),
    ],
)
def test_a_stored_stamp_from_the_future_cannot_hide_a_later_change(
        current: StoredVersion, at: datetime, same_content: bool, expected: str) -> None:
    new = item("a", at)
    digest = current.digest if same_content else item_digest(new)
    assert upsert_action(current, new, digest or "", T0) == expected
    # Without the time of the pass, the plain rules apply (a stale read).
    if at < (current.updated_at or at):
        assert upsert_action(current, new, digest or "") == "unchanged"


def test_a_version_stamped_in_the_future_does_not_outlive_its_deletion() -> None:
    deletion = DeletedRecord(id="a", deleted_at=T0 + SEC)
    assert deletion_applies(stored(FUTURE), deletion, T0 + SEC) is True
    assert deletion_applies(stored(FUTURE), deletion) is False
    assert deletion_applies(stored(T0 + 2 * SEC), deletion, T0 + SEC) is False


def test_a_failed_commit_leaves_neither_records_nor_state(
    mirror: SQLiteMirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = StreamKey(GB, "contacts")

    def crash(*args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(sqlite_mirror, "_save_state", crash)
    with pytest.raises(OSError, match="disk gone"):
        mirror.commit(key, state=StreamState(synced_until=T0), upserts=[item("a", T0)])
    monkeypatch.undo()
    assert mirror.count(GB, "contacts", include_deleted=True) == 0
    assert mirror.load_state(key) == StreamState()
    # The table created inside the rolled-back transaction is created again when needed.
    assert mirror.commit(key, state=StreamState(), upserts=[item("a", T0)]).inserted == 1


def test_unknown_resource_reads_as_empty_and_bad_names_are_refused(mirror: SQLiteMirror) -> None:
    assert mirror.count(GB, "journals") == 0
    assert list(mirror.records(GB, "journals")) == []
    assert mirror.get(GB, "journals", "x") is None
    for bad in ("sync_state", "change_events", "webhook_deliveries", "Contacts",
                "x; DROP TABLE sync_state", ""):
        with pytest.raises(ua.ConfigurationError):
            mirror.count(GB, bad)


def test_file_holds_one_table_per_resource_plus_sync_state_and_events(
    mirror: SQLiteMirror,
) -> None:
    for resource in ("contacts", "invoices"):
        mirror.commit(StreamKey(GB, resource), state=StreamState(), upserts=[item("a", T0)])
    with sqlite3.connect(mirror.path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master "
                                                 "WHERE type = 'table'")}
    assert tables == {"contacts", "invoices", "sync_state", "change_events", "webhook_endpoints",
                      "webhook_deliveries", "sqlite_sequence"}


def test_memory_database_is_refused() -> None:
    with pytest.raises(ua.ConfigurationError, match="file path"):
        SQLiteMirror(":memory:")


def test_load_mirror_finds_sqlite_through_its_entry_point(tmp_path: Path) -> None:
    mirror = load_mirror("sqlite", path=tmp_path / "m.sqlite3")
    assert isinstance(mirror, SQLiteMirror)
    assert isinstance(mirror, Mirror)
    mirror.close()
    with pytest.raises(ua.ConfigurationError, match=r"no mirror named 'nope'.*sqlite"):
        load_mirror("nope")


def test_connections_are_reused_across_runs_and_refused_after_close(tmp_path: Path) -> None:
    mirror = SQLiteMirror(tmp_path / "m.sqlite3")
    key = StreamKey(GB, "contacts")
    for _ in range(20):
        mirror.commit(key, state=StreamState(), upserts=[item("a", T0)])
        assert mirror.count(GB, "contacts") == 1
    assert mirror._pool.idle == 1
    mirror.close()
    with pytest.raises(ua.ConfigurationError, match="closed"):
        mirror.count(GB, "contacts")


@pytest.mark.parametrize("remote", [None, {"b": [1, 2], "a": {"z": "x", "y": None}}])
def test_the_digest_is_built_from_the_stored_text_yet_unchanged(
        remote: dict[str, object] | None) -> None:
    item = MirrorItem(id="1", updated_at=None, data={"name": "Acme", "amount": "1.00"},
                      remote_data=remote)
    text, digest = encode_item(item)
    assert json.loads(text) == item.data
    # Rows written before the text was reused keep the same fingerprint.
    before = json.dumps([item.data, item.remote_data], sort_keys=True, default=str)
    assert digest == hashlib.sha256(before.encode("utf-8")).hexdigest() == item_digest(item)


def test_record_tables_are_rowid_tables_and_a_without_rowid_file_still_works(
    tmp_path: Path,
) -> None:
    # Record rows are kilobytes of JSON: a rowid table stores them far more cheaply.
    older = tmp_path / "older.sqlite3"
    with sqlite3.connect(older) as conn:
        conn.execute(sqlite_mirror._RECORD_TABLE.format(table="contacts").rstrip()
                     + " WITHOUT ROWID")
    with SQLiteMirror(older) as opened:
        key = StreamKey(GB, "contacts")
        assert opened.commit(key, state=StreamState(), upserts=[item("a", T0)]).inserted == 1
        assert opened.commit(key, state=StreamState(),
                             upserts=[item("a", T0 + SEC, "Acme 2"), item("b", T0)]).updated == 1
        assert [(r.id, r.data["name"]) for r in opened.records(GB, "contacts")] == [
            ("a", "Acme 2"), ("b", "Acme")]
        opened.commit(StreamKey(GB, "invoices"), state=StreamState(), upserts=[item("a", T0)])
    with sqlite3.connect(older) as conn:
        layouts = dict(conn.execute("SELECT name, sql LIKE '%WITHOUT ROWID%' FROM sqlite_master "
                                    "WHERE name IN ('contacts', 'invoices')").fetchall())
    assert layouts == {"contacts": 1, "invoices": 0}
