"""v2 has no idempotency token: writes whose answers are lost are looked up, never doubled.

500 creates (contacts, sales invoices, journals) against a sandbox that fails about one write
in five: answers dropped or turned into 500s after the commit, and 503s or dropped
connections before it. Every create must come back exactly once, under its own id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua

pytestmark = pytest.mark.slow

WRITES = {"contacts": 300, "invoices": 150, "journals": 50}
FAULTS = {"drop_after_commit": 0.08, "error_500_after_commit": 0.06, "error_503": 0.03,
          "drop": 0.03}


def _no_wait(seconds: float) -> None:
    return None


def test_500_writes_with_a_fifth_failing_make_no_duplicate() -> None:
    with SageZASandbox(seed=5, limits={"per_minute": 1_000_000}).running() as sb:
        accounts = {r["Name"]: str(r["ID"]) for r in sb.records("Account")}
        client = ua.connect("sage_za", settings=sb.settings(write_attempts=8),
                            credentials=sb.credentials, business_id=sb.company_id,
                            sleep=_no_wait, jitter=lambda ceiling: 0.0, resend_sleep=_no_wait)
        customer = client.contacts.create(ua.Contact(name="Anchor", is_customer=True))
        sb.set_fault_rates(**FAULTS)
        returned: list[str] = []
        for n in range(WRITES["contacts"]):
            returned.append(client.contacts.create(ua.Contact(name=f"C{n}", is_customer=True)).id
                            or "")
        for n in range(WRITES["invoices"]):
            returned.append(client.invoices.create(ua.Invoice(
                type="sales", contact_id=customer.id or "", issue_date=dt.date(2026, 5, 1),
                reference=f"R{n}", lines=[ua.InvoiceLine(
                    unit_price=Decimal("10.00"), account_id=accounts["Sales"],
                    tax_code="standard")])).id or "")
        for n in range(WRITES["journals"]):
            returned.append(client.journals.create(ua.JournalEntry(
                date=dt.date(2026, 5, 1), reference=f"J{n}", lines=[
                    ua.JournalLine(account_id=accounts["Rent Paid"], debit=Decimal("5")),
                    ua.JournalLine(account_id=accounts["Petty Cash"], credit=Decimal("5"))])).id
                            or "")
        sb.set_fault_rates()
        faults = sb.counters().faults
        customers = sb.records("Customer")
        invoices = sb.records("TaxInvoice")
        journals = sb.records("JournalEntry")
    writes = sum(WRITES.values())
    assert sum(faults.values()) >= 0.15 * writes, faults
    assert faults.get("drop_after_commit", 0) + faults.get("error_500_after_commit", 0) > 40
    assert len(returned) == len(set(returned)) == writes
    assert len(customers) == WRITES["contacts"] + 1
    assert Counter(c["Name"] for c in customers).most_common(1)[0][1] == 1
    assert len(invoices) == WRITES["invoices"]
    assert sorted(i["Reference"] for i in invoices) == sorted(f"R{n}" for n in range(150))
    assert len(journals) == WRITES["journals"]
