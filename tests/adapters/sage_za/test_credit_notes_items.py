"""Credit notes (returns) with allocations, and items, over the v2 sandbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua

DAY = dt.date(2026, 4, 1)


def _account(sandbox: SageZASandbox, name: str) -> str:
    return next(str(r["ID"]) for r in sandbox.records("Account") if r["Name"] == name)


def _line(sandbox: SageZASandbox, price: str, **fields: Any) -> ua.InvoiceLine:
    values: dict[str, Any] = {"description": "Work", "unit_price": Decimal(price),
                              "account_id": _account(sandbox, "Sales"), "tax_code": "standard"}
    values.update(fields)
    return ua.InvoiceLine(**values)


def _writes(sandbox: SageZASandbox) -> int:
    """Save and Delete calls the sandbox has answered (endpoints read ``Item/save``)."""
    return sum(n for endpoint, n in sandbox.counters().requests.items()
               if endpoint.lower().split("/")[-1] in ("save", "savebatch", "delete"))


def test_a_return_allocated_to_an_invoice_lowers_what_it_owes(
    za_client: ua.Client, za_sandbox: SageZASandbox
) -> None:
    buyer = za_client.contacts.create(ua.Contact(name="Buyer", is_customer=True))
    invoice = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=buyer.id or "", issue_date=DAY,
        lines=[_line(za_sandbox, "200.00")]))  # 230.00
    note = za_client.credit_notes.create(ua.CreditNote(
        type="sales", contact_id=buyer.id or "", issue_date=DAY, invoice_id=invoice.id,
        lines=[_line(za_sandbox, "100.00")]))  # 115.00
    assert (note.id or "").startswith("CN")
    assert (note.invoice_id, note.total_amount, note.amount_remaining, note.status) == (
        invoice.id, Decimal("115.00"), Decimal("115.00"), "open")
    (stored,) = za_sandbox.records("CustomerReturn")
    assert stored["FromDocumentId"] == int((invoice.id or "")[2:])

    after = za_client.credit_notes.allocate(note.id or "", [
        ua.CreditNoteAllocation(invoice_id=invoice.id or "", amount=Decimal("115.00"))])
    assert (after.amount_remaining, after.amount_allocated, after.status) == (
        Decimal("0.00"), Decimal("115.00"), "allocated")
    assert [(a.invoice_id, a.amount) for a in after.allocations] == [
        (invoice.id, Decimal("115.00"))]
    assert za_client.invoices.get(invoice.id or "").amount_due == Decimal("115.00")
    (allocation,) = za_sandbox.records("Allocation")
    assert allocation["SourceDocumentId"] == int((note.id or "")[2:])
    assert [n.allocations for n in za_client.credit_notes.list()] == [after.allocations]


def test_allocations_are_checked_before_anything_is_saved(
    za_client: ua.Client, za_sandbox: SageZASandbox
) -> None:
    buyer = za_client.contacts.create(ua.Contact(name="Buyer", is_customer=True))
    other = za_client.contacts.create(ua.Contact(name="Other", is_customer=True))
    invoice = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=buyer.id or "", issue_date=DAY,
        lines=[_line(za_sandbox, "100.00")]))  # 115.00
    foreign = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=other.id or "", issue_date=DAY,
        lines=[_line(za_sandbox, "100.00")]))
    note = za_client.credit_notes.create(ua.CreditNote(
        type="sales", contact_id=buyer.id or "", issue_date=DAY,
        lines=[_line(za_sandbox, "200.00")]))  # 230.00
    before = _writes(za_sandbox)
    assert before >= 5  # the counting sees the writes above
    cases = {
        "allocations[0].amount": (invoice.id, "115.01"),
        "allocations[0].invoice_id": (foreign.id, "1.00"),
    }
    for path, (invoice_id, amount) in cases.items():
        with pytest.raises(ua.ValidationError) as caught:
            za_client.credit_notes.allocate(note.id or "", [
                ua.CreditNoteAllocation(invoice_id=invoice_id or "", amount=Decimal(amount))])
        assert path in caught.value.errors
    with pytest.raises(ua.ValidationError) as purchase:
        za_client.credit_notes.allocate(note.id or "", [
            ua.CreditNoteAllocation(invoice_id="SI1", amount=Decimal("1.00"))])
    assert "no sales invoice SI1" in purchase.value.errors["allocations[0].invoice_id"][0]
    assert _writes(za_sandbox) == before
    assert za_sandbox.records("Allocation") == []


def test_a_return_names_the_right_kind_of_contact_and_invoice(
    za_client: ua.Client, za_sandbox: SageZASandbox
) -> None:
    vendor = za_client.contacts.create(ua.Contact(name="Vendor", is_supplier=True))
    buyer = za_client.contacts.create(ua.Contact(name="Buyer", is_customer=True))
    with pytest.raises(ua.ValidationError) as party:
        za_client.credit_notes.create(ua.CreditNote(
            type="sales", contact_id=vendor.id or "", issue_date=DAY,
            lines=[_line(za_sandbox, "1.00")]))
    assert "customer contact" in party.value.errors["contact_id"][0]
    with pytest.raises(ua.ValidationError) as kind:
        za_client.credit_notes.create(ua.CreditNote(
            type="sales", contact_id=buyer.id or "", issue_date=DAY, invoice_id="SI12",
            lines=[_line(za_sandbox, "1.00")]))
    assert list(kind.value.errors) == ["invoice_id"]
    purchase = za_client.credit_notes.create(ua.CreditNote(
        type="purchase", contact_id=vendor.id or "", issue_date=DAY,
        lines=[_line(za_sandbox, "10.00", account_id=_account(za_sandbox, "Cost of Sales"))]))
    assert (purchase.id or "").startswith("SN")
    assert za_client.credit_notes.update(purchase.id or "", {"notes": "Damaged"}).notes == \
        "Damaged"
    assert not za_client.credit_notes.supports("delete")


def test_items_and_the_lines_that_sell_them(za_client: ua.Client,
                                            za_sandbox: SageZASandbox) -> None:
    standard = next(str(t["ID"]) for t in za_sandbox.records("TaxType")
                    if t["Name"] == "Standard Rate")
    product = za_client.items.create(ua.Item(
        type="product", code="W-1", description="Widget", sales_price=Decimal("100.00"),
        purchase_price=Decimal("60.00"), sales_tax_rate_id=standard))
    assert (product.type, product.sales_price, product.sales_tax_rate_id) == (
        "product", Decimal("100.00"), standard)
    stored = next(r for r in za_sandbox.records("Item") if str(r["ID"]) == product.id)
    assert (stored["Physical"], stored["PriceInclusive"]) == (True, Decimal("115.00"))
    with pytest.raises(ua.ValidationError) as accounts:
        za_client.items.create(ua.Item(type="service", description="x", code="X",
                                       sales_account_id="1"))
    assert list(accounts.value.errors) == ["sales_account_id"]
    with pytest.raises(ua.ValidationError) as taken:
        za_client.items.create(ua.Item(type="service", description="y", code="w-1"))
    assert taken.value.status == 400

    buyer = za_client.contacts.create(ua.Contact(name="Buyer", is_customer=True))
    with pytest.raises(ua.ValidationError) as both:
        za_client.invoices.create(ua.Invoice(
            type="sales", contact_id=buyer.id or "", issue_date=DAY,
            lines=[_line(za_sandbox, "100.00", item_id=product.id)]))
    assert list(both.value.errors) == ["lines[0].account_id"]
    invoice = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=buyer.id or "", issue_date=DAY,
        lines=[_line(za_sandbox, "100.00", item_id=product.id, account_id=None)]))
    assert (invoice.lines[0].item_id, invoice.lines[0].account_id) == (product.id, None)
    with pytest.raises(ua.ConflictError):
        za_client.items.delete(product.id or "")
    spare = za_client.items.create(ua.Item(type="service", description="Spare", code="SP"))
    za_client.items.delete(spare.id or "")
    with pytest.raises(ua.NotFoundError):
        za_client.items.get(spare.id or "")
