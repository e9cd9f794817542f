"""What the outbox holds: queued writes, their states, and references between them.

An item is one create, update or delete of a unified resource for one (provider, connection,
business): its *queue*. Items of a queue are delivered in the order they were enqueued. A
later write may name the record an earlier one creates before it exists, by the earlier
item's outbox id: ``contact_id=OutboxRef("ob_...")`` or the text ``"outbox:ob_..."`` (the
same thing); the reference is replaced by the provider's id at delivery.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "ACTIONS",
    "FINAL_STATUSES",
    "HOLDING_STATUSES",
    "REFERENCE_PREFIX",
    "STATUSES",
    "Action",
    "NewItem",
    "OutboxItem",
    "OutboxRef",
    "Queue",
    "Status",
    "new_item_id",
    "outbox_id_of",
]

Status = Literal["queued", "sending", "delivered", "failed", "dead", "cancelled"]
Action = Literal["create", "update", "delete"]

STATUSES: tuple[Status, ...] = ("queued", "sending", "delivered", "failed", "dead", "cancelled")
ACTIONS: tuple[Action, ...] = ("create", "update", "delete")
#: States that keep the later items of their queue waiting: not yet delivered, or dead (an
#: operator decides: ``retry`` sends it again, ``cancel`` lets the queue go on without it).
HOLDING_STATUSES: tuple[Status, ...] = ("queued", "sending", "dead")
#: States an item leaves only by an operator's ``retry``.
FINAL_STATUSES: tuple[Status, ...] = ("delivered", "failed", "dead", "cancelled")

REFERENCE_PREFIX = "outbox:"
_ID = re.compile(r"^ob_[0-9a-f]{20}$")
_REFERENCE = re.compile(r"^outbox:(ob_[0-9a-f]{20})$")


def new_item_id() -> str:
    """A fresh outbox id: ``ob_`` and 20 random hex characters."""
    return f"ob_{secrets.token_hex(10)}"


def outbox_id_of(value: object) -> str | None:
    """The outbox id a value refers to (``"outbox:ob_..."``), or ``None`` for any other value."""
    if isinstance(value, str) and value.startswith(REFERENCE_PREFIX):
        match = _REFERENCE.match(value)
        return match.group(1) if match else None
    return None


class OutboxRef(str):
    """The provider id an earlier outbox item's record will have, written ``outbox:ob_...``.

    It is a ``str``, so it fits any id field of a model (``contact_id``, ``invoice_id``,
    ``account_id``, ...) and the id of an update or delete::

        contact = client.outbox.create(ua.Contact(name="Northwind", is_customer=True))
        client.outbox.create(ua.Invoice(contact_id=ua.OutboxRef(contact), ...))

    Raises:
        ValueError: ``outbox_id`` is not an outbox id.
    """

    def __new__(cls, outbox_id: str) -> OutboxRef:
        bare = outbox_id_of(outbox_id) or outbox_id
        if not isinstance(bare, str) or not _ID.match(bare):
            raise ValueError(f"{outbox_id!r} is not an outbox id (ob_ and 20 hex characters)")
        return super().__new__(cls, REFERENCE_PREFIX + bare)

    @property
    def outbox_id(self) -> str:
        """The referenced item's id (``ob_...``)."""
        return self.removeprefix(REFERENCE_PREFIX)


@dataclass(frozen=True)
class Queue:
    """Whose writes these are; writes of one queue are delivered in order."""

    provider: str
    connection: str
    business_id: str


@dataclass(frozen=True, kw_only=True)
class NewItem:
    """A write as the enqueuing side hands it to a store (the store adds the rest).

    ``payload`` and ``options`` are the JSON forms of :mod:`unified_accounting.outbox.payload`;
    ``references`` the outbox ids they name.
    """

    id: str
    queue: Queue
    resource: str
    action: Action
    target_id: str | None
    payload: Any
    options: Mapping[str, Any]
    references: tuple[str, ...]
    idempotency_key: str
    created_at: float


@dataclass(frozen=True, kw_only=True)
class OutboxItem:
    """One write in the outbox and how its delivery went.

    Attributes:
        id: the outbox id (``ob_...``).
        seq: the store's running number; the order of a queue.
        queue: provider, connection and business.
        resource, action, target_id: what to do (``target_id``: the record to update or
            delete; it may be an ``outbox:`` reference).
        payload, options: the JSON forms of the model or changes, and of the call's options.
        references: outbox ids the write refers to.
        idempotency_key: the seed of the idempotency tokens (and of the provider's unique
            reference) every delivery of this write sends; fixed at enqueue.
        status: ``queued``, ``sending``, ``delivered``, ``failed``, ``dead`` or
            ``cancelled``.
        attempts: deliveries started (each one claims the item).
        failures: attempts that ended in an error worth retrying (a rate limit is not one);
            the item is dead when they reach the worker's limit.
        not_before: the earliest time (POSIX seconds) the item may be sent.
        lease_owner, lease_until: the worker sending it and when its lease ends.
        provider_id: the id of the record at the provider, once delivered.
        result: the unified JSON of the record the provider answered with.
        error: the last error, as JSON (``type``, ``message``, ``field_errors``, ...).
        created_at, updated_at, delivered_at: POSIX seconds.
    """

    id: str
    seq: int
    queue: Queue
    resource: str
    action: Action
    target_id: str | None
    payload: Any
    options: Mapping[str, Any]
    references: tuple[str, ...]
    idempotency_key: str
    status: Status
    attempts: int = 0
    failures: int = 0
    not_before: float = 0.0
    lease_owner: str | None = None
    lease_until: float | None = None
    provider_id: str | None = None
    result: Any = None
    error: Mapping[str, Any] | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    delivered_at: float | None = None

    @property
    def provider(self) -> str:
        """The provider's registered name."""
        return self.queue.provider

    @property
    def connection(self) -> str:
        """The connection name."""
        return self.queue.connection

    @property
    def business_id(self) -> str:
        """The business (empty for a provider without businesses)."""
        return self.queue.business_id

    def summary(self) -> dict[str, Any]:
        """The item as JSON for people and scripts (times in ISO 8601, UTC)."""
        return {
            "id": self.id, "status": self.status, "provider": self.provider,
            "connection": self.connection, "business_id": self.business_id,
            "resource": self.resource, "action": self.action, "target_id": self.target_id,
            "references": list(self.references), "attempts": self.attempts,
            "failures": self.failures, "not_before": _iso(self.not_before),
            "provider_id": self.provider_id, "error": dict(self.error) if self.error else None,
            "created_at": _iso(self.created_at), "delivered_at": _iso(self.delivered_at),
            "idempotency_key": self.idempotency_key,
        }

    def __repr__(self) -> str:
        return (f"OutboxItem(id={self.id!r}, status={self.status!r}, "
                f"{self.resource}.{self.action}, provider_id={self.provider_id!r})")


def _iso(moment: float | None) -> str | None:
    if moment is None or moment <= 0:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat()
