"""Helpers shared by resource handlers: references, lookups, tombstones, indexes, and the
handlers that are the same for every collection (show one record, update one record)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from unified_accounting_sage.sandbox.errors import invalid, not_found
from unified_accounting_sage.sandbox.messages import ref_of
from unified_accounting_sage.sandbox.resources.lookups import lookup_ref
from unified_accounting_sage.sandbox.routing import Ctx, Handler, Reply
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate

#: Applies a validated write body to a record; raises ``SageError`` before changing anything.
Apply = Callable[[Ctx, Record, dict[str, Any]], None]


def linked(ctx: Ctx, collection: str, record_id: Any, source: str) -> dict[str, str] | None:
    """The reference to a record named in a body field; None when the field is null.

    Raises:
        SageError: 404 naming ``source`` when the id is unknown in this business.
    """
    if record_id is None:
        return None
    return ref_of(collection, ctx.require(collection, record_id, source))


def contact_of_type(ctx: Ctx, contact_id: Any, contact_type: str) -> Record:
    """The contact a body names, which must have ``contact_type`` (``CUSTOMER``/``VENDOR``).

    Raises:
        SageError: 404 naming ``contact_id`` when unknown, 422 when of another type.
    """
    contact = ctx.require("contacts", contact_id, "contact_id")
    if all(item["id"] != contact_type for item in contact["contact_types"]):
        raise invalid("contact_id", f"The contact must be a {contact_type.lower()}")
    return contact


def looked_up(table: str, item_id: Any, source: str) -> dict[str, str] | None:
    """The reference to a lookup item named in a body field; None when null.

    Raises:
        SageError: 404 naming ``source`` for an unknown id.
    """
    if item_id is None:
        return None
    found = lookup_ref(table, str(item_id))
    if found is None:
        raise not_found(source)
    return found


def lookup_list(table: str, ids: list[str], source: str) -> list[dict[str, str]]:
    """References for a list of lookup ids.

    Raises:
        SageError: 422 naming ``source`` when an id is not one of the table's.
    """
    refs = []
    for item_id in ids:
        found = lookup_ref(table, item_id)
        if found is None:
            raise invalid(source, "is not included in the list")
        refs.append(found)
    return refs


def tombstone(record: Record, stamp: str) -> Record:
    """What ``deleted_since`` returns for a deleted record."""
    return {
        "id": record["id"],
        "displayed_as": record.get("displayed_as"),
        "$path": record.get("$path"),
        "deleted_at": stamp,
    }


def delete_record(ctx: Ctx, collection: str, record: Record) -> None:
    """Remove a record and log its deletion at the request time."""
    ctx.store.remove(ctx.business_id, collection, record["id"], tombstone(record, ctx.stamp))


def touch(ctx: Ctx, collection: str, record: Record) -> None:
    """Stamp ``updated_at`` and persist a record changed in place."""
    record["updated_at"] = ctx.stamp
    ctx.store.save(ctx.business_id, collection, record)


def unique_index(ctx: Ctx, collection: str, field: str) -> dict[str, str]:
    """A lazily built value -> id index of one field, kept by the handlers that write it."""
    indexes: dict[tuple[str, str, str], dict[str, str]] = ctx.caches.indexes
    key = (ctx.business_id, collection, field)
    index = indexes.get(key)
    if index is None:
        records = ctx.store.collection(ctx.business_id, collection).ordered()
        index = {str(r[field]).lower(): r["id"] for r in records if r.get(field) is not None}
        indexes[key] = index
    return index


def pick(data: dict[str, Any], record: Record, fields: tuple[str, ...]) -> None:
    """Copy the plain fields present in a body onto a record."""
    for name in fields:
        if name in data:
            record[name] = data[name]


def getter(collection: str) -> Handler:
    """``GET /<collection>/{key}``: the record, or 404."""

    def handler(ctx: Ctx, key: str | None) -> Reply:
        return 200, ctx.require(collection, key)

    return handler


def updater(collection: str, wrapper: str, apply: Apply) -> Handler:
    """``PUT /<collection>/{key}``: validate the body, apply it, stamp and save the record."""

    def handler(ctx: Ctx, key: str | None) -> Reply:
        record = ctx.require(collection, key)
        data = ctx.wrapped(wrapper)
        validate(f"{wrapper}.update", data)
        apply(ctx, record, data)
        touch(ctx, collection, record)
        return 200, record

    return handler
