"""Credit notes: unified ``CreditNote`` <-> Sage ``/sales_credit_notes`` and
``/purchase_credit_notes``, and their allocations <-> ``/contact_allocations``.

``type`` picks the Sage resource. ``number`` is Sage's generated ``credit_note_number`` on
sales and the supplier's own number (``vendor_reference``) on purchases. Lines map as invoice
lines do (:mod:`unified_accounting_sage.mappers.documents`). ``amount_allocated`` and
``amount_remaining`` come from ``total_paid`` and ``outstanding_amount``.

Sage keeps no link to the invoice a credit note corrects, only that invoice's date
(``original_invoice_date``): ``invoice_id`` is sent as that date and read back as ``None``.
Allocations are ``CUSTOMER_ALLOCATION`` or ``VENDOR_ALLOCATION`` contact allocations, whose
artefacts net to zero: each invoice with the amount set against it, the credit note with
minus their sum. They are read back from the credit note's ``payments_allocations`` entries
that carry a ``contact_allocation``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from unified_accounting.models import CreditNote, CreditNoteAllocation, CreditNoteStatus
from unified_accounting.models import InvoiceType as CreditNoteType
from unified_accounting.money import add_exact
from unified_accounting_sage.json_values import (
    format_date,
    format_money,
    parse_date,
    parse_money,
    ref_id,
)
from unified_accounting_sage.mappers._common import Resolver, compact, finish, objects
from unified_accounting_sage.mappers.documents import (
    DocumentShape,
    ItemKinds,
    document_kind,
    header_to_sage,
    header_to_unified,
)

__all__ = [
    "ALLOCATION_TYPES",
    "ALLOCATION_WRAPPER",
    "ATTRIBUTES_BY_TYPE",
    "STATUS_FROM_SAGE",
    "STATUS_TO_SAGE",
    "WRAPPER_KEYS",
    "allocation_bodies",
    "to_sage",
    "to_unified",
    "wrapper_key",
]

WRAPPER_KEYS: Mapping[CreditNoteType, str] = {
    "sales": "sales_credit_note", "purchase": "purchase_credit_note"}
ALLOCATION_WRAPPER = "contact_allocation"
#: The contact allocation transaction type of each credit note type.
ALLOCATION_TYPES: Mapping[CreditNoteType, str] = {
    "sales": "CUSTOMER_ALLOCATION", "purchase": "VENDOR_ALLOCATION"}

#: Sage artefact status id -> unified status (a paid credit note is wholly allocated).
STATUS_FROM_SAGE: Mapping[str, CreditNoteStatus] = {
    "DRAFT": "draft",
    "UNPAID": "open",
    "PART_PAID": "partially_allocated",
    "PAID": "allocated",
    "VOID": "void",
}
#: Unified status -> Sage status id, for list filters (``status_id``).
STATUS_TO_SAGE: Mapping[CreditNoteStatus, str] = {v: k for k, v in STATUS_FROM_SAGE.items()}

_NUMBER_FIELD: Mapping[CreditNoteType, str] = {
    "sales": "credit_note_number", "purchase": "vendor_reference"}
_TYPE_FROM_TRANSACTION: Mapping[str, CreditNoteType] = {
    "SALES_CREDIT_NOTE": "sales", "PURCHASE_CREDIT_NOTE": "purchase"}

SHAPE = DocumentShape("credit note", "credit_notes", "credit_note_lines", _NUMBER_FIELD,
                      _TYPE_FROM_TRANSACTION)

_COMMON_ATTRIBUTES = (
    "contact", "date", "reference", "notes", "currency", "exchange_rate", "status",
    "net_amount", "tax_amount", "total_amount", "total_paid", "outstanding_amount",
    "credit_note_lines", "payments_allocations", "transaction_type", "created_at",
    "updated_at",
)
#: Sage fields the mapper reads, per type (the ``attributes`` query of a list).
ATTRIBUTES_BY_TYPE: Mapping[CreditNoteType, tuple[str, ...]] = {
    kind: (*_COMMON_ATTRIBUTES, _NUMBER_FIELD[kind]) for kind in ("sales", "purchase")
}


def wrapper_key(credit_note: CreditNote) -> str:
    """Return ``"sales_credit_note"`` or ``"purchase_credit_note"``."""
    return WRAPPER_KEYS[credit_note.type]


def _allocations(raw: Mapping[str, Any]) -> list[CreditNoteAllocation]:
    """The invoices the credit note was set against (refunds and payments are left out)."""
    found = []
    for entry in objects(raw, "payments_allocations"):
        invoice_id = ref_id(entry, "artefact")
        amount = parse_money(entry.get("amount"))
        if entry.get("contact_allocation") and invoice_id and amount is not None:
            found.append(CreditNoteAllocation(invoice_id=invoice_id, amount=amount.copy_abs(),
                                              date=parse_date(entry.get("date"))))
    return found


def to_unified(
    raw: Mapping[str, Any],
    *,
    business_id: str | None = None,
    include_remote: bool = False,
    credit_note_type: CreditNoteType | None = None,
) -> CreditNote:
    """Map a Sage sales or purchase credit note to a ``CreditNote``.

    Raises:
        ValueError: the type cannot be told, or the record has no date.
    """
    kind = credit_note_type or document_kind(raw, SHAPE)
    return CreditNote(
        **header_to_unified(raw, kind, SHAPE, business_id=business_id,
                            include_remote=include_remote),
        status=STATUS_FROM_SAGE.get(ref_id(raw, "status") or ""),
        amount_allocated=parse_money(raw.get("total_paid")),
        amount_remaining=parse_money(raw.get("outstanding_amount")),
        allocations=_allocations(raw),
    )


def to_sage(
    credit_note: CreditNote,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = False,
    resolve_tax_code: Resolver | None = None,
    resolve_account: Resolver | None = None,
    resolve_item: ItemKinds | None = None,
    original_invoice_date: date | None = None,
) -> dict[str, Any]:
    """Build the inner body of ``POST /sales_credit_notes`` or ``/purchase_credit_notes``.

    ``allocations`` are not part of it: they are separate contact allocations
    (:func:`allocation_bodies`).

    Args:
        credit_note: the credit note to send; ``wrapper_key(credit_note)`` names the wrapper.
        provider_fields: extra Sage fields merged into the body.
        partial: an update (``PUT``); Sage's required fields are not enforced.
        resolve_tax_code, resolve_account, resolve_item: as for invoices.
        original_invoice_date: the date of the invoice ``invoice_id`` names.

    Raises:
        ValidationError: unresolved codes, a purchase line discount, missing required fields
            or strings too long for Sage; paths are unified.
    """
    body = header_to_sage(credit_note, SHAPE, tax=resolve_tax_code, account=resolve_account,
                          items=resolve_item)
    if original_invoice_date is not None:
        body["original_invoice_date"] = format_date(original_invoice_date)
    return finish(WRAPPER_KEYS[credit_note.type], body, provider_fields, partial)


def allocation_bodies(credit_note: CreditNote,
                      allocations: Sequence[CreditNoteAllocation]) -> list[dict[str, Any]]:
    """Build the inner bodies of ``POST /contact_allocations``, one per allocation date.

    Each body's artefacts net to zero: the invoices with the amounts set against them, and
    the credit note with minus their sum.
    """
    by_date: dict[date | None, list[CreditNoteAllocation]] = {}
    for allocation in allocations:
        by_date.setdefault(allocation.date, []).append(allocation)
    bodies = []
    for when, group in by_date.items():
        total = add_exact([a.amount for a in group])
        artefacts = [{"artefact_id": a.invoice_id, "amount": format_money(a.amount)}
                     for a in group]
        artefacts.append({"artefact_id": credit_note.id or "",
                          "amount": format_money(total.copy_negate())})
        bodies.append(compact({
            "transaction_type_id": ALLOCATION_TYPES[credit_note.type],
            "contact_id": credit_note.contact_id, "date": format_date(when),
            "allocated_artefacts": artefacts,
        }))
    return bodies
