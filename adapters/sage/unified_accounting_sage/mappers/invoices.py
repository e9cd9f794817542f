"""Invoices: unified ``Invoice`` <-> Sage ``/sales_invoices`` and ``/purchase_invoices``.

``type`` picks the Sage resource. ``number`` is Sage's generated ``invoice_number`` on sales and
the supplier's own number (``vendor_reference``) on purchases. ``amount_paid`` and
``amount_due`` come from ``total_paid`` and ``outstanding_amount`` and, like a status other
than draft, are computed by Sage and never sent. ``tax_inclusive`` is one flag here and
``unit_price_includes_tax`` on every Sage line.

Header fields and lines map as in :mod:`unified_accounting_sage.mappers.documents`. A line
may name a unified ``tax_code`` instead of ``tax_rate_id`` and an ``account_concept`` instead
of ``account_id``; the caller passes resolvers built from the tenant's tax rates and account
mapping (see :mod:`unified_accounting_sage.countries`). Nothing is guessed: an unresolved
code is a ``ValidationError`` on that line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from unified_accounting.models import CreditNote, Invoice, InvoiceStatus, InvoiceType
from unified_accounting_sage.json_values import format_date, parse_date, parse_money, ref_id
from unified_accounting_sage.mappers._common import Resolver, finish, refuse
from unified_accounting_sage.mappers.documents import (
    DocumentShape,
    ItemKinds,
    document_kind,
    header_to_sage,
    header_to_unified,
)

__all__ = [
    "ATTRIBUTES_BY_TYPE",
    "CONTACT_TYPE_FOR",
    "STATUS_FROM_SAGE",
    "STATUS_TO_SAGE",
    "WRAPPER_KEYS",
    "check_contact_type",
    "to_sage",
    "to_unified",
    "wrapper_key",
]

WRAPPER_KEYS: Mapping[InvoiceType, str] = {"sales": "sales_invoice", "purchase": "purchase_invoice"}

#: Sage artefact status id -> unified status. ``PRO_FORMA`` and unknown ids map to ``None``.
STATUS_FROM_SAGE: Mapping[str, InvoiceStatus] = {
    "DRAFT": "draft",
    "UNPAID": "open",
    "PART_PAID": "partially_paid",
    "PAID": "paid",
    "VOID": "void",
}
#: Unified status -> Sage status id, for list filters (``status_id``).
STATUS_TO_SAGE: Mapping[InvoiceStatus, str] = {v: k for k, v in STATUS_FROM_SAGE.items()}

# Sage field holding the invoice number, per type.
_NUMBER_FIELD: Mapping[InvoiceType, str] = {
    "sales": "invoice_number",
    "purchase": "vendor_reference",
}
#: The contact type Sage requires on each invoice type.
CONTACT_TYPE_FOR: Mapping[InvoiceType, str] = {"sales": "CUSTOMER", "purchase": "VENDOR"}
_TYPE_FROM_TRANSACTION: Mapping[str, InvoiceType] = {
    "SALES_INVOICE": "sales",
    "PURCHASE_INVOICE": "purchase",
}
SHAPE = DocumentShape("invoice", "invoices", "invoice_lines", _NUMBER_FIELD,
                      _TYPE_FROM_TRANSACTION)

_COMMON_ATTRIBUTES = (
    "contact",
    "date",
    "due_date",
    "reference",
    "notes",
    "currency",
    "exchange_rate",
    "status",
    "net_amount",
    "tax_amount",
    "total_amount",
    "total_paid",
    "outstanding_amount",
    "invoice_lines",
    "transaction_type",
    "created_at",
    "updated_at",
)
#: Sage fields the mapper reads, per invoice type (the ``attributes`` query of a list).
ATTRIBUTES_BY_TYPE: Mapping[InvoiceType, tuple[str, ...]] = {
    "sales": (*_COMMON_ATTRIBUTES, "invoice_number"),
    "purchase": (*_COMMON_ATTRIBUTES, "vendor_reference"),
}


def wrapper_key(invoice: Invoice) -> str:
    """Return ``"sales_invoice"`` or ``"purchase_invoice"`` for the invoice's type."""
    return WRAPPER_KEYS[invoice.type]


def to_unified(
    raw: Mapping[str, Any],
    *,
    business_id: str | None = None,
    include_remote: bool = False,
    invoice_type: InvoiceType | None = None,
) -> Invoice:
    """Map a Sage sales or purchase invoice to an ``Invoice``.

    Args:
        raw: the Sage record (``GET /sales_invoices/{id}`` or ``/purchase_invoices/{id}``).
        business_id: the business it belongs to.
        include_remote: keep a copy of ``raw`` in ``remote_data``.
        invoice_type: ``"sales"`` or ``"purchase"``; read from ``transaction_type`` or
            ``$path`` when not given.

    Raises:
        ValueError: the type cannot be told, or the record has no date.
    """
    kind = invoice_type or document_kind(raw, SHAPE)
    return Invoice(
        **header_to_unified(raw, kind, SHAPE, business_id=business_id,
                            include_remote=include_remote),
        due_date=parse_date(raw.get("due_date")),
        status=STATUS_FROM_SAGE.get(ref_id(raw, "status") or ""),
        amount_paid=parse_money(raw.get("total_paid")),
        amount_due=parse_money(raw.get("outstanding_amount")),
    )


def check_contact_type(document: Invoice | CreditNote, contact_type_ids: Iterable[str]) -> None:
    """Refuse an invoice or credit note whose contact Sage would reject, before any request.

    Args:
        document: the invoice or credit note about to be created.
        contact_type_ids: the contact's Sage type ids (``CUSTOMER``, ``VENDOR``), e.g. from
            ``ref_ids(contact_json, "contact_type")``.

    Raises:
        ValidationError: at ``contact_id`` when a sales document names a contact that is not
            a customer, or a purchase document one that is not a vendor.
    """
    needed = CONTACT_TYPE_FOR[document.type]
    if needed not in set(contact_type_ids):
        role = "customer" if document.type == "sales" else "supplier"
        noun = "invoice" if isinstance(document, Invoice) else "credit note"
        raise refuse("contact_id", f"a {document.type} {noun} needs a contact that is a "
                     f"{role} (Sage contact type {needed})")


def to_sage(
    invoice: Invoice,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = False,
    resolve_tax_code: Resolver | None = None,
    resolve_account: Resolver | None = None,
    resolve_item: ItemKinds | None = None,
) -> dict[str, Any]:
    """Build the inner body of ``POST /sales_invoices`` or ``POST /purchase_invoices``.

    Args:
        invoice: the invoice to send; ``wrapper_key(invoice)`` names the wrapper.
        provider_fields: extra Sage fields merged into the body (``vat_reverse_charge``,
            ``tax_address_region_id``, ``terms_and_conditions``, ...).
        partial: an update (``PUT``); Sage's required fields are not enforced.
        resolve_tax_code: unified tax code -> tenant tax rate id, for lines with ``tax_code``.
        resolve_account: account concept -> ledger account id, for lines with a concept.
        resolve_item: item id -> ``product`` or ``service``, for lines naming an item.

    Raises:
        ValidationError: unresolved codes, a purchase line discount, missing required fields
            or strings too long for Sage; paths are unified (``lines[0].account_id``).
    """
    body = header_to_sage(invoice, SHAPE, tax=resolve_tax_code, account=resolve_account,
                          items=resolve_item)
    if invoice.due_date is not None:
        body["due_date"] = format_date(invoice.due_date)
    return finish(WRAPPER_KEYS[invoice.type], body, provider_fields, partial)
