"""The sage_za demo's credit note step: a return set against an invoice, and what is owed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import unified_accounting as ua
from unified_accounting_sage_za.demo.steps import say

__all__ = ["credit_note_allocated"]


def credit_note_allocated(client: ua.Client, contact: ua.Contact) -> ua.CreditNote:
    """Invoice three design hours (an item), credit one, and set the return against it."""
    hour = client.items.create(ua.Item(type="service", code="DESIGN", description="Design hour",
                                       sales_price=Decimal("400.00")))
    invoice = client.invoices.create(ua.Invoice(
        type="sales", contact_id=contact.id or "", issue_date=date.today(), reference="DEMO-2",
        lines=[ua.InvoiceLine(description="Design", quantity=Decimal("3"),
                              unit_price=hour.sales_price, item_id=hour.id,
                              tax_code="standard")]))
    before = ua.dump(invoice)["amount_due"]
    note = client.credit_notes.create(ua.CreditNote(
        type="sales", contact_id=contact.id or "", issue_date=date.today(),
        invoice_id=invoice.id, lines=[ua.InvoiceLine(
            description="One hour not worked", unit_price=hour.sales_price, item_id=hour.id,
            tax_code="standard")]))
    say(f"Item {hour.code} (Item/Save) sold on tax invoice {invoice.number}: {before} due. "
        f"Customer return {note.number} for one hour: {ua.dump(note)['total_amount']}.")
    allocation = ua.CreditNoteAllocation(invoice_id=invoice.id or "",
                                         amount=note.total_amount or Decimal("0"))
    allocated: ua.CreditNote = client.credit_notes.allocate(note.id or "", [allocation])
    after = client.invoices.get(invoice.id or "")
    say(f"Return allocated to the invoice (Allocation/Save, the return as source): invoice "
        f"{after.number} outstanding {before} -> {ua.dump(after)['amount_due']} "
        f"({after.status}); credit note {allocated.status}.")
    return allocated
