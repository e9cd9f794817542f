"""The provider conformance suite, run against the Sage sandbox over HTTP.

It runs for a GB business and a US business: only US businesses may create tax rates
through Sage's API, so the tax-rate round trip runs there.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from tests.support.files import pdf_bytes
from unified_accounting.testing import ConformanceSamples, ProviderConformance

from .books import TODAY, customer, nominal_code, open_client, unique


def _records(client: ua.Client, sandbox: SageSandbox, country: str
             ) -> dict[str, Callable[[], Any]]:
    def account(code: int) -> str:
        return sandbox.ledger_account_id(country, code)

    records: dict[str, Callable[[], Any]] = {
        "contacts": lambda: ua.Contact(name="Conformance Ltd", is_customer=True,
                                       reference=unique("K")),
        "contact_persons": lambda: ua.ContactPerson(contact_id=customer(client).id,
                                                    name="Pat Conform"),
        "invoices": lambda: ua.Invoice(
            type="sales", contact_id=customer(client).id or "", issue_date=TODAY,
            status="draft", lines=[ua.InvoiceLine(description="Plan", unit_price=Decimal("9"),
                                                  account_id=account(4000))]),
        "payments": lambda: ua.Payment(
            type="customer_receipt", contact_id=customer(client).id or "", date=TODAY,
            amount=Decimal("25.00"), bank_account_id=sandbox.bank_account_id(country)),
        "journals": lambda: ua.JournalEntry(date=date(2025, 3, 31), reference=unique("J"), lines=[
            ua.JournalLine(account_id=account(7000), debit=Decimal("80")),
            ua.JournalLine(account_id=account(2109), credit=Decimal("80"))]),
        "ledger_accounts": lambda: ua.LedgerAccount(name="Conformance income",
                                                    code=nominal_code(), type="other_income"),
    }
    records["credit_notes"] = lambda: ua.CreditNote(
        type="sales", contact_id=customer(client).id or "", issue_date=TODAY, status="draft",
        lines=[ua.InvoiceLine(description="Refund", unit_price=Decimal("9"),
                              account_id=account(4000))])
    records["items"] = lambda: ua.Item(
        type="product", code=unique("IT"), description="Conformance widget",
        sales_price=Decimal("12.50"), purchase_price=Decimal("7.25"),
        sales_account_id=account(4000), purchase_account_id=account(5000))
    records["attachments"] = lambda: ua.Attachment(
        file_name="receipt.pdf", description="Scanned receipt", attached_to_kind="invoice",
        attached_to_id=client.invoices.create(records["invoices"]()).id or "")
    if country == "US":
        records["tax_rates"] = lambda: ua.TaxRate(name=unique("Rate "), rate=Decimal("2.5"))
    return records


def _allocation(client: ua.Client, account: str) -> Callable[[], tuple[ua.Invoice,
                                                                        ua.CreditNote]]:
    def pair() -> tuple[ua.Invoice, ua.CreditNote]:
        contact = customer(client).id or ""
        invoice = ua.Invoice(type="sales", contact_id=contact, issue_date=TODAY, lines=[
            ua.InvoiceLine(description="Plan", unit_price=Decimal("100.00"), account_id=account)])
        note = ua.CreditNote(type="sales", contact_id=contact, issue_date=TODAY, lines=[
            ua.InvoiceLine(description="Goodwill", unit_price=Decimal("30.00"),
                           account_id=account)])
        return invoice, note

    return pair


def _item_invoice(client: ua.Client, account: str) -> Callable[[str], ua.Invoice]:
    return lambda item_id: ua.Invoice(
        type="sales", contact_id=customer(client).id or "", issue_date=TODAY, lines=[
            ua.InvoiceLine(description="Widget", quantity=Decimal("2"),
                           unit_price=Decimal("12.50"), account_id=account, item_id=item_id)])


CHANGES: dict[str, dict[str, Any]] = {
    "contacts": {"name": "Renamed Ltd"},
    "contact_persons": {"job_title": "Controller"},
    "invoices": {"notes": "Changed by the suite"},
    "payments": {"reference": "CONF-2"},
    "ledger_accounts": {"name": "Renamed income"},
    "tax_rates": {"name": "Renamed rate"},
    "credit_notes": {"notes": "Changed by the suite"},
    "items": {"description": "Renamed widget", "sales_price": Decimal("13.75")},
}


class TestSageConformance(ProviderConformance):
    """Every contract test, for the GB and the US business of the sandbox."""

    @pytest.fixture(params=["GB", "US"])
    def country(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def ua_client(self, sandbox: SageSandbox, token: str, country: str) -> Iterator[ua.Client]:
        client = open_client(sandbox, token, country)
        yield client
        client.close()

    @pytest.fixture
    def ua_samples(self, ua_client: ua.Client, sandbox: SageSandbox, token: str,
                   country: str) -> ConformanceSamples:
        sales = sandbox.ledger_account_id(country, 4000)
        return ConformanceSamples(
            new_records=_records(ua_client, sandbox, country), changes=CHANGES,
            token_response=sandbox.issue_tokens(), access_token=token,
            allocation=_allocation(ua_client, sales),
            item_invoice=_item_invoice(ua_client, sales),
            attachment_file=lambda: io.BytesIO(pdf_bytes(150_000)))
