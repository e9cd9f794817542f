"""The sandbox's state: records per business and collection, deletions, and metadata.

Records are kept as the JSON objects a GET returns, in insertion order, so a list page is a
slice. Handlers mutate a record in place and then call :meth:`Store.save` so the optional
SQLite file stays in step. The caller (the core) serialises access with one lock.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    business TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (business, collection, id));
CREATE TABLE IF NOT EXISTS deletions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, business TEXT NOT NULL, collection TEXT NOT NULL,
    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


@dataclass
class Collection:
    """One business's records of one type, in insertion order."""

    by_id: dict[str, Record] = field(default_factory=dict)
    version: int = 0
    _ordered: list[Record] | None = None

    def ordered(self) -> list[Record]:
        """The records in insertion order (cached until a record is added or removed)."""
        if self._ordered is None:
            self._ordered = list(self.by_id.values())
        return self._ordered

    def changed(self, structural: bool) -> None:
        """Note a change; structural changes (add/remove) drop the ordered cache."""
        self.version += 1
        if structural:
            self._ordered = None


class Store:
    """All records, deletion logs and metadata; optionally mirrored to a SQLite file.

    Args:
        db_path: SQLite file; its content is loaded on start. None keeps state in memory.
    """

    def __init__(self, db_path: str | None = None) -> None:
        self._collections: dict[tuple[str, str], Collection] = {}
        self._deleted: dict[tuple[str, str], list[Record]] = {}
        self._meta: dict[str, Any] = {}
        self._db: sqlite3.Connection | None = None
        self._batch_depth = 0
        if db_path is not None:
            self._db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
            self._db.executescript(_SCHEMA)
            self._load()

    def close(self) -> None:
        """Close the SQLite file, if any."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def collection(self, business: str, name: str) -> Collection:
        """The collection of one business, created empty on first use."""
        key = (business, name)
        found = self._collections.get(key)
        if found is None:
            found = self._collections[key] = Collection()
        return found

    def get(self, business: str, name: str, record_id: str) -> Record | None:
        """One record by id, or None."""
        return self.collection(business, name).by_id.get(record_id)

    def insert(self, business: str, name: str, record: Record) -> Record:
        """Add a new record (its ``id`` must be unique in the collection)."""
        coll = self.collection(business, name)
        coll.by_id[record["id"]] = record
        coll.changed(structural=True)
        self._write_record(business, name, record)
        return record

    def save(self, business: str, name: str, record: Record) -> None:
        """Persist a record that a handler changed in place."""
        self.collection(business, name).changed(structural=False)
        self._write_record(business, name, record)

    def remove(self, business: str, name: str, record_id: str, tombstone: Record) -> None:
        """Delete a record and log ``tombstone`` for ``deleted_since`` reads."""
        coll = self.collection(business, name)
        coll.by_id.pop(record_id, None)
        coll.changed(structural=True)
        self._deleted.setdefault((business, name), []).append(tombstone)
        if self._db is not None:
            self._execute(
                "DELETE FROM records WHERE business=? AND collection=? AND id=?",
                (business, name, record_id),
            )
            self._execute(
                "INSERT INTO deletions (business, collection, body) VALUES (?,?,?)",
                (business, name, json.dumps(tombstone)),
            )

    def deletions(self, business: str, name: str) -> list[Record]:
        """Tombstones of deleted records, oldest first."""
        return self._deleted.get((business, name), [])

    def count(self, business: str, name: str) -> int:
        """How many live records a collection holds."""
        return len(self.collection(business, name).by_id)

    def counts(self) -> dict[str, dict[str, int]]:
        """Live record counts per business and collection."""
        result: dict[str, dict[str, int]] = {}
        for (business, name), coll in self._collections.items():
            result.setdefault(business, {})[name] = len(coll.by_id)
        return result

    def meta(self, key: str, default: Any = None) -> Any:
        """A metadata value (sequences, OAuth state, idempotency entries)."""
        return self._meta.get(key, default)

    def set_meta(self, key: str, value: Any) -> None:
        """Set a JSON-serialisable metadata value."""
        self._meta[key] = value
        if self._db is not None:
            self._execute(
                "INSERT INTO meta (key, body) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET body=excluded.body",
                (key, json.dumps(value)),
            )

    def next_number(self, key: str) -> int:
        """Increment and return a per-key sequence (invoice numbers)."""
        value = int(self.meta(key, 0)) + 1
        self.set_meta(key, value)
        return value

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into one SQLite transaction (bulk seeding)."""
        if self._db is None:
            yield
            return
        if self._batch_depth == 0:
            self._db.execute("BEGIN")
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self._db.execute("COMMIT")

    def _write_record(self, business: str, name: str, record: Record) -> None:
        if self._db is None:
            return
        # Upsert keeps the original rowid, so reloading preserves insertion order.
        self._execute(
            "INSERT INTO records (business, collection, id, body) VALUES (?,?,?,?) "
            "ON CONFLICT(business, collection, id) DO UPDATE SET body=excluded.body",
            (business, name, record["id"], json.dumps(record)),
        )

    def _execute(self, sql: str, params: tuple[Any, ...]) -> None:
        assert self._db is not None
        self._db.execute(sql, params)

    def _load(self) -> None:
        assert self._db is not None
        rows = self._db.execute("SELECT business, collection, body FROM records ORDER BY rowid")
        for business, name, body in rows:
            record = json.loads(body)
            self.collection(business, name).by_id[record["id"]] = record
        rows = self._db.execute("SELECT business, collection, body FROM deletions ORDER BY seq")
        for business, name, body in rows:
            self._deleted.setdefault((business, name), []).append(json.loads(body))
        for key, body in self._db.execute("SELECT key, body FROM meta"):
            self._meta[key] = json.loads(body)
