"""The sage_za plugin, found through its entry point, passes the conformance suite."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
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


_codes = itertools.count(1)


def _line(account: str, price: str) -> ua.InvoiceLine:
    return ua.InvoiceLine(description="Work", unit_price=Decimal(price), account_id=account,
                          tax_code="standard")


def _allocation(customer: str, sales: str, day: dt.date
                ) -> Callable[[], tuple[ua.Invoice, ua.CreditNote]]:
    return lambda: (
        ua.Invoice(type="sales", contact_id=customer, issue_date=day,
                   lines=[_line(sales, "200.00")]),
        ua.CreditNote(type="sales", contact_id=customer, issue_date=day,
                      lines=[_line(sales, "40.00")]))


def _item_invoice(customer: str, day: dt.date) -> Callable[[str], ua.Invoice]:
    return lambda item_id: ua.Invoice(type="sales", contact_id=customer, issue_date=day, lines=[
        ua.InvoiceLine(description="Hours", quantity=Decimal("3"), unit_price=Decimal("950.00"),
                       item_id=item_id, tax_code="standard")])


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
                "credit_notes": lambda: ua.CreditNote(
                    type="sales", contact_id=customer, issue_date=day,
                    lines=[_line(sales, "30.00")]),
                "items": lambda: ua.Item(
                    type="service", code=f"CONF{next(_codes):04d}", description="Conformance hour",
                    sales_price=Decimal("950.00"), purchase_price=Decimal("400.00")),
            },
            changes={"contacts": {"name": "Renamed (Pty) Ltd", "email": "a@example.co.za"},
                     "ledger_accounts": {"name": "Renamed Expense"},
                     "tax_rates": {"name": "Renamed Rate"},
                     "invoices": {"reference": "PO-77"},
                     "credit_notes": {"notes": "Changed by the suite"},
                     "items": {"description": "Renamed hour", "sales_price": Decimal("990.00")}},
            missing_id="999999999",
            access_token=za_server.credentials["password"],
            allocation=_allocation(customer, sales, day),
            item_invoice=_item_invoice(customer, day),
        )
