"""Change events: what one sync commit changed in the mirror, one event per record changed.

A sync compares every listed record with the version the mirror holds. A new row is a
``<resource>.created`` event, a changed digest a ``<resource>.updated`` event, a deletion newly
marked a ``<resource>.deleted`` event; a re-read that changes nothing is no event at all.

Event ids are derived from the change itself: the scope, the resource, the record id, the
digest the mirror held before and the digest (or deletion time) after. The same change seen
again (a page re-read after its commit was rolled back, a crash between a callback and the
commit) therefore has the same id, and a receiver that keeps the ids it handled never applies
a change twice. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from unified_accounting.provider import RESOURCE_KINDS
from unified_accounting.utctime import as_utc

__all__ = [
    "ACTIONS",
    "Action",
    "ChangeEvent",
    "ChangeListener",
    "RecordChange",
    "Subscription",
    "event_id",
    "event_type_matches",
    "lane_of",
]

Action = Literal["created", "updated", "deleted"]
ACTIONS: tuple[Action, ...] = ("created", "updated", "deleted")


@dataclass(frozen=True, kw_only=True)
class RecordChange:
    """One record's change as a mirror decided it inside a commit (before it is an event).

    Args:
        record_id: the provider's id.
        action: ``created`` (no row before), ``updated`` (another digest) or ``deleted``.
        data: the unified JSON after the change; for a deletion the last data the mirror held
            (``None`` for an id the mirror never saw).
        changed_at: the record's ``updated_at``, or the provider's deletion time.
        before: the digest the mirror held before (``None`` for a new row).
        after: the digest after the change; ``None`` for a deletion.
    """

    record_id: str
    action: Action
    data: dict[str, Any] | None
    changed_at: datetime | None
    before: str | None
    after: str | None


@dataclass(frozen=True, kw_only=True)
class ChangeEvent:
    """A change of one record in one business, as subscribers receive it.

    ``body`` is the JSON text a webhook carries (and signs); :meth:`to_json` gives it parsed.
    """

    id: str
    type: str
    provider: str
    connection: str
    business_id: str
    resource: str
    action: Action
    record_id: str
    occurred_at: datetime
    detected_at: datetime
    data: dict[str, Any] | None

    @classmethod
    def from_change(
        cls, *, provider: str, connection: str, business_id: str, resource: str,
        change: RecordChange, detected_at: datetime,
    ) -> ChangeEvent:
        """The event of ``change`` in one scope; it occurred at the change's time if known."""
        detected = as_utc(detected_at)
        return cls(
            id=event_id(provider, connection, business_id, resource, change),
            type=f"{resource}.{change.action}",
            provider=provider, connection=connection, business_id=business_id,
            resource=resource, action=change.action, record_id=change.record_id,
            occurred_at=detected if change.changed_at is None else as_utc(change.changed_at),
            detected_at=detected, data=change.data,
        )

    def to_json(self) -> dict[str, Any]:
        """The event as JSON (the Standard Webhooks layout: ``type``, ``timestamp``, ``data``)."""
        return {
            "id": self.id,
            "type": self.type,
            "timestamp": _stamp(self.occurred_at),
            "detected_at": _stamp(self.detected_at),
            "provider": self.provider,
            "connection": self.connection,
            "business_id": self.business_id,
            "resource": self.resource,
            "record_id": self.record_id,
            "data": self.data,
        }

    @cached_property
    def body(self) -> str:
        """The compact JSON text of :meth:`to_json`, as a webhook sends it."""
        return json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)

    @cached_property
    def lane(self) -> str:
        """Deliveries of one lane (one record of one scope) go out in the order they happened."""
        return lane_of(self.provider, self.connection, self.business_id, self.resource,
                       self.record_id)

    def model(self) -> Any:
        """The record as its unified model (``ua.load``); ``None`` for a bare deletion.

        Raises:
            ValueError: the resource has no unified model.
        """
        from unified_accounting.validation import load

        kind = RESOURCE_KINDS.get(self.resource)
        if kind is None:
            raise ValueError(f"{self.resource!r} records have no unified model")
        return None if self.data is None else load(kind, self.data)


@dataclass(frozen=True)
class Subscription:
    """Which events one webhook endpoint wants (read inside each commit that records events).

    Args:
        endpoint_id: the endpoint.
        event_types: patterns (see :func:`event_type_matches`); empty for every event.
        connection: only events of this connection, or ``None`` for every connection.
    """

    endpoint_id: str
    event_types: tuple[str, ...] = ()
    connection: str | None = None

    def wants(self, event: ChangeEvent) -> bool:
        """Whether this endpoint receives ``event``."""
        if self.connection is not None and self.connection != event.connection:
            return False
        return event_type_matches(self.event_types, event.type)


ChangeListener = Callable[[ChangeEvent], None]
"""An in-process subscriber: called once per event, inside the commit that records it."""


def event_id(provider: str, connection: str, business_id: str, resource: str,
             change: RecordChange) -> str:
    """The id of a change: the same change of the same record always gets the same id.

    A deletion's "after" is its deletion time, so a record deleted, restored and deleted
    again gets a new id each time (its digest changes when it is restored).
    """
    after = change.after if change.action != "deleted" else (
        "deleted:" + ("" if change.changed_at is None else _stamp(as_utc(change.changed_at))))
    parts = (provider, connection, business_id, resource, change.record_id,
             change.before or "", after or "")
    return "evt_" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def lane_of(provider: str, connection: str, business_id: str, resource: str,
            record_id: str) -> str:
    """A short key naming one record of one scope (the unit of delivery order)."""
    parts = (provider, connection, business_id, resource, record_id)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


def event_type_matches(patterns: tuple[str, ...], event_type: str) -> bool:
    """Whether an endpoint subscribed to ``patterns`` wants ``event_type``.

    A pattern is an event type (``invoices.created``), a resource with a star
    (``invoices.*``), an action with a star (``*.deleted``) or ``*`` alone; no pattern means
    every event.
    """
    if not patterns:
        return True
    resource, _, action = event_type.partition(".")
    for pattern in patterns:
        wanted_resource, _, wanted_action = pattern.partition(".")
        if pattern == "*" or (wanted_resource in ("*", resource)
                              and wanted_action in ("*", action)):
            return True
    return False


def _stamp(moment: datetime) -> str:
    # isoformat is several times cheaper than strftime, and this runs twice per event.
    return as_utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
