"""contact_allocations: setting credit notes against invoices of the same contact.

An allocation names artefacts with signed amounts that net to zero: invoices above zero,
credit notes below. Each artefact's ``outstanding_amount`` falls by the part set against it
(its ``total_paid`` rises, its status follows), and both sides list the other in their
``payments_allocations`` (the entry's ``artefact`` is the counterpart). No money moves, so the
contact's balance stays as it was. Deleting an allocation undoes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from unified_accounting_sage.sandbox.amounts import payment_status
from unified_accounting_sage.sandbox.errors import invalid, not_found
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.listing import ref_is, since
from unified_accounting_sage.sandbox.messages import money, path_for, ref_of, to_decimal
from unified_accounting_sage.sandbox.resources.common import (
    contact_of_type,
    delete_record,
    getter,
    touch,
)
from unified_accounting_sage.sandbox.resources.invoices import status_ref
from unified_accounting_sage.sandbox.resources.ledger_entries import (
    post_transaction,
    update_transaction,
)
from unified_accounting_sage.sandbox.resources.lookups import lookup_ref
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate

__all__ = ["ROUTES", "new_allocation"]

COLLECTION = "contact_allocations"
#: transaction type -> (contact type, invoices, credit notes)
SIDES: dict[str, tuple[str, str, str]] = {
    "CUSTOMER_ALLOCATION": ("CUSTOMER", "sales_invoices", "sales_credit_notes"),
    "VENDOR_ALLOCATION": ("VENDOR", "purchase_invoices", "purchase_credit_notes"),
}
_ZERO = Decimal(0)
Part = tuple[str, Record, Decimal]  # collection, artefact, signed amount


def _artefact(ctx: Ctx, collections: tuple[str, str], artefact_id: Any,
              source: str) -> tuple[str, Record]:
    for collection in collections:
        found = ctx.get(collection, artefact_id) if isinstance(artefact_id, str) else None
        if found is not None:
            return collection, found
    raise not_found(source)


def _check_part(collection: str, record: Record, amount: Decimal, contact: Record,
                source: str, used: Decimal) -> None:
    if record["contact"]["id"] != contact["id"]:
        raise invalid(f"{source}.artefact_id", "belongs to another contact")
    if record["status"]["id"] in ("DRAFT", "VOID"):
        raise invalid(f"{source}.artefact_id", "A draft or void artefact cannot be allocated")
    credit = collection.endswith("credit_notes")
    if amount == 0 or (amount < 0) != credit:
        raise invalid(f"{source}.amount",
                      "must be above zero for an invoice and below zero for a credit note")
    if used + abs(amount) > to_decimal(record["outstanding_amount"]):
        raise invalid(f"{source}.amount", "exceeds the outstanding amount of the artefact")


def _parts(ctx: Ctx, data: dict[str, Any], contact: Record,
           collections: tuple[str, str]) -> list[Part]:
    parts: list[Part] = []
    used: dict[str, Decimal] = {}
    for index, item in enumerate(data["allocated_artefacts"]):
        source = f"allocated_artefacts.{index}"
        collection, record = _artefact(ctx, collections, item.get("artefact_id"),
                                       f"{source}.artefact_id")
        amount = to_decimal(item["amount"])
        _check_part(collection, record, amount, contact, source, used.get(record["id"], _ZERO))
        used[record["id"]] = used.get(record["id"], _ZERO) + abs(amount)
        parts.append((collection, record, amount))
    if sum((amount for _, _, amount in parts), _ZERO) != 0:
        raise invalid("allocated_artefacts", "The allocated amounts must add up to zero")
    if len({record["currency"]["id"] for _, record, _ in parts}) > 1:
        raise invalid("allocated_artefacts", "The artefacts must share one currency")
    return parts


def _pairs(parts: list[Part]) -> Iterator[tuple[Part, Part, Decimal]]:
    """Match invoices with credit notes in the order given, as much as each can take."""
    debits = [part for part in parts if part[2] > 0]
    credits = [part for part in parts if part[2] < 0]
    left = {id(part): abs(part[2]) for part in parts}
    while debits and credits:
        amount = min(left[id(debits[0])], left[id(credits[0])])
        yield debits[0], credits[0], amount
        for side in (debits, credits):
            left[id(side[0])] -= amount
            if left[id(side[0])] == 0:
                side.pop(0)


def _settle(ctx: Ctx, collection: str, record: Record, amount: Decimal, day: str | None) -> None:
    """Lower (or, with a negative amount, restore) what an artefact has outstanding."""
    outstanding = to_decimal(record["outstanding_amount"]) - amount
    record["outstanding_amount"] = money(outstanding)
    record["total_paid"] = money(to_decimal(record["total_paid"]) + amount)
    record["status"] = status_ref(payment_status(to_decimal(record["total_amount"]),
                                                 outstanding))
    if day is not None:
        record["last_paid"] = day
    record["editable"] = record["status"]["id"] == "UNPAID"
    touch(ctx, collection, record)


def _entry(allocation: Record, other: Part, amount: Decimal) -> dict[str, Any]:
    return {"id": new_id(), "date": allocation["date"], "reference": None,
            "type": allocation["transaction_type"], "amount": money(amount),
            "discount": "0.0", "artefact": ref_of(other[0], other[1]),
            "contact_allocation": ref_of(COLLECTION, allocation)}


def new_allocation(ctx: Ctx, data: dict[str, Any]) -> Record:
    """Validate a create body, store the allocation and lower what each artefact owes.

    Raises:
        SageError: 422 for invalid fields, amounts that do not net to zero or exceed what an
            artefact has outstanding, another contact, a draft or void artefact; 404 for
            unknown ids.
    """
    validate("contact_allocation", data)
    type_id = data["transaction_type_id"]
    if type_id not in SIDES:
        raise invalid("transaction_type_id", "is not included in the list")
    contact_type, invoices, credit_notes = SIDES[type_id]
    contact = contact_of_type(ctx, data["contact_id"], contact_type)
    parts = _parts(ctx, data, contact, (invoices, credit_notes))
    record_id = new_id()
    day = data.get("date") or ctx.now.date().isoformat()
    record: Record = {
        "id": record_id, "$path": path_for(COLLECTION, record_id), "displayed_as": day,
        "created_at": ctx.stamp, "updated_at": ctx.stamp, "deleted_at": None, "links": [],
        "transaction_type": lookup_ref("transaction_types", type_id), "date": day,
        "contact": ref_of("contacts", contact),
        "allocated_artefacts": [
            {"id": new_id(), "artefact": ref_of(collection, artefact), "amount": money(amount)}
            for collection, artefact, amount in parts],
    }
    for invoice, note, amount in _pairs(parts):
        invoice[1]["payments_allocations"].append(_entry(record, note, amount))
        note[1]["payments_allocations"].append(_entry(record, invoice, amount))
    for collection, artefact, amount in parts:
        _settle(ctx, collection, artefact, abs(amount), day)
    allocated = sum((amount for _, _, amount in parts if amount > 0), _ZERO)
    # The invoice and the credit note both sit on the debtors (creditors) control account,
    # so setting one against the other posts no ledger entry: the transaction has none.
    record["transaction"] = post_transaction(ctx, type_id, COLLECTION, record, [],
                                             total=allocated)
    ctx.store.insert(ctx.business_id, COLLECTION, record)
    return record


def _collection_of(link: dict[str, str]) -> str:
    return link["$path"].strip("/").split("/", 1)[0]


def _delete(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require(COLLECTION, key)
    for item in record["allocated_artefacts"]:
        collection = _collection_of(item["artefact"])
        artefact = ctx.get(collection, item["artefact"]["id"])
        if artefact is None:
            continue
        artefact["payments_allocations"] = [
            entry for entry in artefact["payments_allocations"]
            if (entry.get("contact_allocation") or {}).get("id") != record["id"]]
        _settle(ctx, collection, artefact, -abs(to_decimal(item["amount"])), None)
    update_transaction(ctx, record["transaction"], deleted=True)
    delete_record(ctx, COLLECTION, record)
    return 204, None


def _update(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require(COLLECTION, key)
    data = ctx.wrapped("contact_allocation")
    validate("contact_allocation.update", data)
    for name in ("allocated_artefacts", "contact_id", "transaction_type_id"):
        if name in data:
            raise invalid(name, "cannot be changed; delete the allocation and make a new one")
    if data.get("date") is not None:
        record["date"] = record["displayed_as"] = data["date"]
        update_transaction(ctx, record["transaction"], date=record["date"])
    touch(ctx, COLLECTION, record)
    return 200, record


def _list_allocations(ctx: Ctx, key: str | None) -> Reply:
    filters = {"updated_or_created_since": since(), "contact_id": ref_is("contact"),
               "transaction_type_id": ref_is("transaction_type")}
    return _list(ctx, COLLECTION, filters, deletable=True, sortable=("created_at", "updated_at"))


ROUTES = [
    Route("GET", f"/{COLLECTION}", _list_allocations),
    Route("POST", f"/{COLLECTION}",
          lambda ctx, key: (201, new_allocation(ctx, ctx.wrapped("contact_allocation"))),
          wrapper="contact_allocation"),
    Route("GET", f"/{COLLECTION}/{{key}}", getter(COLLECTION)),
    Route("PUT", f"/{COLLECTION}/{{key}}", _update, wrapper="contact_allocation"),
    Route("DELETE", f"/{COLLECTION}/{{key}}", _delete),
]
