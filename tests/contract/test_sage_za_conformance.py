"""The sage_za plugin, found through its entry point, passes the conformance suite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.testing import ConformanceSamples, ProviderConformance


@pytest.fixture(scope="module")
def za_server() -> Iterator[SageZASandbox]:
    with SageZASandbox(seed=3, limits={"per_minute": 100_000}).running() as sandbox:
        yield sandbox


def _account(server: SageZASandbox, name: str) -> str:
    return next(str(r["ID"]) for r in server.records("Account") if r["Name"] == name)


def _customer(server: SageZASandbox) -> str:
    with ua.connect("sage_za", settings=server.settings(), credentials=server.credentials,
                    business_id=server.company_id) as client:
        return client.contacts.create(ua.Contact(name="Sample Customer",
                                                 is_customer=True)).id or ""


class TestSageZAConformance(ProviderConformance):
    @pytest.fixture
    def ua_client(self, za_server: SageZASandbox) -> Iterator[ua.Client]:
        with ua.connect("sage_za", settings=za_server.settings(),
                        credentials=za_server.credentials,
                        business_id=za_server.company_id) as client:
            yield client

    @pytest.fixture
    def ua_samples(self, za_server: SageZASandbox) -> ConformanceSamples:
        sales, bank = _account(za_server, "Sales"), _account(za_server, "Bank Charges")
        petty = _account(za_server, "Petty Cash")
        customer = _customer(za_server)
        day = dt.date(2026, 3, 2)
        return ConformanceSamples(
            new_records={
                "contacts": lambda: ua.Contact(name="Conformance (Pty) Ltd", is_customer=True),
                "invoices": lambda: ua.Invoice(
                    type="sales", contact_id=customer, issue_date=day,
                    lines=[ua.InvoiceLine(description="Work", quantity=Decimal("2"),
                                          unit_price=Decimal("100.00"), account_id=sales,
                                          tax_code="standard")]),
                "journals": lambda: ua.JournalEntry(date=day, reference="Conformance", lines=[
                    ua.JournalLine(account_id=bank, debit=Decimal("12.50")),
                    ua.JournalLine(account_id=petty, credit=Decimal("12.50"))]),
                "payments": lambda: ua.Payment(type="customer_receipt", contact_id=customer,
                                               date=day, amount=Decimal("50.00")),
                "ledger_accounts": lambda: ua.LedgerAccount(name="Conformance Expense",
                                                            type="expense"),
                "tax_rates": lambda: ua.TaxRate(name="Conformance Rate", rate=Decimal("15")),
            },
            changes={"contacts": {"name": "Renamed (Pty) Ltd", "email": "a@example.co.za"},
                     "ledger_accounts": {"name": "Renamed Expense"},
                     "tax_rates": {"name": "Renamed Rate"},
                     "invoices": {"reference": "PO-77"}},
            missing_id="999999999",
            access_token=za_server.credentials["password"],
        )
