"""The change-event tables of the SQLite mirror, written inside the mirror's own commits.

Three tables live in the mirror's file, beside the record tables:

- ``webhook_endpoints``: the registered URLs, their signing secrets and what they want;
- ``change_events``: one row per event, numbered in the order the events were committed
  (``seq``), with the exact JSON body every delivery of the event sends;
- ``webhook_deliveries``: one row per (endpoint, event) with its state (``pending``,
  ``delivered``, ``failed``), attempts, the time it is next due and the last error.

Events and deliveries are inserted in the transaction that commits the page they describe, so
a crash never leaves a committed change without its event, nor an event without its change.
An event id already in the table (the same change recorded again) is not inserted twice.
When no endpoint is registered nothing is written: the commit costs one indexed read.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence

from unified_accounting.events.model import ChangeEvent, ChangeListener, Subscription
from unified_accounting.events.recorder import ChangeRecorder, DataFetcher

__all__ = ["SCHEMA", "TABLES", "create_tables", "open_recorder", "subscriptions", "write_events"]

TABLES = ("webhook_endpoints", "change_events", "webhook_deliveries")
"""The tables this module adds to a mirror's file (no resource may take these names)."""

SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS webhook_endpoints (
        id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL,
        event_types TEXT NOT NULL DEFAULT '[]', connection TEXT, description TEXT,
        created_at REAL NOT NULL, disabled_at REAL, disabled_reason TEXT)""",
    """CREATE TABLE IF NOT EXISTS change_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
        provider TEXT NOT NULL, connection TEXT NOT NULL, business_id TEXT NOT NULL,
        resource TEXT NOT NULL, record_id TEXT NOT NULL, lane TEXT NOT NULL,
        occurred_at TEXT NOT NULL, detected_at TEXT NOT NULL, body TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS webhook_deliveries (
        endpoint_id TEXT NOT NULL, event_seq INTEGER NOT NULL, lane TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
        due_at REAL NOT NULL, claimed_by TEXT, last_status INTEGER, last_error TEXT,
        last_attempt_at REAL, delivered_at REAL,
        PRIMARY KEY (endpoint_id, event_seq)) WITHOUT ROWID""",
    """CREATE INDEX IF NOT EXISTS webhook_deliveries_lane
        ON webhook_deliveries (endpoint_id, lane, event_seq)""",
    """CREATE INDEX IF NOT EXISTS webhook_deliveries_due
        ON webhook_deliveries (due_at, event_seq) WHERE state = 'pending'""",
)


def create_tables(conn: sqlite3.Connection) -> None:
    """Create the event tables if missing (inside the caller's transaction)."""
    for statement in SCHEMA:
        conn.execute(statement)


def subscriptions(conn: sqlite3.Connection) -> list[Subscription]:
    """The endpoints that receive new events (every endpoint not disabled)."""
    rows = conn.execute(
        "SELECT id, event_types, connection FROM webhook_endpoints WHERE disabled_at IS NULL"
    ).fetchall()
    return [Subscription(endpoint_id, tuple(json.loads(types)), connection)
            for endpoint_id, types, connection in rows]


def open_recorder(
    conn: sqlite3.Connection, *, provider: str, connection: str, business_id: str,
    resource: str, listener: ChangeListener | None, fetch_data: DataFetcher,
) -> ChangeRecorder | None:
    """A recorder for one commit, or ``None`` when nobody listens (the common, cheap case)."""
    subscribed = subscriptions(conn)
    if not subscribed and listener is None:
        return None

    def sink(events: Sequence[ChangeEvent]) -> None:
        write_events(conn, events, subscribed)

    return ChangeRecorder(provider=provider, connection=connection, business_id=business_id,
                          resource=resource, listener=listener,
                          sink=sink if subscribed else None, fetch_data=fetch_data)


def write_events(conn: sqlite3.Connection, events: Sequence[ChangeEvent],
                 subscribed: Sequence[Subscription], *, now: float | None = None) -> int:
    """Insert the events some endpoint wants and one pending delivery per such endpoint.

    An event whose id is already in the table (this very change, recorded before) is left
    out, with its deliveries: they exist already.

    Returns:
        How many deliveries were queued.
    """
    wanted = {event.id: [s.endpoint_id for s in subscribed if s.wants(event)]
              for event in events}
    known = _known_ids(conn, [event_id for event_id, endpoints in wanted.items() if endpoints])
    fresh = [e for e in events if wanted[e.id] and e.id not in known]
    conn.executemany(
        "INSERT OR IGNORE INTO change_events (id, type, provider, connection, business_id, "
        "resource, record_id, lane, occurred_at, detected_at, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(e.id, e.type, e.provider, e.connection, e.business_id, e.resource, e.record_id,
          e.lane, e.occurred_at.isoformat(), e.detected_at.isoformat(), e.body)
         for e in fresh])
    seqs = _seqs(conn, [e.id for e in fresh])
    due = time.time() if now is None else now
    deliveries = [(endpoint, seqs[e.id], e.lane, due) for e in fresh for endpoint in wanted[e.id]]
    conn.executemany(
        "INSERT INTO webhook_deliveries (endpoint_id, event_seq, lane, due_at) "
        "VALUES (?, ?, ?, ?)", deliveries)
    return len(deliveries)


def _known_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    return set(_seqs(conn, ids))


def _seqs(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(ids), 500):  # well under SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        found.update(conn.execute(
            f"SELECT id, seq FROM change_events WHERE id IN ({marks})",  # noqa: S608
            chunk).fetchall())
    return found
