"""sales_credit_notes and purchase_credit_notes: invoices' rules with the balance reversed.

A credit note is stored, numbered, released, voided and deleted exactly as an invoice
(:mod:`.invoices`); it lowers what the contact owes (or is owed) instead of raising it, and
its ``outstanding_amount`` is what is left to set against invoices (``contact_allocations``)
or to refund.
"""

from __future__ import annotations

from unified_accounting_sage.sandbox.resources.invoices import Kind, document_routes

__all__ = ["PURCHASE_CREDIT", "ROUTES", "SALES_CREDIT"]

SALES_CREDIT = Kind(
    "sales_credit_notes", "sales_credit_note", "CUSTOMER", "SALES_CREDIT_NOTE", "SCN-", True,
    number_field="credit_note_number", lines_key="credit_note_lines", sign=-1,
    noun="credit note", has_due_date=False, extra_text=("original_invoice_date",))
PURCHASE_CREDIT = Kind(
    "purchase_credit_notes", "purchase_credit_note", "VENDOR", "PURCHASE_CREDIT_NOTE", "PCN-",
    False, number_field=None, lines_key="credit_note_lines", sign=-1, noun="credit note",
    has_due_date=False, extra_text=("original_invoice_date",))

ROUTES = [*document_routes(SALES_CREDIT), *document_routes(PURCHASE_CREDIT)]
