"""``client.outbox``: queue a write durably now, have a worker deliver it exactly once later.

``enqueue`` checks the write as the client would (the provider supports the operation, the
model keeps every rule, every value can be stored exactly, every ``outbox:`` reference names
an earlier write of the same business) and stores it with a fresh idempotency key; nothing
is sent. A worker (``unified-accounting outbox run``, :class:`~unified_accounting.outbox.
worker.OutboxWorker`, or the Celery task) delivers it.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from unified_accounting import models
from unified_accounting.errors import UnsupportedOperationError, ValidationError
from unified_accounting.outbox.items import (
    ACTIONS,
    Action,
    NewItem,
    OutboxItem,
    Queue,
    new_item_id,
    outbox_id_of,
)
from unified_accounting.outbox.payload import encode, references_in
from unified_accounting.outbox.registry import default_outbox, open_outbox
from unified_accounting.outbox.store import OutboxStore
from unified_accounting.provider import RESOURCE_KINDS, ResourceCapabilities
from unified_accounting.validation import kind_of, validate_model

__all__ = ["ClientOutbox", "OutboxOperation"]

_RESOURCE_BY_KIND = {kind: resource for resource, kind in RESOURCE_KINDS.items()}
_MODELS: dict[str, type[Any]] = {
    "contact": models.Contact, "contact_person": models.ContactPerson,
    "invoice": models.Invoice, "payment": models.Payment,
    "journal_entry": models.JournalEntry, "ledger_account": models.LedgerAccount,
    "tax_rate": models.TaxRate, "business": models.Business,
}


@dataclass(frozen=True)
class OutboxOperation:
    """One write to queue: ``create``, ``update`` or ``delete`` of a unified resource.

    Build it with :meth:`create`, :meth:`update` or :meth:`delete`.

    Attributes:
        resource: ``contacts``, ``invoices``, ... (as the client's attributes).
        action: ``create``, ``update`` or ``delete``.
        data: the model to create, or the whole model or mapping of changes of an update.
        id: the record to update or delete: a provider id or an ``outbox:`` reference.
        options: the call's options (``provider_fields``, ``void_reason``, ...).
    """

    resource: str
    action: Action
    data: Any = None
    id: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, model: Any, *, resource: str | None = None,
               **options: Any) -> OutboxOperation:
        """Create ``model`` (its resource follows from its type unless given)."""
        return cls(resource or _resource_of(model), "create", model, None, options)

    @classmethod
    def update(cls, resource: str, id: str, changes: Any, **options: Any) -> OutboxOperation:
        """Apply a whole model or a mapping of changed fields to record ``id``."""
        return cls(resource, "update", changes, id, options)

    @classmethod
    def delete(cls, resource: str, id: str, **options: Any) -> OutboxOperation:
        """Delete record ``id``."""
        return cls(resource, "delete", None, id, options)


def _resource_of(model: Any) -> str:
    try:
        return _RESOURCE_BY_KIND[kind_of(model)]
    except (TypeError, KeyError):
        raise ValidationError({"model": [
            f"a {type(model).__name__} is not a unified record; pass resource="]}) from None


class OutboxClient(Protocol):
    """What the outbox needs of a client (``unified_accounting.Client`` has it)."""

    @property
    def provider(self) -> str: ...

    @property
    def connection(self) -> str: ...

    @property
    def business_id(self) -> str | None: ...

    def capabilities(self) -> dict[str, ResourceCapabilities]: ...


class ClientOutbox:
    """The write outbox of one client's (provider, connection, business).

    Args:
        client: the client whose writes are queued.
        store: the outbox store, or a URL (``sqlite:///...``, ``postgresql://...``); by
            default ``UNIFIED_ACCOUNTING_OUTBOX``, else ``outbox.sqlite3`` in the user's
            data folder. ``ua.connect(..., outbox=...)`` passes it on.
        clock: POSIX seconds (injectable for tests).
    """

    def __init__(self, client: OutboxClient, store: OutboxStore | str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._given = store
        self._store: OutboxStore | None = store if isinstance(store, OutboxStore) else None
        self._clock = clock

    @property
    def store(self) -> OutboxStore:
        """The store the writes go to (opened on first use)."""
        if self._store is None:
            self._store = (open_outbox(self._given) if isinstance(self._given, str)
                           else default_outbox())
        return self._store

    @property
    def queue(self) -> Queue:
        """This client's queue: its writes are delivered in order."""
        return Queue(self._client.provider, self._client.connection,
                     self._client.business_id or "")

    def enqueue(self, operation: OutboxOperation) -> str:
        """Store ``operation`` durably and return its outbox id (``ob_...``) at once.

        Raises:
            UnsupportedOperationError: the provider does not offer the operation.
            ValidationError: the model breaks a rule, a value cannot be stored exactly, or a
                reference names no earlier write of this business; nothing is stored.
        """
        self._check(operation)
        payload = encode(_data_of(operation), "data")
        options = encode(dict(operation.options), "options")
        target = operation.id if operation.id is None else str(operation.id)
        references = references_in([payload, options, target])
        self._check_references(references)
        new = NewItem(id=new_item_id(), queue=self.queue, resource=operation.resource,
                      action=operation.action, target_id=target, payload=payload,
                      options=options, references=tuple(references),
                      idempotency_key=secrets.token_hex(16), created_at=self._clock())
        return self.store.add(new).id

    def create(self, model: Any, *, resource: str | None = None, **options: Any) -> str:
        """Queue a create (see :meth:`OutboxOperation.create`); returns the outbox id."""
        return self.enqueue(OutboxOperation.create(model, resource=resource, **options))

    def update(self, resource: str, id: str, changes: Any, **options: Any) -> str:
        """Queue an update (see :meth:`OutboxOperation.update`); returns the outbox id."""
        return self.enqueue(OutboxOperation.update(resource, id, changes, **options))

    def delete(self, resource: str, id: str, **options: Any) -> str:
        """Queue a delete; returns the outbox id."""
        return self.enqueue(OutboxOperation.delete(resource, id, **options))

    def close(self) -> None:
        """Close the store if this outbox opened it (from a URL or the default)."""
        if self._store is not None and self._store is not self._given:
            self._store.close()
            self._store = None

    def get(self, outbox_id: str) -> OutboxItem | None:
        """The item of an outbox id (its status, provider id, error), or ``None``."""
        return self.store.get(outbox_id_of(outbox_id) or outbox_id)

    # -- checks ------------------------------------------------------------------------------

    def _check(self, operation: OutboxOperation) -> None:
        if operation.action not in ACTIONS:
            raise ValidationError({"action": [f"must be one of {', '.join(ACTIONS)}"]})
        capabilities = self._client.capabilities().get(operation.resource)
        if capabilities is None:
            raise ValidationError({"resource": [
                f"{operation.resource!r} is not a resource; use one of "
                f"{', '.join(RESOURCE_KINDS)}"]})
        if not capabilities.supports(operation.action):
            raise UnsupportedOperationError(
                f"{self._client.provider} does not support "
                f"{operation.resource}.{operation.action}", provider=self._client.provider)
        if operation.resource == "attachments" and operation.action == "create":
            # The file would have to wait in the store with the row; uploads go at once.
            raise ValidationError({"resource": [
                "the outbox does not keep files; upload an attachment with "
                "client.attachments.create(model, file=...)"]})
        if operation.action != "create" and not (isinstance(operation.id, str) and operation.id):
            raise ValidationError({"id": [f"an {operation.action} needs the record's id"]})
        _check_data(operation)

    def _check_references(self, references: list[str]) -> None:
        found = self.store.get_many(references)
        errors: dict[str, list[str]] = {}
        for outbox_id in references:
            item = found.get(outbox_id)
            if item is None:
                errors.setdefault("references", []).append(f"{outbox_id}: no such outbox item")
            elif item.queue != self.queue:
                errors.setdefault("references", []).append(
                    f"{outbox_id}: belongs to another business or connection; only writes "
                    "of the same business are delivered in order")
            elif item.action == "delete":
                errors.setdefault("references", []).append(
                    f"{outbox_id}: a delete leaves no record to refer to")
        if errors:
            raise ValidationError(errors)


def _data_of(operation: OutboxOperation) -> Any:
    return None if operation.action == "delete" else operation.data


def _check_data(operation: OutboxOperation) -> None:
    data = operation.data
    kind = RESOURCE_KINDS[operation.resource]
    if operation.action == "delete":
        return
    if isinstance(data, Mapping) and operation.action == "update":
        known = {item.name for item in dataclasses.fields(_MODELS[kind])}
        unknown = sorted(str(name) for name in data if name not in known)
        if unknown:
            raise ValidationError({name: [f"{kind} has no field {name!r}"] for name in unknown})
        return
    if not dataclasses.is_dataclass(data) or isinstance(data, type):
        wanted = "a model" if operation.action == "create" else "a model or a mapping"
        raise ValidationError({"data": [f"{operation.action} needs {wanted}"]})
    if kind_of_or_none(data) != kind:
        raise ValidationError({"data": [
            f"{operation.resource} takes a {kind}, not a {type(data).__name__}"]})
    validate_model(data)


def kind_of_or_none(model: Any) -> str | None:
    """The model's kind, or ``None`` for anything that is not a unified record."""
    try:
        return kind_of(model)
    except TypeError:
        return None
