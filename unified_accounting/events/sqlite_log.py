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

    Returns:
        How many deliveries were queued.
    """
    due = time.time() if now is None else now
    deliveries: list[tuple[str, int, str, float]] = []
    for event in events:
        wanting = [s.endpoint_id for s in subscribed if s.wants(event)]
        if not wanting:
            continue
        cursor = conn.execute(
            "INSERT OR IGNORE INTO change_events (id, type, provider, connection, business_id, "
            "resource, record_id, lane, occurred_at, detected_at, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event.id, event.type, event.provider, event.connection, event.business_id,
             event.resource, event.record_id, event.lane, event.occurred_at.isoformat(),
             event.detected_at.isoformat(), event.body),
        )
        if cursor.rowcount != 1 or cursor.lastrowid is None:
            continue  # this very change was recorded before: its deliveries exist already
        deliveries.extend((endpoint, cursor.lastrowid, event.lane, due) for endpoint in wanting)
    conn.executemany(
        "INSERT INTO webhook_deliveries (endpoint_id, event_seq, lane, due_at) "
        "VALUES (?, ?, ?, ?)", deliveries)
    return len(deliveries)
