"""Queued writes delivered to Sage v2.0 by real workers under faults, SIGKILLs and an hour's block.

v2.0 takes no idempotency token and blocks a company for an hour when it goes over 100
requests a minute (here 900, and the workers pace each company at 360 a minute, so that the
test's pace stays under it). Six companies of the sandbox (a real HTTP server in this process)
get 100 writes each, in groups that depend on each other: a customer, an invoice to it, a
receipt allocated to that invoice and an update of the customer. Two ``unified-accounting
outbox run`` processes (three threads each) deliver them from a PostgreSQL outbox while the
sandbox fails a fifth of all requests (500 and 503 before handling, 500 after committing a
write, connections dropped after committing one); the test kills a worker with SIGKILL five
times while it sends a write.

Late in the run, another program with the same login spends one company's minute: Sage blocks that
company for an hour. Its writes must pause (no call during the block) while the other five
companies' writes go on; when the hour has passed (the sandbox's clock and the workers' wall
clock are moved together, see ``support/shifted_clock.py``), they are delivered too.

Every write must reach Sage exactly once, in the order queued per company: a repeated attempt
sets the same reference and looks the record up before sending it again.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from support.outbox_workers import Fleet, wait_until
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.login_credentials import LoginCredentials, save_credentials
from unified_accounting.outbox import OutboxItem, PostgresOutbox, Queue

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

COMPANIES = 6
GROUPS = 25  # four writes each: 100 a company, 600 in all
KILLS = 5
PER_MINUTE = 900
# Most v2.0 requests are reads (look-ups, a record read back after each save), which take
# only the faults before handling: these rates serve a fault to about a fifth of requests.
FAULTS = {"error_500": 0.08, "error_503": 0.08, "error_500_after_commit": 0.06,
          "drop_after_commit": 0.06}
HOUR = 3600
WORKER_ARGS = ["--threads", "3", "--lease", "2", "--backoff", "0.05", "--backoff-cap", "0.5",
               "--max-failures", "30", "--call-retries", "0", "--poll", "0.1",
               "--loglevel", "warning"]


@pytest.fixture
def sandbox() -> Iterator[SageZASandbox]:
    names = tuple(f"Company {n} (Pty) Ltd" for n in range(COMPANIES))
    with SageZASandbox(seed=31, limits={"per_minute": PER_MINUTE},
                       companies=names).running() as sb:
        yield sb


def enqueue_groups(client: ua.Client, sb: SageZASandbox, number: int) -> list[str]:
    """Queue one company's writes; return the outbox ids in order."""
    records = sb.records("Account", client.business_id)
    sales = next(str(r["ID"]) for r in records if r["Name"] == "Sales")
    ids: list[str] = []
    for group in range(GROUPS):
        tag = f"K{number}G{group:02d}"
        customer = client.outbox.create(ua.Contact(
            name=f"Customer {tag}", is_customer=True, email=f"{tag.lower()}@v1.test"))
        invoice = client.outbox.create(ua.Invoice(
            type="sales", contact_id=ua.OutboxRef(customer), issue_date=date(2026, 3, 1),
            reference=f"I{tag}", lines=[ua.InvoiceLine(
                unit_price=Decimal("100.00"), account_id=sales, tax_code="standard")]))
        receipt = client.outbox.create(ua.Payment(
            type="customer_receipt", contact_id=ua.OutboxRef(customer), date=date(2026, 3, 2),
            amount=Decimal("115.00"), reference=f"P{tag}",
            allocations=[ua.PaymentAllocation(invoice_id=ua.OutboxRef(invoice),
                                              amount=Decimal("115.00"))]))
        update = client.outbox.update("contacts", ua.OutboxRef(customer),
                                      {"email": f"{tag.lower()}@v2.test"})
        ids += [customer, invoice, receipt, update]
    return ids


def spend_the_minute(sb: SageZASandbox, company: str) -> int:
    """Another program with the same login goes over the company's minute; the requests."""
    login = sb.credentials
    for sent in range(1, 2 * PER_MINUTE):
        answer = requests.get(f"{sb.base_url}/TaxType/Get", timeout=10,
                              params={"apikey": login["api_key"], "CompanyId": company},
                              auth=(login["username"], login["password"]),
                              headers={"X-Sandbox-Fault": "none"})
        if answer.status_code == 429:
            return sent
    raise AssertionError("the company was never blocked")


def check_company(sb: SageZASandbox, company: str, number: int) -> None:
    """Each planned record once, in queue order (v2 ids grow), with its update."""
    tags = [f"K{number}G{group:02d}" for group in range(GROUPS)]
    customers = sorted(sb.records("Customer", company), key=lambda r: int(r["ID"]))
    ours = [c for c in customers if str(c["Name"]).startswith("Customer K")]
    assert [c["Name"] for c in ours] == [f"Customer {tag}" for tag in tags]
    assert [c["Email"] for c in ours] == [f"{tag.lower()}@v2.test" for tag in tags]
    invoices = sorted(sb.records("TaxInvoice", company), key=lambda r: int(r["ID"]))
    assert [i["Reference"] for i in invoices] == [f"I{tag}" for tag in tags]
    assert {Decimal(str(i["AmountDue"])) for i in invoices} == {Decimal("0")}
    receipts = sorted(sb.records("CustomerReceipt", company), key=lambda r: int(r["ID"]))
    assert [r["Reference"] for r in receipts] == [f"P{tag}" for tag in tags]
    assert len(sb.records("Allocation", company)) == GROUPS


def test_writes_two_workers_faults_kills_and_an_hours_block_deliver_each_once_in_order(
    sandbox: SageZASandbox, postgres_url: str, postgres_schema: str, tmp_path: Path,
) -> None:
    outbox = PostgresOutbox(postgres_url, schema=postgres_schema)
    tokens = ua.SQLiteTokenStore(tmp_path / "tokens.sqlite3")
    save_credentials(tokens, "shop", "sage_za", LoginCredentials(sandbox.credentials))
    companies = [str(company) for company in sandbox.core.company_ids]
    planned: dict[str, list[str]] = {}
    for number, company in enumerate(companies):
        with ua.connect("sage_za", connection="shop", token_store=tokens, business_id=company,
                        settings=sandbox.settings(), outbox=outbox) as client:
            planned[company] = enqueue_groups(client, sandbox, number)
    assert outbox.counts()["queued"] == COMPANIES * GROUPS * 4 == 600
    clock_file = tmp_path / "clock-offset"
    clock_file.write_text("0", encoding="utf-8")
    env = {"UNIFIED_ACCOUNTING_OUTBOX": f"{postgres_url}&schema={postgres_schema}&max_size=2",
           "UNIFIED_ACCOUNTING_TOKEN_STORE": f"sqlite://{tmp_path / 'tokens.sqlite3'}",
           "UNIFIED_ACCOUNTING_PROVIDER_SETTINGS": json.dumps(sandbox.settings(
               requests_per_minute=PER_MINUTE * 2 // 5))}
    blocked, blocked_queue = companies[0], Queue("sage_za", "shop", companies[0])
    sandbox.set_fault_rates(**FAULTS)
    fleet = Fleet(env, WORKER_ARGS, clock_file=clock_file)
    orphans: list[list[str]] = []
    started = time.monotonic()
    try:
        for _ in range(2):
            fleet.start()
        for number in range(1, KILLS + 1):
            wait_until(lambda: outbox.counts()["delivered"] >= 60 * number, 240,  # noqa: B023
                       "deliveries between kills")
            orphans.append(fleet.kill_while_sending(outbox, time.monotonic() + 30))
        wait_until(lambda: delivered_of(outbox, blocked_queue) >= 70, 120, "progress")
        burst = spend_the_minute(sandbox, blocked)
        others = 600 - len(planned[blocked])
        wait_until(lambda: outbox.counts()["delivered"] - delivered_of(
            outbox, blocked_queue) == others, 300, "the other companies' deliveries")
        paused = head_of(outbox, blocked_queue)
        held = delivered_of(outbox, blocked_queue)
        time.sleep(2)  # the workers keep polling: nothing is sent to the blocked company
        # One 429 for the other program, one for the worker that met the block; none since.
        refusals_in_block = refused(sandbox)
        sandbox.advance_clock(HOUR + 1)
        clock_file.write_text(str(HOUR + 1), encoding="utf-8")
        wait_until(lambda: outbox.counts()["delivered"] == 600, 300, "every delivery")
    finally:
        fleet.stop()
        sandbox.set_fault_rates()
    elapsed = time.monotonic() - started
    counts = outbox.counts()
    items = [outbox.get(i) for ids in planned.values() for i in ids]
    taken_over = [outbox.get(i) for held in orphans for i in held]
    outbox.close()
    tokens.close()
    assert fleet.failures() == []
    assert counts == {"queued": 0, "sending": 0, "delivered": 600, "failed": 0, "dead": 0,
                      "cancelled": 0}
    assert len(orphans) == KILLS <= fleet.kills <= 2 * KILLS
    # Each write a killed worker held was taken over when its lease ran out, and sent
    # again by another worker.
    assert all(item is not None and item.attempts >= 2 for item in taken_over)
    assert paused.error is not None
    assert (paused.status, paused.error["type"]) == ("queued", "RateLimitError")
    assert paused.error["retry_after"] == HOUR
    assert 0 < held < len(planned[blocked])  # paused midway, the rest waited for the hour
    assert refusals_in_block == 2
    served = sandbox.counters()
    faults, total = sum(served.faults.values()), sum(served.requests.values()) - burst
    assert 0.17 <= faults / total <= 0.25, (faults, total)
    attempts = Counter(min(item.attempts, 4) for item in items if item is not None)
    for number, company in enumerate(companies):
        check_company(sandbox, company, number)
    print(f"\n600 writes to v2.0, 2 workers, {fleet.kills} kills ({len(taken_over)} writes "
          f"taken over), one hour's block: {elapsed:.1f} s; "
          f"{total} requests, {faults} faults ({dict(served.faults)}); "
          f"attempts per write {dict(attempts)}")


def delivered_of(outbox: PostgresOutbox, queue: Queue) -> int:
    """How many writes of one company are delivered."""
    return sum(item.status == "delivered" for item in outbox.items(queue=queue, limit=1000))


def head_of(outbox: PostgresOutbox, queue: Queue) -> OutboxItem:
    """The first write of a company that is not delivered."""
    return next(item for item in outbox.items(queue=queue, limit=1000)
                if item.status != "delivered")


def refused(sb: SageZASandbox) -> int:
    """Requests the sandbox refused with 429 so far (every one extends a block)."""
    return int(sb.counters().statuses.get(429, 0))
