"""``client.invoices``: Sage ``/sales_invoices`` and ``/purchase_invoices``, chosen by ``type``.

The contact, tax code, account concept and item checks before a write are those of every
document (:mod:`unified_accounting_sage.handlers.documents`). Sage ids are unique across both
collections; an invoice whose type the handler has not seen yet is looked up in sales first,
then in purchases. Voided sales invoices are not deleted: they stay, with status ``void``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.models import Invoice, InvoiceType
from unified_accounting_sage.handlers.documents import (
    DOCUMENT_FILTERS,
    DocumentHandler,
    Resolvers,
)
from unified_accounting_sage.handlers.query import FieldAttributes, Filter, choice
from unified_accounting_sage.mappers import invoices

__all__ = ["InvoiceHandler"]

KINDS: tuple[InvoiceType, ...] = ("sales", "purchase")


def _attributes(kind: InvoiceType) -> FieldAttributes:
    number = "invoice_number" if kind == "sales" else "vendor_reference"
    return FieldAttributes(
        invoices.ATTRIBUTES_BY_TYPE[kind], Invoice,
        {
            "type": (), "number": (number,), "contact_id": ("contact",), "issue_date": ("date",),
            "tax_inclusive": ("invoice_lines",), "lines": ("invoice_lines",),
            "amount_paid": ("total_paid",), "amount_due": ("outstanding_amount",),
        },
        always=("date",),
    )


class InvoiceHandler(DocumentHandler[Invoice]):
    """Sales and purchase invoices.

    Filters: ``type``, ``updated_since``, ``search``, ``contact_id``, ``status`` (unified
    status -> ``status_id``), ``from_date``, ``to_date``.
    """

    resource = "invoices"
    model = Invoice
    collections = {kind: f"{kind}_invoices" for kind in KINDS}
    wrappers = invoices.WRAPPER_KEYS
    kind_attributes = {kind: _attributes(kind) for kind in KINDS}
    filters = {**DOCUMENT_FILTERS,
               "status": Filter("status_id", choice(invoices.STATUS_TO_SAGE))}

    def map_one(self, raw: Mapping[str, Any], kind: InvoiceType, remote: bool) -> Invoice:
        """Map one Sage invoice."""
        return invoices.to_unified(raw, business_id=self.business_id, include_remote=remote,
                                   invoice_type=kind)

    def to_sage_body(self, model: Invoice, resolvers: Resolvers,
                     extra: Mapping[str, Any] | None, partial: bool) -> dict[str, Any]:
        """The inner body of ``POST``/``PUT /{sales|purchase}_invoices``."""
        return invoices.to_sage(model, provider_fields=extra, partial=partial, **resolvers)
