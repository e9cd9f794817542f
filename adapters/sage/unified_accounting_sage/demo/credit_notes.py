"""The demo's credit note step: an invoice, a credit note against it, and what is then owed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import unified_accounting as ua
from unified_accounting_sage.demo.steps import say

__all__ = ["credit_note_allocated"]


def credit_note_allocated(client: ua.Client, contact: ua.Contact) -> ua.CreditNote:
    """Invoice two days of work, credit one of them, and set the credit note against it."""
    day = ua.InvoiceLine(description="Workshop day", unit_price=Decimal("250.00"),
                         account_concept="sales", tax_code="standard")
    invoice = client.invoices.create(ua.Invoice(
        type="sales", contact_id=contact.id or "", issue_date=date.today(),
        lines=[replace(day, quantity=Decimal("2"))], reference="DEMO-2"))
    before = ua.dump(invoice)["amount_due"]
    note = client.credit_notes.create(ua.CreditNote(
        type="sales", contact_id=contact.id or "", issue_date=date.today(),
        invoice_id=invoice.id, lines=[day], reference="DEMO-2"))
    say(f"Sales invoice {invoice.number} for two workshop days: {before} due. Credit note "
        f"{note.number} for one day: {ua.dump(note)['total_amount']}.")
    allocation = ua.CreditNoteAllocation(invoice_id=invoice.id or "",
                                         amount=note.total_amount or Decimal("0"))
    allocated: ua.CreditNote = client.credit_notes.allocate(note.id or "", [allocation])
    after = client.invoices.get(invoice.id or "")
    say(f"Credit note allocated to the invoice (POST /contact_allocations): invoice "
        f"{after.number} outstanding {before} -> {ua.dump(after)['amount_due']} "
        f"({after.status}); credit note {allocated.status}, "
        f"{ua.dump(allocated)['amount_remaining']} left.")
    return allocated
