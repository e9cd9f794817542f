"""Writes for the fault-injection test: a planned mix, and what the sandbox ended up holding.

Every planned write carries a reference of its own, so the sandbox's records can be matched
to the writes that meant them, whatever the client reported.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import requests
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

DAY = date(2025, 3, 1)
PREFIX = "F"  # every planned reference starts with it; seeded records' do not


@dataclass
class Write:
    """One create the test intends, and what the client reported for it."""

    kind: str
    reference: str
    model: Any
    result: Any = None
    error: ua.AccountingError | None = None


@dataclass(frozen=True)
class Prerequisites:
    """Records seeded without faults that the planned writes point at."""

    customers: list[str]
    suppliers: list[str]
    invoices_to_pay: list[tuple[str, str]]  # (invoice id, its customer)
    sales_account: str
    purchase_account: str
    journal_accounts: tuple[str, str]
    bank_account: str


def seed_prerequisites(sandbox: SageSandbox, payments: int) -> Prerequisites:
    """Seed customers, suppliers and one invoice per planned payment (GB business)."""
    customers = sandbox.seed_contacts(10)
    suppliers = sandbox.seed_contacts(5, contact_type="VENDOR")
    invoice_ids = sandbox.seed_invoices(payments, lines=1, contact_ids=customers)
    return Prerequisites(
        customers=customers, suppliers=suppliers,
        invoices_to_pay=[(inv, customers[n % len(customers)])
                         for n, inv in enumerate(invoice_ids)],
        sales_account=sandbox.ledger_account_id("GB", 4000),
        purchase_account=sandbox.ledger_account_id("GB", 5000),
        journal_accounts=(sandbox.ledger_account_id("GB", 7000),
                          sandbox.ledger_account_id("GB", 2109)),
        bank_account=sandbox.bank_account_id("GB"),
    )


def _contact(n: int, ref: str, pre: Prerequisites) -> ua.Contact:
    return ua.Contact(name=f"Fault Test {n}", reference=ref, is_customer=n % 3 != 0,
                      is_supplier=n % 3 == 0, email=f"f{n}@example.test")


def _invoice(n: int, ref: str, pre: Prerequisites) -> ua.Invoice:
    sales = n % 4 != 0
    line = ua.InvoiceLine(description=f"Item {n}", quantity=Decimal(1 + n % 3),
                          unit_price=Decimal("19.99"),
                          account_id=pre.sales_account if sales else pre.purchase_account)
    contact = pre.customers[n % len(pre.customers)] if sales else \
        pre.suppliers[n % len(pre.suppliers)]
    return ua.Invoice(type="sales" if sales else "purchase", contact_id=contact, issue_date=DAY,
                      due_date=date(2025, 3, 31), reference=ref, lines=[line])


def _payment(n: int, ref: str, pre: Prerequisites) -> ua.Payment:
    invoice_id, customer = pre.invoices_to_pay[n]
    return ua.Payment(type="customer_receipt", contact_id=customer, date=DAY,
                      amount=Decimal("10.00"), bank_account_id=pre.bank_account, reference=ref,
                      allocations=[ua.PaymentAllocation(invoice_id=invoice_id,
                                                        amount=Decimal("10.00"))])


def _journal(n: int, ref: str, pre: Prerequisites) -> ua.JournalEntry:
    amount = Decimal(100 + n) / 4
    debit, credit = pre.journal_accounts
    return ua.JournalEntry(date=DAY, reference=ref, description=f"Accrual {n}", lines=[
        ua.JournalLine(account_id=debit, debit=amount),
        ua.JournalLine(account_id=credit, credit=amount)])


BUILDERS: dict[str, Callable[[int, str, Prerequisites], Any]] = {
    "contact": _contact, "invoice": _invoice, "payment": _payment, "journal": _journal,
}
#: Unified resource, Sage collections and the reference field, per kind of write.
WHERE: dict[str, tuple[str, tuple[str, ...]]] = {
    "contact": ("contacts", ("contacts",)),
    "invoice": ("invoices", ("sales_invoices", "purchase_invoices")),
    "payment": ("payments", ("contact_payments",)),
    "journal": ("journals", ("journals",)),
}


def plan(mix: dict[str, int], pre: Prerequisites, seed: int) -> list[Write]:
    """Build the writes of ``mix`` (kind -> count), interleaved in a seeded order."""
    writes = []
    for kind, count in mix.items():
        for n in range(count):
            reference = f"{PREFIX}{kind[0].upper()}{n:04d}"  # at most 10 characters
            writes.append(Write(kind, reference, BUILDERS[kind](n, reference, pre)))
    random.Random(seed).shuffle(writes)
    return writes


def send(client: ua.Client, write: Write) -> None:
    """Create one planned record; keep the stored version or the error the client raised."""
    resource = getattr(client, WHERE[write.kind][0])
    try:
        write.result, write.error = resource.create(write.model), None
    except ua.AccountingError as error:
        write.result, write.error = None, error


def stored_references(sandbox: SageSandbox, token: str) -> Counter[tuple[str, str]]:
    """Count the sandbox's records per (kind, reference), for planned references only.

    Read with plain requests that ask the sandbox for no fault, so the count is exact.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for kind, (_, collections) in WHERE.items():
        for collection in collections:
            for record in _all_records(sandbox, token, collection):
                reference = record.get("reference") or ""
                if reference.startswith(PREFIX):
                    counts[(kind, reference)] += 1
    return counts


def stored_ids(sandbox: SageSandbox, token: str, kind: str) -> dict[str, list[str]]:
    """Reference -> ids of the sandbox's records of ``kind`` with a planned reference."""
    found: dict[str, list[str]] = {}
    for collection in WHERE[kind][1]:
        for record in _all_records(sandbox, token, collection):
            reference = record.get("reference") or ""
            if reference.startswith(PREFIX):
                found.setdefault(reference, []).append(str(record["id"]))
    return found


def _all_records(sandbox: SageSandbox, token: str, collection: str) -> Iterator[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}", "X-Business": sandbox.business_id("GB"),
               "X-Sandbox-Fault": "none"}
    path: str | None = f"/{collection}"
    params: dict[str, Any] | None = {"items_per_page": 200, "attributes": "reference"}
    while path:
        reply = requests.get(sandbox.base_url + path, params=params, headers=headers, timeout=30)
        reply.raise_for_status()
        page = reply.json()
        yield from page["$items"]
        path, params = page.get("$next"), None


def failure_kinds(writes: Sequence[Write]) -> Counter[str]:
    """How many writes finally failed, per error class."""
    return Counter(type(w.error).__name__ for w in writes if w.error is not None)
