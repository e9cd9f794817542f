"""1,000 queued writes delivered to Sage v3.1 by real workers under faults and SIGKILLs.

Five businesses of the sandbox (a real HTTP server in this process) each get 200 writes, in
groups that depend on each other: a customer, an invoice to it (an ``outbox:`` reference), a
receipt paying that invoice (two references) and an update of the customer. Two
``unified-accounting outbox run`` processes deliver them from a PostgreSQL outbox while the
sandbox fails a fifth of all requests: 500 before handling, 503, 500 after committing a
write and connections dropped after committing one (the answer is lost, the record stored).
Five times, the test kills a worker with SIGKILL while it sends a write, and starts another.

Every write must be delivered exactly once: each planned record exists once at Sage, none is
missing, none is doubled (every attempt of a write sends its one ``idempotency_id``); each
business's records were created in the order they were queued; each customer carries its
update. The workers run with no retries inside an attempt, so every fault goes through the
outbox: requeued with a backoff, or taken over after a killed worker's lease ran out.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests
from support.outbox_workers import Fleet, wait_until
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.outbox import PostgresOutbox
from unified_accounting.tokens import RedisTokenStore

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

BUSINESSES = 5
GROUPS = 50  # four writes each: 200 a business, 1,000 in all
KILLS = 5
# Reads are about a third of the requests and take only the faults before handling, so these
# rates serve a fault to about a fifth of all requests.
FAULTS = {"error_500": 0.07, "error_503": 0.07, "error_500_after_commit": 0.06,
          "drop_after_commit": 0.06}
WORKER_ARGS = ["--lease", "2", "--backoff", "0.05", "--backoff-cap", "0.5",
               "--max-failures", "30", "--call-retries", "0", "--poll", "0.1",
               "--loglevel", "warning"]


@pytest.fixture
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=29, access_token_ttl=3600) as sb:
        yield sb


def enqueue_groups(client: ua.Client, business: int) -> list[str]:
    """Queue the business's writes; return the outbox ids in order."""
    sales = next(a.id for a in client.ledger_accounts.list() if a.code == "4000")
    bank = client.proxy.request("GET", "/bank_accounts").json()["$items"][0]["id"]
    ids: list[str] = []
    for group in range(GROUPS):
        tag = f"B{business}G{group:02d}"
        customer = client.outbox.create(ua.Contact(
            name=f"Customer {tag}", reference=f"C{tag}", is_customer=True,
            email=f"{tag.lower()}@v1.test"))
        invoice = client.outbox.create(ua.Invoice(
            type="sales", contact_id=ua.OutboxRef(customer), issue_date=date(2026, 3, 1),
            reference=f"I{tag}", lines=[ua.InvoiceLine(
                description="Support", quantity=Decimal("1"), unit_price=Decimal("100.00"),
                account_id=sales, tax_code="standard")]))
        receipt = client.outbox.create(ua.Payment(
            type="customer_receipt", contact_id=ua.OutboxRef(customer), date=date(2026, 3, 2),
            amount=Decimal("120.00"), bank_account_id=bank, reference=f"P{tag}",
            allocations=[ua.PaymentAllocation(invoice_id=ua.OutboxRef(invoice),
                                              amount=Decimal("120.00"))]))
        update = client.outbox.update("contacts", ua.OutboxRef(customer),
                                      {"email": f"{tag.lower()}@v2.test"})
        ids += [customer, invoice, receipt, update]
    return ids


def listed(sb: SageSandbox, token: str, business_id: str, collection: str,
           attributes: str) -> list[dict[str, Any]]:
    """Every record of a collection, in the order Sage stored them (asking for no fault)."""
    headers = {"Authorization": f"Bearer {token}", "X-Business": business_id,
               "X-Sandbox-Fault": "none"}
    found: list[dict[str, Any]] = []
    path: str | None = f"/{collection}"
    params: dict[str, Any] | None = {"items_per_page": 200, "attributes": attributes}
    while path:
        page = requests.get(sb.base_url + path, params=params, headers=headers, timeout=30).json()
        found += page["$items"]
        path, params = page.get("$next"), None
    return found


def check_business(sb: SageSandbox, token: str, business_id: str, business: int) -> None:
    """Each planned record once, in queue order, with its update."""
    tags = [f"B{business}G{group:02d}" for group in range(GROUPS)]
    contacts = [c for c in listed(sb, token, business_id, "contacts", "reference,email")
                if str(c.get("reference") or "").startswith(f"CB{business}G")]
    assert [c["reference"] for c in contacts] == [f"C{tag}" for tag in tags]
    assert [c["email"] for c in contacts] == [f"{tag.lower()}@v2.test" for tag in tags]
    invoices = [i for i in listed(sb, token, business_id, "sales_invoices",
                                  "reference,outstanding_amount")
                if str(i.get("reference") or "").startswith(f"IB{business}G")]
    assert [i["reference"] for i in invoices] == [f"I{tag}" for tag in tags]
    assert {Decimal(str(i["outstanding_amount"])) for i in invoices} == {Decimal("0")}
    receipts = [p for p in listed(sb, token, business_id, "contact_payments", "reference")
                if str(p.get("reference") or "").startswith(f"PB{business}G")]
    assert [p["reference"] for p in receipts] == [f"P{tag}" for tag in tags]


def test_1000_writes_two_workers_faults_and_five_kills_deliver_each_once_in_order(
    sandbox: SageSandbox, redis_url: str, redis_prefix: str, postgres_url: str,
    postgres_schema: str,
) -> None:
    outbox_url = f"{postgres_url}&schema={postgres_schema}&max_size=2"
    outbox = PostgresOutbox(postgres_url, schema=postgres_schema)
    tokens = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    businesses = [sandbox.business_id("GB")] + [
        sandbox.add_business("GB", key=f"outbox-{n}") for n in range(1, BUSINESSES)]
    planned: dict[str, list[str]] = {}
    for number, business_id in enumerate(businesses):
        with sandbox.connect("GB", token_store=tokens, connection=f"tenant-{number}",
                             business_id=business_id, outbox=outbox) as client:
            planned[business_id] = enqueue_groups(client, number)
    assert outbox.counts()["queued"] == BUSINESSES * GROUPS * 4 == 1_000
    env = {"UNIFIED_ACCOUNTING_OUTBOX": outbox_url,
           "UNIFIED_ACCOUNTING_TOKEN_STORE": f"{redis_url}?prefix={redis_prefix}",
           "UNIFIED_ACCOUNTING_PROVIDER_SETTINGS": json_settings(sandbox),
           "UNIFIED_ACCOUNTING_CLIENT_SECRET": sandbox.client_secret}
    sandbox.set_rate_limits(business_per_minute=None, business_per_day=None)
    sandbox.reset_counters()
    sandbox.set_fault_rates(**FAULTS)
    fleet = Fleet(env, WORKER_ARGS)
    orphans: list[list[str]] = []
    started = time.monotonic()
    try:
        for _ in range(2):
            fleet.start()
        for number in range(1, KILLS + 1):
            wait_until(lambda: outbox.counts()["delivered"] >= 150 * number, 240,  # noqa: B023
                       "deliveries between kills")
            orphans.append(fleet.kill_while_sending(outbox, time.monotonic() + 30))
        wait_until(lambda: outbox.counts()["delivered"] == 1_000, 300, "every delivery")
    finally:
        fleet.stop()
        sandbox.clear_faults()
    elapsed = time.monotonic() - started
    counts = outbox.counts()
    items = [outbox.get(i) for ids in planned.values() for i in ids]
    taken_over = [outbox.get(i) for held in orphans for i in held]
    outbox.close()
    assert fleet.failures() == []
    assert len(orphans) == KILLS <= fleet.kills <= 2 * KILLS
    # Each write a killed worker held was taken over when its lease ran out, and sent
    # again by another worker.
    assert all(item is not None and item.attempts >= 2 for item in taken_over)
    assert counts == {"queued": 0, "sending": 0, "delivered": 1_000, "failed": 0, "dead": 0,
                      "cancelled": 0}
    attempts = Counter(min(item.attempts, 4) for item in items if item is not None)
    served = sandbox.counters
    faults = sum(served.faults.values())
    total = sum(served.requests.values())
    assert 0.17 <= faults / total <= 0.25, (faults, total)
    assert served.faults.get("drop_after_commit", 0) + served.faults.get(
        "error_500_after_commit", 0) >= 50
    assert attempts[1] < 1_000  # many writes needed more than one attempt
    token = str(sandbox.issue_tokens()["access_token"])
    for number, business_id in enumerate(businesses):
        check_business(sandbox, token, business_id, number)
    tokens.close()
    print(f"\n1,000 writes, 2 workers, {fleet.kills} kills ({len(taken_over)} writes taken "
          f"over): {elapsed:.1f} s; {total} requests, "
          f"{faults} faults ({dict(served.faults)}); attempts per write {dict(attempts)}")


def json_settings(sb: SageSandbox) -> str:
    """The provider settings of the workers: the sandbox's URLs, no client-side pacing."""
    return json.dumps({**sb.settings, "requests_per_second": 1000})
