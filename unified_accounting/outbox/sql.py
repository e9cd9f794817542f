"""The SQL both shipped stores run (``%s`` placeholders; SQLite's are swapped for ``?``).

One table, ``outbox_items``; ``seq`` is the order of every queue. The claim's *head* rule:
an item may be sent only while no earlier item of its queue is queued, sending or dead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from unified_accounting.errors import ConflictError
from unified_accounting.outbox.items import (
    HOLDING_STATUSES,
    NewItem,
    OutboxItem,
    Queue,
    Status,
)
from unified_accounting.outbox.outcomes import ItemOutcome

__all__ = [
    "CLAIM_SELECT",
    "COLUMNS",
    "FINISH",
    "INSERT",
    "RENEW",
    "RESET",
    "TAKE",
    "cancelled_state",
    "finish_params",
    "insert_params",
    "item_from_row",
    "listing",
    "retried_state",
]

COLUMNS = (
    "seq, id, provider, connection, business_id, resource, action, target_id, payload, "
    "options, refs, idempotency_key, status, attempts, failures, not_before, lease_owner, "
    "lease_until, provider_id, result, error, created_at, updated_at, delivered_at"
)
_HOLDING = ", ".join(f"'{status}'" for status in HOLDING_STATUSES)

INSERT = (
    "INSERT INTO {table} (id, provider, connection, business_id, resource, action, target_id, "  # noqa: S608
    "payload, options, refs, idempotency_key, status, not_before, created_at, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'queued', 0, %s, %s) "
    f"RETURNING {COLUMNS}"
)

#: Due items, oldest not-before first; each must be the head of its queue.
CLAIM_SELECT = (
    "SELECT i.seq FROM {table} AS i "  # noqa: S608
    "WHERE i.status IN ('queued', 'sending') AND i.not_before <= %s "
    "AND (i.status = 'queued' OR i.lease_until <= %s) "
    "AND i.seq = (SELECT min(e.seq) FROM {table} AS e WHERE e.provider = i.provider "
    "AND e.connection = i.connection AND e.business_id = i.business_id "
    f"AND e.status IN ({_HOLDING})) "
    "ORDER BY i.not_before, i.seq LIMIT 1"
)

TAKE = (
    "UPDATE {table} SET status = 'sending', lease_owner = %s, lease_until = %s, "  # noqa: S608
    "attempts = attempts + 1, updated_at = %s WHERE seq = %s "
    f"RETURNING {COLUMNS}"
)

RENEW = (
    "UPDATE {table} SET lease_until = %s WHERE id = %s AND status = 'sending' "
    "AND lease_owner = %s"
)

FINISH = (
    "UPDATE {table} SET status = %s, failures = failures + %s, "
    "not_before = coalesce(%s, not_before), lease_owner = NULL, lease_until = NULL, "
    "provider_id = coalesce(%s, provider_id), result = %s, error = %s, updated_at = %s, "
    "delivered_at = %s WHERE id = %s AND status = 'sending' AND lease_owner = %s"
)

#: An operator's retry or cancel: status, failures, not-before, time, seq.
RESET = (
    "UPDATE {table} SET status = %s, failures = %s, not_before = %s, lease_owner = NULL, "  # noqa: S608
    f"lease_until = NULL, updated_at = %s WHERE seq = %s RETURNING {COLUMNS}"
)


def retried_state(item: OutboxItem, now: float) -> tuple[Status, int, float]:
    """Status, failures and not-before of an item an operator sends again.

    Raises:
        ConflictError: it is delivered, or a worker is sending it.
    """
    if item.status == "delivered":
        raise ConflictError(f"{item.id} is delivered (as {item.provider_id}); nothing to retry")
    if item.status == "sending" and (item.lease_until or 0.0) > now:
        raise ConflictError(f"{item.id} is being sent by {item.lease_owner}")
    failures = item.failures if item.status == "queued" else 0
    return "queued", failures, now


def cancelled_state(item: OutboxItem, now: float) -> tuple[Status, int, float]:
    """Status, failures and not-before of an item an operator gives up on.

    Raises:
        ConflictError: it is delivered or cancelled, or a worker is sending it.
    """
    if item.status in ("delivered", "cancelled"):
        raise ConflictError(f"{item.id} is {item.status}; it cannot be cancelled")
    if item.status == "sending" and (item.lease_until or 0.0) > now:
        raise ConflictError(f"{item.id} is being sent by {item.lease_owner}; cancel it "
                            "when that attempt has ended")
    return "cancelled", item.failures, item.not_before


def insert_params(item: NewItem, dumps: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The parameters of :data:`INSERT` for one new item."""
    queue = item.queue
    return (item.id, queue.provider, queue.connection, queue.business_id, item.resource,
            item.action, item.target_id, dumps(item.payload), dumps(dict(item.options)),
            dumps(list(item.references)), item.idempotency_key, item.created_at,
            item.created_at)


def finish_params(item_id: str, owner: str, outcome: ItemOutcome, now: float,
                  dumps: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The parameters of :data:`FINISH` for one outcome."""
    is_delivered = outcome.status == "delivered"
    return (
        outcome.status, int(outcome.counted),
        outcome.not_before if outcome.status == "queued" else None,
        outcome.provider_id, dumps(outcome.result) if is_delivered else None,
        None if outcome.error is None else dumps(dict(outcome.error)), now,
        now if is_delivered else None, item_id, owner,
    )


def listing(table: str, *, status: Status | None, queue: Queue | None,
            connection: str | None, after_seq: int, limit: int) -> tuple[str, list[Any]]:
    """A filtered listing in queue order: the query and its parameters."""
    where: list[str] = ["seq > %s"]
    params: list[Any] = [after_seq]
    if status is not None:
        where.append("status = %s")
        params.append(status)
    if queue is not None:
        where.append("provider = %s AND connection = %s AND business_id = %s")
        params += [queue.provider, queue.connection, queue.business_id]
    if connection is not None:
        where.append("connection = %s")
        params.append(connection)
    params.append(limit)
    return (f"SELECT {COLUMNS} FROM {table} WHERE {' AND '.join(where)} "  # noqa: S608
            "ORDER BY seq LIMIT %s", params)


def item_from_row(row: Sequence[Any], loads: Callable[[Any], Any]) -> OutboxItem:
    """An item from a row of :data:`COLUMNS` (``loads`` reads a JSON column)."""
    (seq, item_id, provider, connection, business_id, resource, action, target_id, payload,
     options, refs, key, status, attempts, failures, not_before, lease_owner, lease_until,
     provider_id, result, error, created_at, updated_at, delivered_at) = row
    return OutboxItem(
        id=item_id, seq=int(seq), queue=Queue(provider, connection, business_id),
        resource=resource, action=action, target_id=target_id, payload=loads(payload),
        options=loads(options) or {}, references=tuple(loads(refs) or ()),
        idempotency_key=key, status=status, attempts=int(attempts), failures=int(failures),
        not_before=float(not_before), lease_owner=lease_owner,
        lease_until=None if lease_until is None else float(lease_until),
        provider_id=provider_id, result=loads(result), error=loads(error),
        created_at=float(created_at), updated_at=float(updated_at),
        delivered_at=None if delivered_at is None else float(delivered_at),
    )


def json_text(value: Any) -> str | None:
    """A JSON column's text (SQLite); ``None`` stays SQL NULL."""
    return None if value is None else json.dumps(value, sort_keys=True)


def json_value(text: Any) -> Any:
    """A JSON column read back from text (SQLite)."""
    return None if text is None else json.loads(text)
