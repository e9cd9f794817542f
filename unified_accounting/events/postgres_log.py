"""The change-event tables of the PostgreSQL mirror, written inside the mirror's own commits.

The same three tables as the SQLite mirror's (see :mod:`unified_accounting.events.sqlite_log`)
in the mirror's schema, created by the mirror's migration 3. ``change_events.seq`` comes from
a sequence: two streams committing at once may commit their events out of ``seq`` order, but
one record's events are written by one stream, one commit after the other, so the order that
matters (per record) is the order of ``seq``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from unified_accounting.events.model import ChangeEvent, ChangeListener, Subscription
from unified_accounting.events.recorder import ChangeRecorder, DataFetcher

if TYPE_CHECKING:
    import psycopg

__all__ = ["MIGRATION_STATEMENTS", "open_recorder", "subscriptions", "write_events"]

MIGRATION_STATEMENTS: tuple[str, ...] = (
    """CREATE TABLE {schema}.webhook_endpoints (
        id text PRIMARY KEY, url text NOT NULL, secret text NOT NULL,
        event_types jsonb NOT NULL DEFAULT '[]', connection text, description text,
        created_at double precision NOT NULL, disabled_at double precision,
        disabled_reason text)""",
    """CREATE TABLE {schema}.change_events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id text NOT NULL UNIQUE,
        type text NOT NULL, provider text NOT NULL, connection text NOT NULL,
        business_id text NOT NULL, resource text NOT NULL, record_id text NOT NULL,
        lane text NOT NULL, occurred_at timestamptz NOT NULL, detected_at timestamptz NOT NULL,
        body text NOT NULL)""",
    """CREATE TABLE {schema}.webhook_deliveries (
        endpoint_id text NOT NULL, event_seq bigint NOT NULL, lane text NOT NULL,
        state text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0,
        due_at double precision NOT NULL, claimed_by text, last_status integer,
        last_error text, last_attempt_at double precision, delivered_at double precision,
        PRIMARY KEY (endpoint_id, event_seq))""",
    """CREATE INDEX webhook_deliveries_lane
        ON {schema}.webhook_deliveries (endpoint_id, lane, event_seq)""",
    """CREATE INDEX webhook_deliveries_due
        ON {schema}.webhook_deliveries (due_at, event_seq) WHERE state = 'pending'""",
)


def subscriptions(conn: psycopg.Connection[Any], schema: str) -> list[Subscription]:
    """The endpoints that receive new events; ``schema`` is already quoted."""
    rows = conn.execute(
        f"SELECT id, event_types, connection FROM {schema}.webhook_endpoints "  # noqa: S608
        "WHERE disabled_at IS NULL"
    ).fetchall()
    return [Subscription(endpoint_id, tuple(types), connection)
            for endpoint_id, types, connection in rows]


def open_recorder(
    conn: psycopg.Connection[Any], schema: str, *, provider: str, connection: str,
    business_id: str, resource: str, listener: ChangeListener | None, fetch_data: DataFetcher,
) -> ChangeRecorder | None:
    """A recorder for one commit, or ``None`` when nobody listens (the common, cheap case)."""
    subscribed = subscriptions(conn, schema)
    if not subscribed and listener is None:
        return None

    def sink(events: Sequence[ChangeEvent]) -> None:
        write_events(conn, schema, events, subscribed)

    return ChangeRecorder(provider=provider, connection=connection, business_id=business_id,
                          resource=resource, listener=listener,
                          sink=sink if subscribed else None, fetch_data=fetch_data)


def write_events(conn: psycopg.Connection[Any], schema: str, events: Sequence[ChangeEvent],
                 subscribed: Sequence[Subscription], *, now: float | None = None) -> int:
    """Insert the events some endpoint wants and one pending delivery per such endpoint.

    Returns:
        How many deliveries were queued.
    """
    wanted = {event.id: [s.endpoint_id for s in subscribed if s.wants(event)]
              for event in events}
    chosen = [event for event in events if wanted[event.id]]
    if not chosen:
        return 0
    columns = list(zip(*[
        (e.id, e.type, e.provider, e.connection, e.business_id, e.resource, e.record_id,
         e.lane, e.occurred_at, e.detected_at, e.body) for e in chosen], strict=True))
    # One statement for the page; an id already recorded (the same change again) is skipped
    # and gets no second set of deliveries.
    inserted = conn.execute(
        f"INSERT INTO {schema}.change_events (id, type, provider, connection, "  # noqa: S608
        "business_id, resource, record_id, lane, occurred_at, detected_at, body) "
        "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
        "%s::text[], %s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[], %s::text[]) "
        "ON CONFLICT (id) DO NOTHING RETURNING id, seq",
        [list(column) for column in columns],
    ).fetchall()
    due = time.time() if now is None else now
    lanes = {e.id: e.lane for e in chosen}
    rows = [(endpoint, seq, lanes[event_id], due)
            for event_id, seq in inserted for endpoint in wanted[event_id]]
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {schema}.webhook_deliveries (endpoint_id, event_seq, lane, due_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)", rows)
    return len(rows)

