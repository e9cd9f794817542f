"""The webhook store of the PostgreSQL mirror: its schema, the tables of migration 3.

Claims lock the rows they take (``FOR UPDATE SKIP LOCKED``) and move them past the lease in
the same statement, so any number of workers on any number of machines claim each due
delivery once. Needs the ``postgres`` extra.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from typing import Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from unified_accounting.syncing.postgres_migrations import migrate, quoted_schema
from unified_accounting.tokens.crypto import TokenCipher
from unified_accounting.webhooks.store import (
    DELIVERY_COLUMNS,
    ENDPOINT_COLUMNS,
    ClaimedDelivery,
    Delivery,
    DeliveryState,
    Endpoint,
    Outcome,
    WebhookStore,
    delivery_filter,
    delivery_from_row,
    finish_statement,
    retry_filter,
    types_json,
)

__all__ = ["PostgresWebhookStore"]

_CLAIM = """
WITH heads AS (
  SELECT d.endpoint_id, d.event_seq FROM {s}.webhook_deliveries d
  JOIN {s}.webhook_endpoints e ON e.id = d.endpoint_id AND e.disabled_at IS NULL
  WHERE d.state = 'pending' AND d.due_at <= %(now)s
    AND NOT EXISTS (SELECT 1 FROM {s}.webhook_deliveries p
                    WHERE p.endpoint_id = d.endpoint_id AND p.lane = d.lane
                      AND p.event_seq < d.event_seq AND p.state <> 'delivered')
  ORDER BY d.due_at, d.event_seq LIMIT %(limit)s
  FOR UPDATE OF d SKIP LOCKED)
UPDATE {s}.webhook_deliveries w SET due_at = %(until)s, claimed_by = %(claim)s
FROM heads, {s}.webhook_endpoints e, {s}.change_events ev
WHERE w.endpoint_id = heads.endpoint_id AND w.event_seq = heads.event_seq
  AND e.id = w.endpoint_id AND ev.seq = w.event_seq
RETURNING w.endpoint_id, w.event_seq, w.attempts, e.url, e.secret, ev.id, ev.body
"""


class PostgresWebhookStore(WebhookStore):
    """Endpoints and deliveries in a PostgreSQL mirror's schema.

    Args:
        dsn: the mirror's connection string or URL.
        schema: the mirror's schema (migrated to the latest version when opened).
        cipher: encrypts secrets at rest; by default the token store's key, if set.
    """

    def __init__(self, dsn: str, *, schema: str = "unified_accounting",
                 cipher: TokenCipher | None = None) -> None:
        super().__init__(cipher)
        import psycopg

        self.schema = schema
        self._s = quoted_schema(schema)
        self._conn = psycopg.connect(dsn, autocommit=True)
        try:
            migrate(self._conn, schema)
        except BaseException:
            self._conn.close()
            raise

    @classmethod
    def from_url(cls, url: str) -> Self:
        """Open ``postgresql://...[?schema=name]`` (other parameters go to libpq)."""
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = dict(query).get("schema", "unified_accounting")
        rest = urlencode([(k, v) for k, v in query if k not in ("schema", "max_size")])
        return cls(urlunsplit(parts._replace(query=rest)), schema=schema)

    def __repr__(self) -> str:
        # The connection string may hold a password: show only the schema.
        return f"PostgresWebhookStore(schema={self.schema!r})"

    # -- endpoints ---------------------------------------------------------------------------

    def _insert_endpoint(self, endpoint: Endpoint, sealed_secret: str) -> None:
        self._conn.execute(
            f"INSERT INTO {self._s}.webhook_endpoints ({ENDPOINT_COLUMNS}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s::jsonb, %s, %s, %s, NULL, NULL)",
            (endpoint.id, endpoint.url, sealed_secret, types_json(endpoint.event_types),
             endpoint.connection, endpoint.description, endpoint.created_at))

    def endpoints(self) -> list[Endpoint]:
        """Every endpoint, oldest first."""
        rows = self._conn.execute(
            f"SELECT {ENDPOINT_COLUMNS} FROM {self._s}.webhook_endpoints "  # noqa: S608
            "ORDER BY created_at, id").fetchall()
        return [self._endpoint_from_row(row) for row in rows]

    def remove_endpoint(self, endpoint_id: str) -> bool:
        """Delete an endpoint and its deliveries; whether it existed."""
        with self._conn.transaction():
            gone = self._conn.execute(
                f"DELETE FROM {self._s}.webhook_endpoints WHERE id = %s",  # noqa: S608
                (endpoint_id,)).rowcount
            self._conn.execute(
                f"DELETE FROM {self._s}.webhook_deliveries WHERE endpoint_id = %s",  # noqa: S608
                (endpoint_id,))
        return gone == 1

    def set_disabled(self, endpoint_id: str, reason: str | None) -> bool:
        """Disable an endpoint (``reason``) or enable it (``None``); whether it exists."""
        changed = self._conn.execute(
            f"UPDATE {self._s}.webhook_endpoints SET disabled_at = %s, "  # noqa: S608
            "disabled_reason = %s WHERE id = %s",
            (None if reason is None else time.time(), reason, endpoint_id)).rowcount
        return changed == 1

    # -- deliveries --------------------------------------------------------------------------

    def claim(self, limit: int, *, lease: float, now: float | None = None) -> list[ClaimedDelivery]:
        """Take up to ``limit`` due deliveries, each the oldest unfinished of its record."""
        at = time.time() if now is None else now
        claim, until = secrets.token_hex(8), at + lease
        rows = self._conn.execute(
            _CLAIM.format(s=self._s),
            {"now": at, "limit": limit, "until": until, "claim": claim}).fetchall()
        rows.sort(key=lambda row: row[1])
        return self._claimed(rows, claim, until)

    def finish(self, results: Sequence[tuple[ClaimedDelivery, Outcome]],
               *, now: float | None = None) -> None:
        """Save the outcome of claimed deliveries in one transaction."""
        at = time.time() if now is None else now
        table = f"{self._s}.webhook_deliveries"
        with self._conn.transaction():
            for delivery, outcome in results:
                statement, params = finish_statement(table, delivery, outcome, at, mark="%s")
                self._conn.execute(statement, params)
                if outcome.disable_reason is not None:
                    self.set_disabled(delivery.endpoint_id, outcome.disable_reason)

    def deliveries(self, *, states: Sequence[DeliveryState] = ("failed",),
                   endpoint_id: str | None = None, with_errors: bool = False,
                   limit: int = 100) -> list[Delivery]:
        """Deliveries in ``states``, oldest event first; ``with_errors`` adds retrying ones."""
        where, params = delivery_filter(states, endpoint_id, with_errors, mark="%s")
        rows = self._conn.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM {self._s}.webhook_deliveries d "  # noqa: S608
            f"JOIN {self._s}.change_events ev ON ev.seq = d.event_seq WHERE {where} "
            "ORDER BY d.event_seq LIMIT %s", (*params, limit)).fetchall()
        return [delivery_from_row(row) for row in rows]

    def retry(self, *, endpoint_id: str | None = None,
              event_ids: Sequence[str] | None = None, now: float | None = None) -> int:
        """Queue failed deliveries again (all, one endpoint's, or some events'); how many."""
        where, params = retry_filter(endpoint_id, event_ids, mark="%s",
                                     events_table=f"{self._s}.change_events")
        return int(self._conn.execute(
            f"UPDATE {self._s}.webhook_deliveries SET state = 'pending', attempts = 0, "  # noqa: S608
            f"due_at = %s, claimed_by = NULL WHERE {where}",
            [time.time() if now is None else now, *params]).rowcount)

    def counts(self) -> dict[str, dict[str, int]]:
        """Deliveries per endpoint id and state."""
        rows = self._conn.execute(
            f"SELECT endpoint_id, state, count(*) FROM {self._s}.webhook_deliveries "  # noqa: S608
            "GROUP BY endpoint_id, state").fetchall()
        found: dict[str, dict[str, int]] = {}
        for endpoint_id, state, number in rows:
            found.setdefault(endpoint_id, {})[state] = int(number)
        return found

    def prune(self, *, older_than: float) -> int:
        """Delete deliveries delivered before ``older_than`` and events left without any."""
        with self._conn.transaction():
            gone = self._conn.execute(
                f"DELETE FROM {self._s}.webhook_deliveries WHERE state = 'delivered' "  # noqa: S608
                "AND delivered_at < %s", (older_than,)).rowcount
            self._conn.execute(
                f"DELETE FROM {self._s}.change_events ev WHERE NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {self._s}.webhook_deliveries d WHERE d.event_seq = ev.seq)")
        return int(gone)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

