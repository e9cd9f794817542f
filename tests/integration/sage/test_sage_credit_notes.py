"""Credit notes through the Sage adapter and the sandbox over HTTP: checks, allocations, voids."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.syncing import SQLiteMirror, Syncer, scope_of

from .books import TODAY, customer, sales_invoice, supplier


def _note(contact_id: str, account: str, price: str = "25.00", **fields: object) -> ua.CreditNote:
    return ua.CreditNote(type="sales", contact_id=contact_id, issue_date=TODAY, lines=[
        ua.InvoiceLine(description="Goodwill", unit_price=Decimal(price), account_id=account,
                       tax_code="standard")], **fields)  # type: ignore[arg-type]


@pytest.fixture
def sales(sandbox: SageSandbox) -> str:
    return sandbox.ledger_account_id("GB", 4000)


def _posts(sandbox: SageSandbox) -> int:
    return sum(n for endpoint, n in sandbox.counters.requests.items()
               if not endpoint.startswith("GET "))


def test_a_credit_note_reads_back_as_sage_stores_it(client: ua.Client, sales: str) -> None:
    contact = customer(client)
    invoice = client.invoices.create(sales_invoice(contact.id or "", sales))
    note = client.credit_notes.create(_note(contact.id or "", sales, invoice_id=invoice.id,
                                            reference="RMA-7"))
    assert (note.type, note.status) == ("sales", "open")
    assert (note.number or "").startswith("SCN-")
    assert (note.net_amount, note.tax_amount, note.total_amount) == (
        Decimal("25.0"), Decimal("5.0"), Decimal("30.0"))
    assert (note.amount_allocated, note.amount_remaining) == (Decimal("0"), Decimal("30.0"))
    assert note.invoice_id is None  # Sage keeps only the original invoice's date
    raw = client.proxy.request("GET", f"/sales_credit_notes/{note.id}").json()
    assert raw["original_invoice_date"] == invoice.issue_date.isoformat()
    assert client.credit_notes.get(note.id or "") == note


def test_contact_and_original_invoice_are_checked_before_anything_is_sent(
    client: ua.Client, sandbox: SageSandbox, sales: str
) -> None:
    vendor, contact, other = supplier(client), customer(client), customer(client)
    invoice = client.invoices.create(sales_invoice(contact.id or "", sales))
    before = _posts(sandbox)
    with pytest.raises(ua.ValidationError) as wrong_role:
        client.credit_notes.create(_note(vendor.id or "", sales))
    assert "customer" in wrong_role.value.errors["contact_id"][0]
    with pytest.raises(ua.ValidationError) as wrong_invoice:
        client.credit_notes.create(_note(other.id or "", sales, invoice_id=invoice.id))
    assert "belongs to contact" in wrong_invoice.value.errors["invoice_id"][0]
    with pytest.raises(ua.ValidationError) as unknown:
        client.credit_notes.create(_note(contact.id or "", sales, invoice_id="0" * 32))
    assert "no sales invoice" in unknown.value.errors["invoice_id"][0]
    assert _posts(sandbox) == before


def test_a_line_tax_that_disagrees_with_its_rate_is_refused_as_on_an_invoice(
    client: ua.Client, sandbox: SageSandbox, sales: str
) -> None:
    """GB standard is 20 %: 4.00 on 25.00 is refused before the POST and before a PUT."""
    contact = customer(client)
    before = _posts(sandbox)
    wrong = _note(contact.id or "", sales)
    wrong.lines[0].net_amount, wrong.lines[0].tax_amount = Decimal("25.00"), Decimal("4.00")
    with pytest.raises(ua.ValidationError) as caught:
        client.credit_notes.create(wrong)
    assert caught.value.errors == {"lines[0].tax_amount": [
        "tax_amount 4.00 != net_amount x 20% 5.00 (difference 1.00)"]}
    assert _posts(sandbox) == before
    note = client.credit_notes.create(_note(contact.id or "", sales))
    before = _posts(sandbox)
    with pytest.raises(ua.ValidationError) as on_update:
        client.credit_notes.update(note.id or "", {"lines": wrong.lines})
    assert list(on_update.value.errors) == ["lines[0].tax_amount"]
    assert _posts(sandbox) == before


def test_allocate_lowers_the_invoice_due_and_refuses_what_does_not_fit(
    client: ua.Client, sandbox: SageSandbox, sales: str
) -> None:
    contact, other = customer(client), customer(client)
    invoice = client.invoices.create(sales_invoice(contact.id or "", sales))  # 100.00
    note = client.credit_notes.create(_note(contact.id or "", sales, price="150.00"))  # 180.00
    elsewhere = client.invoices.create(sales_invoice(other.id or "", sales))
    euro = client.invoices.create(ua.Invoice(
        type="sales", contact_id=contact.id or "", issue_date=TODAY, currency="EUR",
        lines=[ua.InvoiceLine(description="Work", unit_price=Decimal("10"), account_id=sales)]))
    before = _posts(sandbox)
    refusals = {
        "allocations[0].amount": [ua.CreditNoteAllocation(invoice_id=invoice.id or "",
                                                          amount=Decimal("100.01"))],
        "allocations[0].invoice_id": [ua.CreditNoteAllocation(invoice_id=elsewhere.id or "",
                                                              amount=Decimal("1.00"))],
    }
    for path, allocations in refusals.items():
        with pytest.raises(ua.ValidationError) as caught:
            client.credit_notes.allocate(note.id or "", allocations)
        assert path in caught.value.errors, caught.value.errors
    with pytest.raises(ua.ValidationError) as currency:
        client.credit_notes.allocate(note.id or "", [
            ua.CreditNoteAllocation(invoice_id=euro.id or "", amount=Decimal("1.00"))])
    assert "in EUR" in currency.value.errors["allocations[0].invoice_id"][0]
    assert _posts(sandbox) == before

    after = client.credit_notes.allocate(note.id or "", [
        ua.CreditNoteAllocation(invoice_id=invoice.id or "", amount=Decimal("80.00"),
                                date=date(2025, 3, 9))])
    assert (after.amount_remaining, after.status) == (Decimal("100.0"), "partially_allocated")
    assert after.allocations == [ua.CreditNoteAllocation(
        invoice_id=invoice.id or "", amount=Decimal("80.0"), date=date(2025, 3, 9))]
    paid_down = client.invoices.get(invoice.id or "")
    assert (paid_down.amount_due, paid_down.status) == (Decimal("20.0"), "partially_paid")
    with pytest.raises(ua.ValidationError) as over_due:
        client.credit_notes.allocate(note.id or "", [
            ua.CreditNoteAllocation(invoice_id=invoice.id or "", amount=Decimal("20.01"))])
    assert "amount_due 20.00" in over_due.value.errors["allocations[0].amount"][0]


def test_allocations_given_at_create_are_checked_first_and_then_made(
    client: ua.Client, sandbox: SageSandbox, sales: str
) -> None:
    contact = customer(client)
    invoice = client.invoices.create(sales_invoice(contact.id or "", sales))  # 100.00
    allocations = [ua.CreditNoteAllocation(invoice_id=invoice.id or "", amount=Decimal("30"))]
    before = _posts(sandbox)
    with pytest.raises(ua.ValidationError) as no_total:
        client.credit_notes.create(_note(contact.id or "", sales, allocations=allocations))
    assert list(no_total.value.errors) == ["total_amount"]
    too_much = [ua.CreditNoteAllocation(invoice_id=invoice.id or "", amount=Decimal("110"))]
    with pytest.raises(ua.ValidationError) as over:
        client.credit_notes.create(_note(contact.id or "", sales, price="150.00",
                                         total_amount=Decimal("180.00"), allocations=too_much))
    assert "allocations[0].amount" in over.value.errors
    assert _posts(sandbox) == before

    note = client.credit_notes.create(_note(contact.id or "", sales,
                                            total_amount=Decimal("30.00"),
                                            allocations=allocations))
    assert (note.amount_remaining, note.status) == (Decimal("0.0"), "allocated")
    assert client.invoices.get(invoice.id or "").amount_due == Decimal("70.0")
    with pytest.raises(ua.ValidationError) as changed:
        client.credit_notes.update(note.id or "", {"allocations": []})
    assert "allocations" in changed.value.errors


def test_purchase_credit_notes_void_and_release(client: ua.Client, sandbox: SageSandbox) -> None:
    costs = sandbox.ledger_account_id("GB", 5000)
    vendor = supplier(client)
    purchase = client.credit_notes.create(ua.CreditNote(
        type="purchase", contact_id=vendor.id or "", issue_date=TODAY, number="SUP-CN-1",
        lines=[ua.InvoiceLine(description="Returned paper", quantity=Decimal("2"),
                              unit_price=Decimal("26.70"), account_id=costs)]))
    assert (purchase.number, purchase.total_amount) == ("SUP-CN-1", Decimal("53.4"))
    client.credit_notes.delete(purchase.id or "")
    with pytest.raises(ua.NotFoundError):
        client.credit_notes.get(purchase.id or "")

    contact = customer(client)
    sales = sandbox.ledger_account_id("GB", 4000)
    draft = client.credit_notes.create(_note(contact.id or "", sales, status="draft"))
    assert draft.status == "draft"
    released = client.credit_notes.release(draft.id or "")
    assert released.status == "open"
    client.credit_notes.delete(released.id or "", void_reason="Raised in error")
    assert client.credit_notes.get(released.id or "").status == "void"
    assert [n.id for n in client.credit_notes.list(type="sales", status="void")] == [
        released.id]


def test_credit_notes_sync_into_the_mirror_with_their_allocations(
    sandbox: SageSandbox, client: ua.Client, tmp_path: Path
) -> None:
    sales = sandbox.ledger_account_id("GB", 4000)
    contact = customer(client)
    invoice = client.invoices.create(sales_invoice(contact.id or "", sales))
    note = client.credit_notes.create(_note(contact.id or "", sales))
    with SQLiteMirror(tmp_path / "m.sqlite3") as mirror:
        syncer = Syncer(mirror, resources=["invoices", "credit_notes"], clock=sandbox.now)
        assert syncer.run(client).ok
        scope = scope_of(client)
        stored = mirror.get(scope, "credit_notes", note.id or "")
        assert stored is not None
        assert stored.model() == note
        client.credit_notes.allocate(note.id or "", [
            ua.CreditNoteAllocation(invoice_id=invoice.id or "", amount=Decimal("30.00"))])
        sandbox.advance_clock(120)
        second = syncer.run(client)
        assert {s.resource: s.updated for s in second.streams} == {"invoices": 1,
                                                                   "credit_notes": 1}
        again = mirror.get(scope, "credit_notes", note.id or "")
        assert again is not None
        allocated = again.model()
        assert isinstance(allocated, ua.CreditNote)
        assert allocated.allocations[0].invoice_id == invoice.id
