"""The demo's steps, each a few calls of the public API and a line or a table of output."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import click

import unified_accounting as ua
from unified_accounting.cli.options import RequestCounter
from unified_accounting.cli.output import echo_table
from unified_accounting_sage.demo.target import DemoTarget

__all__ = [
    "choose_business",
    "customer",
    "financial_settings",
    "invoice_and_receipt",
    "journals",
    "map_accounts",
    "standard_rate",
    "trial_balance",
]

CUSTOMER_REFERENCE = "NORTHWIND"
# The product's own names for the accounts it posts to, mapped once per connection.
CONCEPTS = ("sales", "bank", "wages", "accruals")


def say(text: str = "") -> None:
    """Print one line of the demo."""
    click.echo(text)


def choose_business(client: ua.Client, wanted: str | None) -> ua.Business:
    """List the user's businesses and return the one asked for, else the GB one.

    Raises:
        click.ClickException: no such business.
    """
    found = list(client.businesses.list())
    say("The connected user's businesses (GET /businesses):")
    echo_table(("id", "name", "country", "lead"),
               [(b.id, b.name, b.country, "yes" if b.is_lead else "") for b in found])
    chosen = next((b for b in found if b.id == wanted or (not wanted and b.country == "GB")),
                  None)
    if chosen is None:
        raise click.ClickException(f"no business {wanted or 'in GB'}; pass --business ID")
    say(f"Working with {chosen.name} ({chosen.country}).")
    return chosen


def customer(client: ua.Client) -> ua.Contact:
    """Upsert the customer by its reference: re-running never creates a second one."""
    contact = ua.Contact(name="Northwind Traders", reference=CUSTOMER_REFERENCE,
                         is_customer=True, email="accounts@northwind.example", credit_days=30)
    saved: ua.Contact = client.contacts.upsert(contact, match_on="reference")
    again: ua.Contact = client.contacts.upsert(contact, match_on="reference")
    say(f"Customer {saved.reference} upserted by reference: id {saved.id} "
        f"(upserted again: {'same id' if again.id == saved.id else 'a second contact!'}).")
    return saved


def standard_rate(client: ua.Client) -> ua.TaxRate:
    """Show which of the business's tax rates the unified code ``standard`` resolves to."""
    rate_id = client.extras.tax_codes.resolve("standard")
    rate = client.tax_rates.get(rate_id)
    say(f"Tax code 'standard' resolves to the business's rate {rate.id} "
        f"({rate.name}, {rate.rate or 0:.2f}%).")
    return rate


def map_accounts(client: ua.Client) -> dict[str, str]:
    """Store an account mapping from the country's suggestions, checked against the chart."""
    mappings = client.extras.account_mapping
    suggested = {s.concept: s.ledger_account_id for s in mappings.suggest()
                 if s.concept in CONCEPTS and s.ledger_account_id}
    mappings.set(suggested)
    names = {a.id: f"{a.code} {a.name}" for a in client.ledger_accounts.list()
             if a.id in suggested.values()}
    say("Account mapping (product concept -> the business's ledger account):")
    echo_table(("concept", "account"), [(c, names.get(i, i)) for c, i in suggested.items()])
    return suggested


def invoice_and_receipt(client: ua.Client, contact: ua.Contact) -> ua.Invoice:
    """Create a sales invoice by concept and tax code, then pay it in full."""
    line = ua.InvoiceLine(description="Consulting, two days", quantity=Decimal("2"),
                          unit_price=Decimal("500.00"), account_concept="sales",
                          tax_code="standard")
    invoice = client.invoices.create(ua.Invoice(
        type="sales", contact_id=contact.id or "", issue_date=date.today(), lines=[line],
        reference="DEMO-1"))
    shown = ua.dump(invoice)  # money written to the currency's places
    say(f"Sales invoice {invoice.number} (line: 2 x 500.00, account concept 'sales', tax code "
        f"'standard'): net {shown['net_amount']} + tax {shown['tax_amount']} = "
        f"{shown['total_amount']} {invoice.currency}, status {invoice.status}.")
    total = invoice.total_amount or Decimal("0")
    receipt = client.payments.create(ua.Payment(
        type="customer_receipt", contact_id=contact.id or "", date=date.today(),
        amount=total, reference="DEMO-1",
        allocations=[ua.PaymentAllocation(invoice_id=invoice.id or "", amount=total)]))
    paid = client.invoices.get(invoice.id or "")
    say(f"Customer receipt of {ua.dump(receipt)['amount']} allocated to it: invoice "
        f"{paid.number} is now {paid.status}, {ua.dump(paid)['amount_due']} due.")
    return paid


def journals(client: ua.Client, counter: RequestCounter, target: DemoTarget) -> None:
    """Post a balanced journal, then show an unbalanced one refused before any request."""
    lines = [ua.JournalLine(account_concept="wages", debit=Decimal("2500.00")),
             ua.JournalLine(account_concept="accruals", credit=Decimal("2500.00"))]
    posted = client.journals.create(ua.JournalEntry(
        date=date.today(), reference="PAYROLL-01", description="Monthly payroll", lines=lines))
    say(f"Journal {posted.reference} posted: {len(posted.lines)} lines, 2500.00 debit = "
        "2500.00 credit.")
    before = (counter.count, target.sandbox_requests())
    unbalanced = ua.JournalEntry(date=date.today(), reference="PAYROLL-02", lines=[
        ua.JournalLine(account_concept="wages", debit=Decimal("100.00")),
        ua.JournalLine(account_concept="accruals", credit=Decimal("99.99"))])
    try:
        client.journals.create(unbalanced)
    except ua.ValidationError as exc:
        say(f"Unbalanced journal refused: {exc.message}")
    after = (counter.count, target.sandbox_requests())
    seen = "" if after[1] is None else f"; the sandbox counted {before[1]} -> {after[1]}"
    say(f"  requests sent before and after: {before[0]} -> {after[0]}{seen}.")


def financial_settings(client: ua.Client) -> dict[str, Any]:
    """Read an endpoint the unified model does not map, through the proxy."""
    found: dict[str, Any] = client.proxy.request("GET", "/financial_settings").json()
    currency = (found.get("base_currency") or {}).get("id")
    say(f"GET /financial_settings through the proxy: base currency {currency}, year end "
        f"{found.get('year_end_date')}, accounting type {found.get('accounting_type')}.")
    return found


def trial_balance(client: ua.Client, as_of: date) -> ua.TrialBalance:
    """Print the trial balance the core computes from the ledger's entries."""
    balance = client.reports.trial_balance(as_of=as_of)
    shown = ua.dump(balance)
    say(f"Trial balance at {shown['as_of']}, computed from the ledger entries Sage posted for "
        "every invoice, receipt and journal:")
    rows = [(line["code"], line["name"], line["debit"], line["credit"])
            for line in shown["lines"]]
    echo_table(("code", "account", "debit", "credit"),
               [*rows, ("", "Total", shown["total_debit"], shown["total_credit"])])
    return balance
