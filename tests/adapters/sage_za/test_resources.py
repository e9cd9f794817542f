"""The unified resources over the sandbox: contacts, documents, payments, journals, chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua

DAY = dt.date(2026, 4, 1)


def _account(sandbox: SageZASandbox, name: str) -> str:
    return next(str(r["ID"]) for r in sandbox.records("Account") if r["Name"] == name)


def test_a_contact_can_be_customer_and_supplier(za_client: ua.Client,
                                               za_sandbox: SageZASandbox) -> None:
    both = za_client.contacts.create(ua.Contact(name="Both (Pty) Ltd", is_customer=True,
                                                is_supplier=True, email="b@example.co.za"))
    assert both.id
    assert both.id.startswith("C")
    assert "-S" in (both.id or "")
    assert (both.is_customer, both.is_supplier) == (True, True)
    listed = [c for c in za_client.contacts.list() if c.name == "Both (Pty) Ltd"]
    assert [c.id for c in listed] == [both.id]
    assert len(za_sandbox.records("Customer")) == len(za_sandbox.records("Supplier")) == 1
    renamed = za_client.contacts.update(both.id, {"name": "Both Renamed"})
    assert renamed.name == "Both Renamed"
    assert za_sandbox.records("Supplier")[0]["Name"] == "Both Renamed"


def test_an_invoice_with_a_vat_code_is_taxed_at_15_percent(za_client: ua.Client,
                                                          za_sandbox: SageZASandbox) -> None:
    customer = za_client.contacts.create(ua.Contact(name="Buyer", is_customer=True))
    invoice = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=customer.id or "", issue_date=DAY, number="INV-77",
        lines=[ua.InvoiceLine(description="Design", quantity=Decimal("3"),
                              unit_price=Decimal("333.33"),
                              account_id=_account(za_sandbox, "Sales"), tax_code="standard")]))
    assert invoice.id
    assert invoice.id.startswith("TI")
    assert (invoice.net_amount, invoice.tax_amount, invoice.total_amount) == (
        Decimal("999.99"), Decimal("150.00"), Decimal("1149.99"))
    assert invoice.number == "INV-77"
    assert invoice.lines[0].tax_code == "standard"
    assert invoice.status == "open"
    assert invoice.amount_due == Decimal("1149.99")


def test_an_unknown_tax_code_is_refused_never_guessed(za_client: ua.Client,
                                                     za_sandbox: SageZASandbox) -> None:
    customer = za_client.contacts.create(ua.Contact(name="Buyer", is_customer=True))
    with pytest.raises(ua.ValidationError) as caught:
        za_client.invoices.create(ua.Invoice(
            type="sales", contact_id=customer.id or "", issue_date=DAY,
            lines=[ua.InvoiceLine(unit_price=Decimal("1"), account_id=_account(za_sandbox, "Sales"),
                                  tax_code="reduced")]))
    assert "lines[0].tax_code" in caught.value.errors
    assert za_sandbox.records("TaxInvoice") == []


def test_a_receipt_allocated_to_an_invoice_pays_it(za_client: ua.Client,
                                                   za_sandbox: SageZASandbox) -> None:
    customer = za_client.contacts.create(ua.Contact(name="Payer", is_customer=True))
    invoice = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=customer.id or "", issue_date=DAY,
        lines=[ua.InvoiceLine(unit_price=Decimal("200.00"),
                              account_id=_account(za_sandbox, "Sales"), tax_code="zero")]))
    receipt = za_client.payments.create(ua.Payment(
        type="customer_receipt", contact_id=customer.id or "", date=DAY,
        amount=Decimal("200.00"),
        allocations=[ua.PaymentAllocation(invoice_id=invoice.id or "",
                                          amount=Decimal("200.00"))]))
    assert receipt.id
    assert receipt.id.startswith("CR")
    assert [(a.invoice_id, a.amount) for a in receipt.allocations] == [
        (invoice.id, Decimal("200.00"))]
    paid = za_client.invoices.get(invoice.id or "")
    assert (paid.status, paid.amount_due) == ("paid", Decimal("0.00"))


def test_an_over_allocation_is_refused_before_anything_is_written(
        za_client: ua.Client, za_sandbox: SageZASandbox) -> None:
    customer = za_client.contacts.create(ua.Contact(name="Payer", is_customer=True))
    invoice = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=customer.id or "", issue_date=DAY,
        lines=[ua.InvoiceLine(unit_price=Decimal("10.00"),
                              account_id=_account(za_sandbox, "Sales"))]))
    with pytest.raises(ua.ValidationError) as caught:
        za_client.payments.create(ua.Payment(
            type="customer_receipt", contact_id=customer.id or "", date=DAY,
            amount=Decimal("50.00"),
            allocations=[ua.PaymentAllocation(invoice_id=invoice.id or "",
                                              amount=Decimal("50.00"))]))
    assert "allocations[0].amount" in caught.value.errors
    assert za_sandbox.records("CustomerReceipt") == []


def test_allocations_name_the_amount_given_and_due_and_count_together(
        za_client: ua.Client, za_sandbox: SageZASandbox) -> None:
    """One GET per invoice; allocations to one invoice add up; nothing is written."""
    customer = za_client.contacts.create(ua.Contact(name="Payer", is_customer=True))
    other = za_client.contacts.create(ua.Contact(name="Someone else", is_customer=True))
    sales = _account(za_sandbox, "Sales")
    invoice = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=customer.id or "", issue_date=DAY,
        lines=[ua.InvoiceLine(unit_price=Decimal("100.00"), account_id=sales, tax_code="zero")]))
    theirs = za_client.invoices.create(ua.Invoice(
        type="sales", contact_id=other.id or "", issue_date=DAY,
        lines=[ua.InvoiceLine(unit_price=Decimal("5.00"), account_id=sales, tax_code="zero")]))
    with pytest.raises(ua.ValidationError) as caught:
        za_client.payments.create(ua.Payment(
            type="customer_receipt", contact_id=customer.id or "", date=DAY,
            amount=Decimal("120.00"),
            allocations=[ua.PaymentAllocation(invoice_id=invoice.id or "",
                                              amount=Decimal("70.00")),
                         ua.PaymentAllocation(invoice_id=invoice.id or "",
                                              amount=Decimal("30.00"), discount=Decimal("5")),
                         ua.PaymentAllocation(invoice_id=theirs.id or "",
                                              amount=Decimal("5.00")),
                         ua.PaymentAllocation(invoice_id="TI999999",
                                              amount=Decimal("1.00"))]))
    assert caught.value.errors == {
        "allocations[1].amount": ["given 30.00 plus a discount of 5.00, after 70.00 allocated "
                                  "to it above; the invoice's amount due is 100.00"],
        "allocations[2].invoice_id": ["the invoice belongs to another contact"],
        "allocations[3].invoice_id": ["no such invoice in this company"],
    }
    assert za_sandbox.records("CustomerReceipt") == []
    with pytest.raises(ua.ValidationError) as caught:
        za_client.payments.create(ua.Payment(
            type="customer_receipt", contact_id=customer.id or "", date=DAY,
            amount=Decimal("10.00"), currency="USD"))
    assert list(caught.value.errors) == ["currency"]
    assert za_sandbox.records("CustomerReceipt") == []


def test_a_multi_line_journal_posts_two_sided_entries_and_reads_back_as_one(
        za_client: ua.Client, za_sandbox: SageZASandbox) -> None:
    wages, paye = _account(za_sandbox, "Salaries and Wages"), _account(za_sandbox, "PAYE Payable")
    petty = _account(za_sandbox, "Petty Cash")
    lines = [ua.JournalLine(account_id=wages, debit=Decimal("30000.00")),
             ua.JournalLine(account_id=paye, credit=Decimal("6000.00")),
             ua.JournalLine(account_id=petty, credit=Decimal("24000.00"))]
    journal = za_client.journals.create(ua.JournalEntry(date=DAY, reference="Payroll",
                                                        lines=lines))
    entries = za_sandbox.records("JournalEntry")
    assert len(entries) == 2
    assert all(e["Reference"] == "Payroll" for e in entries)
    assert sorted((line.account_id, line.debit, line.credit) for line in journal.lines) == \
        sorted((line.account_id, line.debit, line.credit) for line in lines)
    assert [j.id for j in za_client.journals.list()] == [journal.id]
    assert za_client.journals.get(journal.id or "").lines == journal.lines


def test_an_unbalanced_journal_is_refused_before_any_request(za_client: ua.Client,
                                                            za_sandbox: SageZASandbox) -> None:
    before = za_sandbox.counters().total_requests
    with pytest.raises(ua.ValidationError):
        za_client.journals.create(ua.JournalEntry(date=DAY, lines=[
            ua.JournalLine(account_id="1", debit=Decimal("10")),
            ua.JournalLine(account_id="2", credit=Decimal("9"))]))
    assert za_sandbox.counters().total_requests == before


def test_the_chart_maps_to_unified_types_and_tax_rates_to_codes(za_client: ua.Client) -> None:
    accounts = {a.name: a for a in za_client.ledger_accounts.list()}
    assert (accounts["Sales"].classification, accounts["Sales"].type) == ("revenue", "revenue")
    assert accounts["VAT Control"].type == "current_liability"  # a system account, included
    assert accounts["Sales"].code is None
    rates = {r.name: (r.code, r.rate) for r in za_client.tax_rates.list()}
    assert rates == {"Standard Rate": ("standard", Decimal("15")),
                     "Standard Rate (Capital Goods)": ("standard", Decimal("15")),
                     "Zero Rated": ("zero", Decimal("0")), "Exempt": ("exempt", Decimal("0"))}
    custom = za_client.tax_rates.create(ua.TaxRate(name="Out of scope", rate=Decimal("0")))
    assert custom.code is None  # a 0 % type is not guessed to be zero-rated or exempt
    suggestion = za_client.extras.suggest_account_mapping()
    assert suggestion["sales"] == accounts["Sales"].id
    assert suggestion["vat"] == accounts["VAT Control"].id


def test_the_company_is_the_business(za_client: ua.Client, za_sandbox: SageZASandbox) -> None:
    [business] = list(za_client.businesses.list())
    assert (business.id, business.country, business.base_currency) == (
        za_sandbox.company_id, "ZA", "ZAR")


def test_connect_picks_the_only_company(za_sandbox: SageZASandbox) -> None:
    with ua.connect("sage_za", settings=za_sandbox.settings(),
                    credentials=za_sandbox.credentials) as client:
        assert client.context.business_id == za_sandbox.company_id


def test_the_proxy_reaches_other_controllers_with_the_same_auth(
        za_client: ua.Client, za_sandbox: SageZASandbox) -> None:
    banks = za_client.proxy.request("GET", "/BankAccount/Get")
    assert banks.status == 200
    assert banks.json()["Results"][0]["Name"] == "Current Account"
    item = za_client.proxy.request("POST", "/Item/Save", json={"Code": "X1", "Description": "X"})
    assert item.status == 201
    assert [r["Code"] for r in za_client.proxy.paginate("/Item/Get")] == ["CONSULT", "X1"]


def test_a_deleted_journal_of_several_entries_is_reported_once(
        za_client: ua.Client, za_sandbox: SageZASandbox) -> None:
    wages, paye = _account(za_sandbox, "Salaries and Wages"), _account(za_sandbox, "PAYE Payable")
    petty = _account(za_sandbox, "Petty Cash")
    journal = za_client.journals.create(ua.JournalEntry(date=DAY, lines=[
        ua.JournalLine(account_id=wages, debit=Decimal("10.00")),
        ua.JournalLine(account_id=paye, credit=Decimal("4.00")),
        ua.JournalLine(account_id=petty, credit=Decimal("6.00"))]))
    za_client.journals.delete(journal.id or "")
    since = (journal.created_at or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=1)
    assert [d.id for d in za_client.journals.list_deleted(since=since)] == [journal.id]
