"""A month of business against the Sage sandbox over HTTP, then its trial balance.

Customers and suppliers, sales and purchase invoices, receipts and payments with allocations
(a discount, a payment on account, a refund), journals, an edit, a void and a deleted payment
are written through the unified API. The trial balance must then balance to the penny and
agree, account by account, with the sandbox's own ledger (read from its store, not over HTTP),
with the balances the sandbox keeps apart from the ledger (contacts, bank account), and with
the same entries synced into a SQLite mirror.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.syncing import SQLiteMirror, Syncer, scope_of
from unified_accounting.trial_balance import AccountLabel, compute_trial_balance

from .books import customer, open_client, supplier, unique

D = Decimal
MONTH_END = date(2025, 3, 31)
MID_MONTH = date(2025, 3, 15)


def _line(account: str, price: str, tax_code: str = "standard", quantity: str = "1",
          **extra: Any) -> ua.InvoiceLine:
    return ua.InvoiceLine(description="Work", quantity=D(quantity), unit_price=D(price),
                          account_id=account, tax_code=tax_code, **extra)  # type: ignore[arg-type]


def _invoice(kind: str, contact: ua.Contact, day: int, *lines: ua.InvoiceLine) -> ua.Invoice:
    number = unique("PI") if kind == "purchase" else None
    when = date(2025, 3, day)
    return ua.Invoice(type=kind, contact_id=contact.id or "", issue_date=when,  # type: ignore[arg-type]
                      due_date=date(2025, 4, 30), number=number, lines=list(lines))


def _pay(client: ua.Client, bank: str, kind: str, contact: ua.Contact, day: int, amount: str,
         *allocations: tuple[ua.Invoice, str, str | None]) -> ua.Payment:
    parts = [ua.PaymentAllocation(invoice_id=invoice.id or "", amount=D(paid),
                                  discount=None if discount is None else D(discount))
             for invoice, paid, discount in allocations]
    return client.payments.create(ua.Payment(
        type=kind, contact_id=contact.id or "", date=date(2025, 3, day),  # type: ignore[arg-type]
        amount=D(amount), bank_account_id=bank, allocations=parts))


def _run_the_month(client: ua.Client, bank: str, code: dict[int, str]) -> dict[str, Any]:
    """Write a month of documents; return what the checks need to know."""
    pay = partial(_pay, client, bank)
    buyers = [customer(client, name=f"Buyer {n}") for n in range(3)]
    sellers = [supplier(client, name=f"Seller {n}") for n in range(2)]
    sale = [client.invoices.create(_invoice("sales", buyers[0], 3, _line(code[4000], "1000"),
                                            _line(code[4010], "250.50", "reduced"))),
            client.invoices.create(_invoice("sales", buyers[1], 9, _line(
                code[4000], "19.99", quantity="7", discount_amount=D("9.93")))),
            client.invoices.create(_invoice("sales", buyers[2], 12, _line(code[4010], "480"),
                                            _line(code[4000], "-30"))),
            client.invoices.create(_invoice("sales", buyers[0], 20, _line(code[4000], "64")))]
    bills = [client.invoices.create(_invoice("purchase", sellers[0], 4, _line(code[5000], "400"),
                                             _line(code[7500], "35.40", "zero"))),
             client.invoices.create(_invoice("purchase", sellers[1], 18,
                                             _line(code[7500], "123.45")))]
    # An edit of a posted invoice, and a void.
    client.invoices.update(sale[3].id or "", {"lines": [_line(code[4000], "80")]})
    client.invoices.delete(sale[2].id or "", void_reason="Raised in error")
    first_total = client.invoices.get(sale[0].id or "").total_amount or D(0)
    pay("customer_receipt", buyers[0], 10, str(first_total - D("25")),
         (sale[0], str(first_total - D("25")), "25"))
    pay("customer_receipt", buyers[1], 16, "200", (sale[1], "100", None))
    wrong = pay("customer_receipt", buyers[0], 22, "96", (sale[3], "96", None))
    client.payments.delete(wrong.id or "")
    pay("customer_refund", buyers[1], 28, "40")
    pay("supplier_payment", sellers[0], 14, "515.40", (bills[0], "515.40", None))
    pay("supplier_payment", sellers[1], 25, "100", (bills[1], "100", None))
    client.journals.create(ua.JournalEntry(date=date(2025, 3, 31), reference="PAYROLL-03", lines=[
        ua.JournalLine(account_id=code[7000], debit=D("3200.00")),
        ua.JournalLine(account_id=code[2210], credit=D("640.00")),
        ua.JournalLine(account_id=code[1200], credit=D("2560.00"))]))
    client.journals.create(ua.JournalEntry(date=date(2025, 3, 31), reference="ACCRUE-03", lines=[
        ua.JournalLine(account_id=code[7500], debit=D("75.25")),
        ua.JournalLine(account_id=code[2109], credit=D("75.25"))]))
    return {"buyers": buyers, "sellers": sellers, "sales": sale}


def _store_ledger(sandbox: SageSandbox, as_of: date) -> tuple[dict[str, D], dict[str, Any]]:
    """Per-account net (debit minus credit) of the sandbox's own entries, and its chart."""
    business = sandbox.business_id("GB")
    with sandbox.core.lock:
        store = sandbox.core.store
        entries = list(store.collection(business, "ledger_entries").ordered())
        chart = {a["id"]: a for a in store.collection(business, "ledger_accounts").ordered()}
    net: dict[str, D] = {}
    for entry in entries:
        if date.fromisoformat(entry["date"]) <= as_of:
            account = entry["ledger_account"]["id"]
            net[account] = net.get(account, D(0)) + D(entry["debit"]) - D(entry["credit"])
    return {account: amount for account, amount in net.items() if amount}, chart


def _store_record(sandbox: SageSandbox, collection: str, record_id: str) -> dict[str, Any]:
    with sandbox.core.lock:
        found = sandbox.core.store.get(sandbox.business_id("GB"), collection, record_id)
    assert found is not None
    return dict(found)


@pytest.fixture(scope="module")
def month(sandbox: SageSandbox, token: str) -> Iterator[tuple[ua.Client, dict[str, Any],
                                                             dict[int, str]]]:
    client = open_client(sandbox, token)
    code = {n: sandbox.ledger_account_id("GB", n)
            for n in (1100, 1200, 2100, 2109, 2200, 2201, 2210, 4000, 4009, 4010, 5000, 7000,
                      7500)}
    story = _run_the_month(client, sandbox.bank_account_id("GB"), code)
    yield client, story, code
    client.close()


def test_the_trial_balance_balances_and_matches_the_sandboxs_own_ledger(
    sandbox: SageSandbox, month: tuple[ua.Client, dict[str, Any], dict[int, str]]
) -> None:
    client, _, _ = month
    balance = client.reports.trial_balance(as_of=MONTH_END)
    assert balance.total_debit == balance.total_credit
    assert balance.total_debit == sum((line.debit for line in balance.lines), D(0))
    assert balance.total_credit == sum((line.credit for line in balance.lines), D(0))
    own, chart = _store_ledger(sandbox, MONTH_END)
    assert {line.ledger_account_id: line.debit - line.credit for line in balance.lines} == own
    assert [(line.code, line.name) for line in balance.lines] == [
        (str(chart[line.ledger_account_id]["nominal_code"]), chart[line.ledger_account_id]["name"])
        for line in balance.lines]
    codes = [int(line.code or 0) for line in balance.lines]
    assert codes == sorted(codes)
    assert all(line.debit.as_tuple().exponent == -2 for line in balance.lines)


def test_control_accounts_agree_with_the_balances_the_sandbox_keeps_apart(
    sandbox: SageSandbox, month: tuple[ua.Client, dict[str, Any], dict[int, str]]
) -> None:
    client, story, code = month
    lines = {line.ledger_account_id: line.debit - line.credit
             for line in client.reports.trial_balance(as_of=MONTH_END).lines}
    owed_by_customers = sum((D(_store_record(sandbox, "contacts", c.id)["balance"])
                             for c in story["buyers"]), D(0))
    owed_to_suppliers = sum((D(_store_record(sandbox, "contacts", s.id)["balance"])
                             for s in story["sellers"]), D(0))
    assert lines[code[1100]] == owed_by_customers
    assert lines[code[2100]] == -owed_to_suppliers
    bank = _store_record(sandbox, "bank_accounts", sandbox.bank_account_id("GB"))
    assert lines[code[1200]] == D(bank["balance"]) - D("2560.00")  # the payroll journal
    open_sales = [client.invoices.get(i.id) for i in story["sales"]]
    output_tax = sum((i.tax_amount or D(0) for i in open_sales if i.status != "void"), D(0))
    assert lines[code[2200]] == -output_tax
    # Hand-computed: 1000 + 7 x 19.99 - 9.93 + 80 (the edited invoice) on 4000, the settlement
    # discount on 4009, and the March wages.
    assert lines[code[4000]] == D("-1210.00")
    assert lines[code[4009]] == D("25.00")
    assert lines[code[7000]] == D("3200.00")


def test_a_trial_balance_mid_month_counts_only_what_was_dated_by_then(
    sandbox: SageSandbox, month: tuple[ua.Client, dict[str, Any], dict[int, str]]
) -> None:
    client, _, code = month
    balance = client.reports.trial_balance(as_of=MID_MONTH)
    own, _ = _store_ledger(sandbox, MID_MONTH)
    assert {line.ledger_account_id: line.debit - line.credit for line in balance.lines} == own
    assert code[7000] not in own
    assert balance.total_debit == balance.total_credit < client.reports.trial_balance(
        as_of=MONTH_END).total_debit


def test_entries_synced_into_a_mirror_give_the_same_trial_balance(
    month: tuple[ua.Client, dict[str, Any], dict[int, str]], tmp_path: Path
) -> None:
    client, _, _ = month
    with SQLiteMirror(tmp_path / "ledger.sqlite3") as mirror:
        result = Syncer(mirror, resources=["ledger_entries", "ledger_accounts"],
                        max_workers=1).run(client)
        result.raise_for_errors()
        scope = scope_of(client)
        entries = [record.model() for record in mirror.records(scope, "ledger_entries")]
        chart = {record.id: record.model() for record in mirror.records(scope,
                                                                          "ledger_accounts")}
    assert all(isinstance(entry, ua.LedgerEntry) and entry.transaction_type for entry in entries)
    labels = {i: AccountLabel(a.code, a.name) for i, a in chart.items()
              if isinstance(a, ua.LedgerAccount)}
    mirrored = compute_trial_balance([e for e in entries if isinstance(e, ua.LedgerEntry)],
                                     labels, as_of=MONTH_END, business_id=client.business_id)
    assert mirrored == client.reports.trial_balance(as_of=MONTH_END)
    kinds = {entry.transaction_type for entry in entries if isinstance(entry, ua.LedgerEntry)}
    assert kinds == {"sales_invoice", "purchase_invoice", "customer_receipt", "customer_refund",
                     "supplier_payment", "journal"}
