"""sales_credit_notes and purchase_credit_notes: invoices' rules with the balance reversed.

A credit note is stored, numbered, released, voided and deleted exactly as an invoice
(:mod:`.invoices`); it lowers what the contact owes (or is owed) instead of raising it, and
its ``outstanding_amount`` is what is left to set against invoices (``contact_allocations``)
or to refund. Its double entry is the reverse of an invoice's with the same lines
(:func:`~unified_accounting_sage.sandbox.ledger_rules.sales_credit_note`, ``purchase_...``):
posted on release (or a create that is not a draft), reposted when its lines, contact or
date change, reversed when it is voided or deleted.
"""

from __future__ import annotations

from unified_accounting_sage.sandbox.ledger_rules import purchase_credit_note, sales_credit_note
from unified_accounting_sage.sandbox.resources.invoices import Kind, document_routes

__all__ = ["PURCHASE_CREDIT", "ROUTES", "SALES_CREDIT"]

SALES_CREDIT = Kind(
    "sales_credit_notes", "sales_credit_note", "CUSTOMER", "SALES_CREDIT_NOTE", "SCN-", True,
    rule=sales_credit_note, number_field="credit_note_number", lines_key="credit_note_lines",
    sign=-1, noun="credit note", has_due_date=False, extra_text=("original_invoice_date",))
PURCHASE_CREDIT = Kind(
    "purchase_credit_notes", "purchase_credit_note", "VENDOR", "PURCHASE_CREDIT_NOTE", "PCN-",
    False, rule=purchase_credit_note, number_field=None, lines_key="credit_note_lines",
    sign=-1, noun="credit note", has_due_date=False, extra_text=("original_invoice_date",))

ROUTES = [*document_routes(SALES_CREDIT), *document_routes(PURCHASE_CREDIT)]
