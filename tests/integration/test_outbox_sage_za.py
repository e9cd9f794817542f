"""The outbox against the Sage v2.0 sandbox, which has no idempotency token and blocks for an hour.

The adapter's unique reference is derived from the item's idempotency key, so every attempt
sets the same one, and an attempt after the first looks the record up before sending: an
attempt that died after the provider committed (its answer lost, and the adapter's own look-up
failing too) is finished by the next attempt without a second record. A company over its
limit is blocked for an hour: its writes pause until then, another company's go on.
Workers connect through a token store holding the login (:class:`ClientPool`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from support.outbox_fixtures import FAST, ManualClock
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.login_credentials import LoginCredentials, save_credentials
from unified_accounting.outbox import ClientPool, OutboxWorker, SQLiteOutbox

CONNECTION = "shop"


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[SageZASandbox]:
    """A sandbox of 40 requests a minute; a test may ask for another seed and limit (another
    seed is another API key, whose quota this process has not spent yet)."""
    chosen = getattr(request, "param", {})
    with SageZASandbox(seed=chosen.get("seed", 4),
                       limits={"per_minute": chosen.get("per_minute", 40)},
                       companies=("Karoo Trading (Pty) Ltd", "Fynbos Foods (Pty) Ltd"),
                       ).running() as sb:
        yield sb


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[SQLiteOutbox]:
    with SQLiteOutbox(tmp_path / "outbox.sqlite3") as store:
        yield store


@pytest.fixture
def deployment(sandbox: SageZASandbox, outbox: SQLiteOutbox,
               tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A token store with the login, clients enqueueing per company, and a worker."""
    tokens = tmp_path / "tokens.sqlite3"
    store = ua.SQLiteTokenStore(tokens)
    save_credentials(store, CONNECTION, "sage_za", LoginCredentials(sandbox.credentials))
    clock = ManualClock()
    settings = FAST.but(token_store=f"sqlite://{tokens}",
                        provider_settings=sandbox.settings(write_attempts=1))
    pool = ClientPool(settings, clock=clock, resend_sleep=lambda seconds: None)
    clients = {company: ua.connect("sage_za", connection=CONNECTION, token_store=store,
                                   business_id=str(company), settings=sandbox.settings(),
                                   outbox=outbox)
               for company in sandbox.core.company_ids}
    worker = OutboxWorker(outbox, settings=settings, clients=pool, clock=clock,
                          jitter=lambda: 1.0)
    yield {"clients": list(clients.values()), "worker": worker, "clock": clock}
    worker.close()
    pool.close()
    for client in clients.values():
        client.close()
    store.close()


def reference_of(key: str, prefix: str = "UA") -> str:
    """The reference the adapter sets on the first write of an item with this key."""
    return f"{prefix}-{hashlib.sha256(f'1:{key}'.encode()).hexdigest()[:12].upper()}"


def account(sb: SageZASandbox, name: str) -> str:
    return next(str(r["ID"]) for r in sb.records("Account") if r["Name"] == name)


def test_a_write_whose_attempt_died_after_the_commit_is_found_not_sent_again(
    sandbox: SageZASandbox, outbox: SQLiteOutbox, deployment: dict[str, Any]
) -> None:
    client, worker = deployment["clients"][0], deployment["worker"]
    contact = client.outbox.create(ua.Contact(name="Karoo Farms", is_customer=True))
    sandbox.queue_fault("drop_after_commit", method="POST", path_contains="Customer/save")
    sandbox.queue_fault("error_503", method="GET", path_contains="Customer/get")
    first = worker.deliver_one()
    assert (first.status, first.failures) == ("queued", 1)
    posts = sandbox.counters().requests.get("POST Customer/save", 0)
    second = worker.deliver_one()
    assert (second.status, second.attempts) == ("delivered", 2)
    assert sandbox.counters().requests.get("POST Customer/save", 0) == posts  # looked up only
    stored = [c for c in sandbox.records("Customer") if c["Name"] == "Karoo Farms"]
    assert len(stored) == 1
    key = outbox.get(contact).idempotency_key  # type: ignore[union-attr]
    assert stored[0]["TextField3"] == reference_of(key)
    assert second.provider_id == f"C{stored[0]['ID']}"


def test_a_payment_whose_allocation_answer_was_lost_is_finished_once(
    sandbox: SageZASandbox, outbox: SQLiteOutbox, deployment: dict[str, Any]
) -> None:
    client, worker = deployment["clients"][0], deployment["worker"]
    customer = client.outbox.create(ua.Contact(name="Payer", is_customer=True))
    invoice = client.outbox.create(ua.Invoice(
        type="sales", contact_id=ua.OutboxRef(customer), issue_date=date(2026, 3, 1),
        lines=[ua.InvoiceLine(unit_price=Decimal("100.00"), account_id=account(sandbox, "Sales"),
                              tax_code="standard")]))
    payment = client.outbox.create(ua.Payment(
        type="customer_receipt", contact_id=ua.OutboxRef(customer), date=date(2026, 3, 2),
        amount=Decimal("115.00"), allocations=[ua.PaymentAllocation(
            invoice_id=ua.OutboxRef(invoice), amount=Decimal("115.00"))]))
    assert worker.run(until_idle=True, max_items=2).delivered == 2
    sandbox.queue_fault("drop_after_commit", method="POST", path_contains="Allocation/save")
    assert worker.deliver_one().status == "queued"  # type: ignore[union-attr]
    done = worker.deliver_one()
    assert done is not None
    assert (done.status, done.attempts) == ("delivered", 2)
    assert len(sandbox.records("CustomerReceipt")) == 1
    assert len(sandbox.records("Allocation")) == 1
    paid = client.invoices.get(outbox.get(invoice).provider_id)  # type: ignore[union-attr, arg-type]
    assert paid.status == "paid"
    assert done.result["allocations"][0]["amount"] == "115.00"  # type: ignore[index]
    assert outbox.get(payment).provider_id == done.provider_id  # type: ignore[union-attr]


def test_a_journal_batch_whose_answer_was_lost_is_found_by_its_key(
    sandbox: SageZASandbox, outbox: SQLiteOutbox, deployment: dict[str, Any]
) -> None:
    client, worker = deployment["clients"][0], deployment["worker"]
    journal = client.outbox.create(ua.JournalEntry(
        date=date(2026, 3, 31), reference="PAYROLL-03", lines=[
            ua.JournalLine(account_id=account(sandbox, "Salaries and Wages"),
                           debit=Decimal("30000.00")),
            ua.JournalLine(account_id=account(sandbox, "PAYE Payable"),
                           credit=Decimal("6000.00")),
            ua.JournalLine(account_id=account(sandbox, "Petty Cash"),
                           credit=Decimal("24000.00"))]))
    sandbox.queue_fault("drop_after_commit", method="POST",
                        path_contains="JournalEntry/savebatch")
    sandbox.queue_fault("error_503", method="GET", path_contains="JournalEntry/get")
    assert worker.deliver_one().status == "queued"  # type: ignore[union-attr]
    assert worker.deliver_one().status == "delivered"  # type: ignore[union-attr]
    entries = sandbox.records("JournalEntry")
    assert len(entries) == 2
    key = outbox.get(journal).idempotency_key  # type: ignore[union-attr]
    assert {entry["Memo"] for entry in entries} == {reference_of(key, "UAJ")}


def test_a_blocked_company_pauses_for_the_hour_while_another_goes_on(
    sandbox: SageZASandbox, outbox: SQLiteOutbox, deployment: dict[str, Any]
) -> None:
    karoo, fynbos = deployment["clients"]
    worker, clock = deployment["worker"], deployment["clock"]
    waiting = [karoo.outbox.create(ua.Contact(name=f"Karoo {n}", is_customer=True))
               for n in range(3)]
    going = [fynbos.outbox.create(ua.Contact(name=f"Fynbos {n}", is_customer=True))
             for n in range(3)]
    over_the_limit(sandbox, karoo.business_id)
    summary = worker.run(until_idle=True)
    assert (summary.delivered, summary.requeued, summary.failed) == (3, 1, 0)
    paused = outbox.get(waiting[0])
    assert paused is not None
    assert (paused.status, paused.failures) == ("queued", 0)
    assert paused.not_before == clock.now + 3600
    assert [outbox.get(i).status for i in going] == ["delivered"] * 3  # type: ignore[union-attr]
    assert [outbox.get(i).status for i in waiting[1:]] == ["queued"] * 2  # type: ignore[union-attr]
    clock.advance(1800)
    assert worker.run(until_idle=True).attempts == 0  # no call during the block
    clock.advance(1800)
    sandbox.advance_clock(3601)
    assert worker.run(until_idle=True).delivered == 3
    names = [c["Name"] for c in sandbox.records("Customer", karoo.business_id)]
    assert names[-3:] == ["Karoo 0", "Karoo 1", "Karoo 2"]


def over_the_limit(sb: SageZASandbox, company: str) -> None:
    """Another program with the same login spends the company's minute, and one more."""
    login = sb.credentials
    for _ in range(sb.options.limits.per_minute + 1):
        answer = requests.get(f"{sb.base_url}/TaxType/Get", timeout=5,
                              params={"apikey": login["api_key"], "CompanyId": company},
                              auth=(login["username"], login["password"]))
    assert answer.status_code == 429


@pytest.mark.parametrize("sandbox", [{"seed": 5, "per_minute": 1000}], indirect=True)
def test_a_ledger_account_whose_answer_was_lost_fails_for_an_operator_instead_of_doubling(
    sandbox: SageZASandbox, outbox: SQLiteOutbox, deployment: dict[str, Any]
) -> None:
    client, worker = deployment["clients"][0], deployment["worker"]
    refused_first = client.outbox.create(ua.LedgerAccount(name="Courier costs",
                                                          type="expense"))
    lost = client.outbox.create(ua.LedgerAccount(name="Packaging", type="expense"))
    sandbox.queue_fault("error_503", method="POST", path_contains="Account/save")
    first = worker.deliver_one()  # refused before handling: safe to send again
    assert first is not None
    assert first.error is not None
    assert (first.id, first.status, first.error["status"]) == (refused_first, "queued", 503)
    deployment["clock"].advance(60)
    assert worker.deliver_one().status == "delivered"  # type: ignore[union-attr]
    sandbox.queue_fault("drop_after_commit", method="POST", path_contains="Account/save")
    ended = worker.deliver_one()
    assert ended is not None
    assert (ended.id, ended.status, ended.attempts) == (lost, "failed", 1)
    assert ended.error is not None
    assert ended.error["type"] == "ProviderUnavailableError"
    assert "check the company's ledger accounts" in ended.error["message"]
    assert worker.run(until_idle=True).attempts == 0  # nothing sends it again by itself
    names = [a["Name"] for a in sandbox.records("Account")]
    assert names.count("Packaging") == names.count("Courier costs") == 1
