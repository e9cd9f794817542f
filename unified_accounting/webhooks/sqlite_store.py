"""The webhook store of the SQLite mirror: the same file, the tables of ``events.sqlite_log``.

Claims take the write lock (``BEGIN IMMEDIATE``), so several delivery processes on one
machine never claim the same delivery while its lease runs. The file is private like the
mirror's (it holds the endpoints' secrets), and a locked, corrupt or unreadable file raises
:class:`~unified_accounting.errors.StoreUnavailableError` naming it.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from os import PathLike, fspath
from pathlib import Path

from unified_accounting.errors import ConfigurationError
from unified_accounting.events.sqlite_log import create_tables
from unified_accounting.sqlite_files import create_private_file, translated, translating
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

__all__ = ["SQLiteWebhookStore"]

_WHAT = "webhook store"
_speaks = translating(_WHAT)

# The oldest unfinished delivery of each (endpoint, record) lane that is due, of endpoints
# that are enabled.
_HEADS = """
SELECT d.endpoint_id, d.event_seq, d.attempts, e.url, e.secret, ev.id, ev.body
FROM webhook_deliveries d
JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.disabled_at IS NULL
JOIN change_events ev ON ev.seq = d.event_seq
WHERE d.state = 'pending' AND d.due_at <= ?
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                  WHERE p.endpoint_id = d.endpoint_id AND p.lane = d.lane
                    AND p.event_seq < d.event_seq AND p.state <> 'delivered')
ORDER BY d.due_at, d.event_seq LIMIT ?
"""


class SQLiteWebhookStore(WebhookStore):
    """Endpoints and deliveries in a SQLite mirror's file.

    Args:
        path: the mirror's file (created with the event tables if missing).
        busy_timeout: seconds to wait for another writer (a sync's commit) before failing.
        cipher: encrypts secrets at rest; by default the token store's key, if set.
    """

    def __init__(self, path: str | PathLike[str], *, busy_timeout: float = 30.0,
                 cipher: TokenCipher | None = None) -> None:
        super().__init__(cipher)
        if fspath(path) in ("", ":memory:"):
            raise ConfigurationError("the webhook store needs the mirror's file path")
        self.path = Path(path)
        create_private_file(self.path)
        self._lock = threading.Lock()
        with translated(_WHAT, self.path):
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None,
                                         check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            with self._write() as conn:
                create_tables(conn)

    def __repr__(self) -> str:
        return f"SQLiteWebhookStore({str(self.path)!r})"

    # -- endpoints ---------------------------------------------------------------------------

    @_speaks
    def _insert_endpoint(self, endpoint: Endpoint, sealed_secret: str) -> None:
        with self._write() as conn:
            conn.execute(
                f"INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                (endpoint.id, endpoint.url, sealed_secret, types_json(endpoint.event_types),
                 endpoint.connection, endpoint.description, endpoint.created_at))

    @_speaks
    def endpoints(self) -> list[Endpoint]:
        """Every endpoint, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints "  # noqa: S608
                "ORDER BY created_at, id").fetchall()
        return [self._endpoint_from_row(row) for row in rows]

    @_speaks
    def remove_endpoint(self, endpoint_id: str) -> bool:
        """Delete an endpoint and its deliveries; whether it existed."""
        with self._write() as conn:
            gone = conn.execute("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,))
            conn.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", (endpoint_id,))
            return gone.rowcount == 1

    @_speaks
    def set_disabled(self, endpoint_id: str, reason: str | None) -> bool:
        """Disable an endpoint (``reason``) or enable it (``None``); whether it exists."""
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ?",
                (None if reason is None else time.time(), reason, endpoint_id))
            return changed.rowcount == 1

    # -- deliveries --------------------------------------------------------------------------

    @_speaks
    def claim(self, limit: int, *, lease: float, now: float | None = None) -> list[ClaimedDelivery]:
        """Take up to ``limit`` due deliveries, each the oldest unfinished of its record."""
        at = time.time() if now is None else now
        claim, until = secrets.token_hex(8), at + lease
        with self._write() as conn:
            rows = conn.execute(_HEADS, (at, limit)).fetchall()
            conn.executemany(
                "UPDATE webhook_deliveries SET due_at = ?, claimed_by = ? "
                "WHERE endpoint_id = ? AND event_seq = ?",
                [(until, claim, row[0], row[1]) for row in rows])
        return self._claimed(rows, claim, until)

    @_speaks
    def finish(self, results: Sequence[tuple[ClaimedDelivery, Outcome]],
               *, now: float | None = None) -> None:
        """Save the outcome of claimed deliveries in one transaction."""
        at = time.time() if now is None else now
        with self._write() as conn:
            for delivery, outcome in results:
                statement, params = finish_statement("webhook_deliveries", delivery, outcome,
                                                     at, mark="?")
                conn.execute(statement, params)
                if outcome.disable_reason is not None:
                    conn.execute("UPDATE webhook_endpoints SET disabled_at = ?, "
                                 "disabled_reason = ? WHERE id = ?",
                                 (at, outcome.disable_reason, delivery.endpoint_id))

    @_speaks
    def deliveries(self, *, states: Sequence[DeliveryState] = ("failed",),
                   endpoint_id: str | None = None, with_errors: bool = False,
                   limit: int = 100) -> list[Delivery]:
        """Deliveries in ``states``, oldest event first; ``with_errors`` adds retrying ones."""
        where, params = delivery_filter(states, endpoint_id, with_errors, mark="?")
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d "  # noqa: S608
                f"JOIN change_events ev ON ev.seq = d.event_seq WHERE {where} "
                "ORDER BY d.event_seq LIMIT ?", (*params, limit)).fetchall()
        return [delivery_from_row(row) for row in rows]

    @_speaks
    def retry(self, *, endpoint_id: str | None = None,
              event_ids: Sequence[str] | None = None, now: float | None = None) -> int:
        """Queue failed deliveries again (all, one endpoint's, or some events'); how many."""
        where, params = retry_filter(endpoint_id, event_ids, mark="?",
                                     events_table="change_events")
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, due_at = ?, "  # noqa: S608
                f"claimed_by = NULL WHERE {where}", [time.time() if now is None else now, *params])
            return changed.rowcount

    @_speaks
    def counts(self) -> dict[str, dict[str, int]]:
        """Deliveries per endpoint id and state."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT endpoint_id, state, count(*) FROM webhook_deliveries "
                "GROUP BY endpoint_id, state").fetchall()
        found: dict[str, dict[str, int]] = {}
        for endpoint_id, state, number in rows:
            found.setdefault(endpoint_id, {})[state] = number
        return found

    @_speaks
    def prune(self, *, older_than: float) -> int:
        """Delete deliveries delivered before ``older_than`` and events left without any."""
        with self._write() as conn:
            gone = conn.execute("DELETE FROM webhook_deliveries WHERE state = 'delivered' "
                                "AND delivered_at < ?", (older_than,)).rowcount
            conn.execute("DELETE FROM change_events WHERE NOT EXISTS (SELECT 1 FROM "
                         "webhook_deliveries d WHERE d.event_seq = change_events.seq)")
            return gone

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    # -- plumbing ----------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

