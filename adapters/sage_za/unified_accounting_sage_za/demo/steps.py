"""The demo's steps, each a few calls of the public API and a line or two of output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import click

import unified_accounting as ua

__all__ = ["customer", "invoice_and_receipt", "journals", "proxy_call", "say", "table"]


def say(text: str = "") -> None:
    """Print one line of the demo."""
    click.echo(text)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a small aligned table."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        say("  " + "  ".join(value.ljust(width) for value, width in zip(row, widths,
                                                                         strict=True)))


def customer(client: ua.Client) -> ua.Contact:
    """Create the customer (a v2 ``Customer``)."""
    contact = client.contacts.create(ua.Contact(
        name="Northwind Traders (Pty) Ltd", reference="NORTHWIND", is_customer=True,
        email="accounts@northwind.example"))
    say(f"Customer {contact.name} created: id {contact.id} (Customer/Save).")
    return contact


def invoice_and_receipt(client: ua.Client, contact: ua.Contact,
                        mapping: dict[str, str]) -> ua.Invoice:
    """A sales invoice at the standard VAT rate, then a receipt allocated to it in full."""
    line = ua.InvoiceLine(description="Consulting, two days", quantity=Decimal("2"),
                          unit_price=Decimal("500.00"), account_concept="sales",
                          tax_code="standard")
    invoice = client.invoices.create(ua.Invoice(
        type="sales", contact_id=contact.id or "", issue_date=date.today(), lines=[line],
        reference="DEMO-1"))
    shown = ua.dump(invoice)
    say(f"Tax invoice {invoice.number} (2 x 500.00 to account {mapping['sales']}, tax code "
        f"'standard' = the company's 'Standard Rate'): net {shown['net_amount']} + VAT "
        f"{shown['tax_amount']} = {shown['total_amount']} {invoice.currency}, {invoice.status}.")
    total = invoice.total_amount or Decimal("0")
    receipt = client.payments.create(ua.Payment(
        type="customer_receipt", contact_id=contact.id or "", date=date.today(), amount=total,
        reference="DEMO-1",
        allocations=[ua.PaymentAllocation(invoice_id=invoice.id or "", amount=total)]))
    paid = client.invoices.get(invoice.id or "")
    say(f"Customer receipt {receipt.id} of {ua.dump(receipt)['amount']} allocated to it "
        f"(CustomerReceipt/Save, then Allocation/Save): invoice {paid.number} is now "
        f"{paid.status}, {ua.dump(paid)['amount_due']} due.")
    return paid


def journals(client: ua.Client, accounts: dict[str, str],
             requests_sent: Callable[[], int]) -> None:
    """Post a three-line payroll journal, then show an unbalanced one refused locally."""
    lines = [ua.JournalLine(account_id=accounts["Salaries and Wages"], debit=Decimal("2500.00")),
             ua.JournalLine(account_id=accounts["PAYE Payable"], credit=Decimal("500.00")),
             ua.JournalLine(account_id=accounts["Petty Cash"], credit=Decimal("2000.00"))]
    posted = client.journals.create(ua.JournalEntry(
        date=date.today(), reference="PAYROLL-01", description="Monthly payroll", lines=lines))
    entries = len((posted.id or "J").split("-"))
    say(f"Journal {posted.reference} posted: {len(lines)} lines as {entries} two-sided "
        f"entries in one JournalEntry/SaveBatch; read back as journal {posted.id} with "
        f"2500.00 debit = 2500.00 credit.")
    before = requests_sent()
    try:
        client.journals.create(ua.JournalEntry(date=date.today(), reference="PAYROLL-02", lines=[
            ua.JournalLine(account_id=accounts["Salaries and Wages"], debit=Decimal("100.00")),
            ua.JournalLine(account_id=accounts["Petty Cash"], credit=Decimal("99.99"))]))
    except ua.ValidationError as exc:
        say(f"Unbalanced journal refused: {exc.message}")
    say(f"  requests the sandbox received before and after: {before} -> {requests_sent()}.")


def proxy_call(client: ua.Client) -> None:
    """Reach a controller the unified model does not map."""
    banks = client.proxy.request("GET", "/BankAccount/Get").json()
    first = banks["Results"][0]
    say(f"GET BankAccount/Get through the proxy (same login, company and pacing): "
        f"{banks['TotalResults']} bank account, '{first['Name']}' at {first['BankName']}.")
