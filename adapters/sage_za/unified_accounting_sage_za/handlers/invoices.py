"""Invoices: sales invoices are v2 ``TaxInvoice`` records (``TI123``), purchase invoices
``SupplierInvoice`` records (``SI45``).

Numbering, look-up after a lost answer and lists work as for every document
(:mod:`unified_accounting_sage_za.handlers.documents`). v2 has no Delete for documents (they
are corrected with credit notes).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from unified_accounting.models import Invoice, InvoiceStatus
from unified_accounting_sage_za.handlers.documents import (
    DocumentKind,
    DocumentsHandler,
    settlement,
)
from unified_accounting_sage_za.wire import as_decimal, parse_wire_date

__all__ = ["KINDS", "InvoicesHandler"]

KINDS: Mapping[str, DocumentKind] = {
    "sales": DocumentKind("TaxInvoice", "TI", "CustomerId", "C"),
    "purchase": DocumentKind("SupplierInvoice", "SI", "SupplierId", "S"),
}


_STATUS: Mapping[str, InvoiceStatus] = {"all": "paid", "part": "partially_paid",
                                         "none": "open"}


def _status(raw: Mapping[str, Any], total: Decimal | None, due: Decimal | None) -> InvoiceStatus:
    return "paid" if raw.get("Paid") else _STATUS[settlement(total, due)]


class InvoicesHandler(DocumentsHandler[Invoice]):
    """``TaxInvoice/*`` and ``SupplierInvoice/*`` (see the module docstring)."""

    resource = "invoices"
    kinds = KINDS
    noun = "invoice"

    def to_model(self, raw: Mapping[str, Any], kind: str, remote: bool = False) -> Invoice:
        """A unified invoice from a stored document."""
        total, due = as_decimal(raw.get("Total")), as_decimal(raw.get("AmountDue"))
        return Invoice(
            **self.common(raw, kind, remote), due_date=parse_wire_date(raw.get("DueDate")),
            status=_status(raw, total, due), amount_due=due,
            amount_paid=None if total is None or due is None else total - due)

    def extra_body(self, model: Invoice) -> dict[str, Any]:
        """The due date."""
        return {"DueDate": model.due_date.isoformat() if model.due_date else None}
