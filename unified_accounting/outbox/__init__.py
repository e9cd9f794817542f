"""A durable write outbox: queue creates, updates and deletes now, deliver them exactly once.

``client.outbox.create(model)`` (or ``enqueue(OutboxOperation...)``) stores the write and
returns its outbox id at once; a worker delivers it later, in order per (connection,
business), with the same idempotency key on every attempt, pausing a business while its
provider blocks it. See docs/outbox.md.

- :mod:`.client_outbox`: ``client.outbox`` and :class:`OutboxOperation`;
- :mod:`.items`: items, states and :class:`OutboxRef` (``outbox:ob_...``);
- :mod:`.store`, :mod:`.registry`: the store contract, and finding stores;
- :mod:`.sqlite_store`, :mod:`.postgres_store`: the stores the library ships;
- :mod:`.worker`, :mod:`.delivery`, :mod:`.outcomes`: delivery and its rules;
- :mod:`.settings`: what workers read from the environment.

The names below are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unified_accounting.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from unified_accounting.outbox.client_outbox import ClientOutbox, OutboxOperation
    from unified_accounting.outbox.items import STATUSES, OutboxItem, OutboxRef, Queue
    from unified_accounting.outbox.outcomes import RetryPolicy
    from unified_accounting.outbox.postgres_store import PostgresOutbox
    from unified_accounting.outbox.registry import (
        available_outboxes,
        default_outbox,
        load_outbox,
        open_outbox,
    )
    from unified_accounting.outbox.settings import OutboxSettings
    from unified_accounting.outbox.sqlite_store import SQLiteOutbox
    from unified_accounting.outbox.store import OutboxStore
    from unified_accounting.outbox.worker import ClientPool, OutboxWorker, RunSummary

_IMPORTS: dict[str, str] = {
    "STATUSES": "unified_accounting.outbox.items",
    "ClientOutbox": "unified_accounting.outbox.client_outbox",
    "ClientPool": "unified_accounting.outbox.worker",
    "OutboxItem": "unified_accounting.outbox.items",
    "OutboxOperation": "unified_accounting.outbox.client_outbox",
    "OutboxRef": "unified_accounting.outbox.items",
    "OutboxSettings": "unified_accounting.outbox.settings",
    "OutboxStore": "unified_accounting.outbox.store",
    "OutboxWorker": "unified_accounting.outbox.worker",
    "PostgresOutbox": "unified_accounting.outbox.postgres_store",
    "Queue": "unified_accounting.outbox.items",
    "RetryPolicy": "unified_accounting.outbox.outcomes",
    "RunSummary": "unified_accounting.outbox.worker",
    "SQLiteOutbox": "unified_accounting.outbox.sqlite_store",
    "available_outboxes": "unified_accounting.outbox.registry",
    "default_outbox": "unified_accounting.outbox.registry",
    "load_outbox": "unified_accounting.outbox.registry",
    "open_outbox": "unified_accounting.outbox.registry",
}

__all__ = [
    "STATUSES",
    "ClientOutbox",
    "ClientPool",
    "OutboxItem",
    "OutboxOperation",
    "OutboxRef",
    "OutboxSettings",
    "OutboxStore",
    "OutboxWorker",
    "PostgresOutbox",
    "Queue",
    "RetryPolicy",
    "RunSummary",
    "SQLiteOutbox",
    "available_outboxes",
    "default_outbox",
    "load_outbox",
    "open_outbox",
]

__getattr__, __dir__ = lazy_exports(globals(), _IMPORTS)
