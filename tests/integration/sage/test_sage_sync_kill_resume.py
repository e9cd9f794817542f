"""A sync killed with SIGKILL at a random moment, then one new run: the mirror equals Sage.

Everything runs through the real stack: the Sage sandbox on loopback, a token store, the Sage
adapter behind ``ua.connect``, the transport and the SQLite mirror. A child process syncs two
businesses and is killed after a random number of sandbox requests plus a random delay, so the
kill lands anywhere: between requests, while a page is mapped, inside a mirror commit. For half
the seeds the books then change (records edited, created, voided and deleted, some on pages
the killed run had already committed). One new run must leave the mirror equal to what the
provider holds, record by record, with every record the provider deleted marked deleted.

The sandbox's clock is frozen and moved by hand, and every sync reads that same clock, so a
change made after the kill lies beyond the overlap that a later window would re-read anyway.
"""

from __future__ import annotations

import json
import math
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.errors import UnsupportedOperationError
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.syncing import RESOURCES, Scope, SQLiteMirror, Syncer, scope_of
from unified_accounting.tokens import SQLiteTokenStore

from .books import customer, sales_invoice

CHILD = Path(__file__).resolve().parents[2] / "support" / "sage_sync_child.py"
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
STEP = 120  # seconds between phases: more than the engine's 60-second overlap
COUNTRIES = ("GB", "IE")
PAGE_SIZE = 25
CONNECTION = "acme"
# Sage allows 15 requests a second per app; the sandbox has no limit and the test no time.
SETTINGS = {"requests_per_second": 10_000}
# Sage collections behind each unified resource, to count the pages of a full run.
COLLECTIONS = {
    "contacts": ("contacts",), "contact_persons": ("contact_persons",),
    "ledger_accounts": ("ledger_accounts",), "tax_rates": ("tax_rates",),
    "invoices": ("sales_invoices", "purchase_invoices"), "payments": ("contact_payments",),
    "journals": ("journals",),
}


@dataclass
class Seeded:
    """Ids of the records seeded in one business, by what the changes may do to them."""

    bank: str
    accounts: tuple[str, str]  # the bank's ledger account and a sales account
    idle_contacts: list[str] = field(default_factory=list)  # no invoice: can be deleted
    customers: list[str] = field(default_factory=list)
    open_invoices: list[str] = field(default_factory=list)  # sales, unpaid: can change
    purchases: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)
    journals: list[str] = field(default_factory=list)


def seed_business(sb: SageSandbox, country: str, rng: random.Random) -> Seeded:
    """A few hundred records in batches a second or two apart, so timestamps tie and differ."""
    seeded = Seeded(bank=sb.bank_account_id(country),
                    accounts=(sb.ledger_account_id(country, 1200),
                              sb.ledger_account_id(country, 4000)))
    for batch in range(3):
        seed_batch(sb, country, seeded, f"{batch}", rng)
        sb.advance_clock(rng.choice((0, 1, 2)))
    return seeded


def seed_batch(sb: SageSandbox, country: str, seeded: Seeded, batch: str,
               rng: random.Random) -> None:
    """Customers (a third without invoices), suppliers, invoices, payments and journals."""
    customers = sb.seed_contacts(rng.randint(30, 60), country=country)
    seeded.idle_contacts += customers[: len(customers) // 3]
    billed = customers[len(customers) // 3 :]
    seeded.customers += billed
    invoices = sb.seed_invoices(rng.randint(40, 80), country=country, lines=2,
                                contact_ids=billed)
    vendors = sb.seed_contacts(rng.randint(3, 8), country=country, contact_type="VENDOR")
    seeded.purchases += sb.seed_invoices(rng.randint(5, 15), country=country, lines=1,
                                         contact_ids=vendors, kind="purchase")
    paid = rng.randint(5, 12)  # seed_invoices bills contact n % len(billed) for invoice n
    seeded.payments += sb.bulk_create("contact_payments", [
        {"transaction_type_id": "CUSTOMER_RECEIPT", "bank_account_id": seeded.bank,
         "contact_id": billed[n % len(billed)], "date": "2025-03-02",
         "total_amount": "100.00", "reference": f"R{batch}-{n}",
         "allocated_artefacts": [{"artefact_id": invoices[n], "amount": "100.00"}]}
        for n in range(paid)], country=country)
    seeded.open_invoices += invoices[paid:]
    seeded.journals += sb.bulk_create("journals", [
        {"date": "2025-03-02", "reference": f"J{batch}-{n}", "journal_lines": [
            {"ledger_account_id": seeded.accounts[0], "debit": "10.00", "credit": "0"},
            {"ledger_account_id": seeded.accounts[1], "debit": "0", "credit": "10.00"}]}
        for n in range(rng.randint(5, 15))], country=country)


def full_run_pages(sb: SageSandbox) -> int:
    """How many list pages a first run of every resource of both businesses reads."""
    counts = sb.record_counts()
    return sum(
        max(1, math.ceil(counts[country].get(collection, 0) / PAGE_SIZE))
        for country in COUNTRIES for names in COLLECTIONS.values() for collection in names
    )


def pick(rng: random.Random, ids: list[str], held: set[str], count: int, *,
         read: bool = True) -> list[str]:
    """``count`` different ids among those the killed run had committed (``read``) or had
    not, when there are enough of them, else among all."""
    wanted = [record_id for record_id in ids if (record_id in held) == read]
    return rng.sample(wanted if len(wanted) >= count else ids, count)


def change_books(client: ua.Client, seeded: Seeded, held: dict[str, set[str]],
                 rng: random.Random, *, delete_read: bool) -> None:
    """Edit, create, void and delete records of every resource, through the adapter.

    Edits go to records the mirror already holds: a record changed on a page that the
    killed run committed keeps its place in Sage's lists, so a resumed window alone never
    reads it again. Deletions go to records the mirror holds (``delete_read``), which moves
    the rest of the list up and so the resume point, or to records it has not read yet.
    """
    def doomed(resource: str, ids: list[str], count: int = 1) -> list[str]:
        return pick(rng, ids, held[resource], count, read=delete_read)

    people = sorted(held["contact_persons"])
    if len(people) < 2:
        people = [client.contacts.get(contact_id).contact_persons[0].id or ""
                  for contact_id in rng.sample(seeded.customers, 2)]
    for person_id in rng.sample(people, 2):
        client.contact_persons.update(person_id, {"job_title": "Buyer"})
    for contact_id in pick(rng, seeded.customers, held["contacts"], 3):
        client.contacts.update(contact_id, {"name": "Renamed Ltd"})
    for contact_id in doomed("contacts", seeded.idle_contacts, 2):
        client.contacts.delete(contact_id)  # its address and contact person go with it
    client.invoices.create(sales_invoice(customer(client).id or "", seeded.accounts[1]))
    edited, voided, paid = pick(rng, seeded.open_invoices, held["invoices"], 3)
    client.invoices.update(edited, {"notes": "Changed after the crash"})
    client.invoices.delete(voided, void_reason="Raised in error")
    client.invoices.delete(*doomed("invoices", seeded.purchases))
    client.payments.create(ua.Payment(
        type="customer_receipt", contact_id=client.invoices.get(paid).contact_id,
        date=date(2025, 3, 3), bank_account_id=seeded.bank, amount=Decimal("25.00"),
        allocations=[ua.PaymentAllocation(invoice_id=paid, amount=Decimal("25.00"))]))
    client.payments.delete(*doomed("payments", seeded.payments))  # its invoice is open again
    client.journals.delete(*doomed("journals", seeded.journals))
    client.journals.create(ua.JournalEntry(date=date(2025, 3, 3), reference="Accrual", lines=[
        ua.JournalLine(account_id=seeded.accounts[0], debit=Decimal("5.00")),
        ua.JournalLine(account_id=seeded.accounts[1], credit=Decimal("5.00"))]))


def unified(model: Any) -> dict[str, Any]:
    """The unified JSON the mirror stores for a model (``remote_data`` has its own column)."""
    data = ua.dump(model)
    data.pop("remote_data", None)
    return data


def deleted_ids(facade: Any) -> set[str]:
    """Every id the provider reports deleted, or none where it keeps no deleted feed."""
    try:
        return {gone.id for gone in facade.list_deleted(since=START - timedelta(days=1))}
    except UnsupportedOperationError:
        return set()


def mirror_differences(mirror: SQLiteMirror, client: ua.Client) -> list[str]:
    """Every way the mirror differs from what the provider lists for the client's business."""
    scope: Scope = scope_of(client)
    problems: list[str] = []
    for resource in RESOURCES:
        facade = getattr(client, resource)
        live = {model.id: model for model in facade.list()}
        held = {record.id: record for record in mirror.records(scope, resource)}
        problems += [f"{resource}/{i} missing" for i in sorted(live.keys() - held.keys())]
        problems += [f"{resource}/{i} still live" for i in sorted(held.keys() - live.keys())]
        for record_id in sorted(live.keys() & held.keys()):
            model, record = live[record_id], held[record_id]
            if (record.updated_at, record.data) != (model.updated_at, unified(model)):
                problems.append(f"{resource}/{record_id} stale")
        for record_id in sorted(deleted_ids(facade)):
            record = mirror.get(scope, resource, record_id, include_deleted=True)
            if record is not None and not record.deleted:
                problems.append(f"{resource}/{record_id} not marked deleted")
    return problems


def start_child(sb: SageSandbox, store: Path, mirror: Path) -> subprocess.Popen[bytes]:
    """Start a sync of both businesses in another process; the spec goes in on stdin."""
    spec = {
        "settings": {**sb.settings, **SETTINGS}, "client_id": sb.client_id,
        "client_secret": sb.client_secret, "store": f"sqlite://{store}",
        "connection": CONNECTION, "business_ids": [sb.business_id(c) for c in COUNTRIES],
        "mirror": str(mirror), "resources": list(RESOURCES), "page_size": PAGE_SIZE,
        "now": sb.now().isoformat(),
    }
    child = subprocess.Popen([sys.executable, str(CHILD)], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stdin is not None
    child.stdin.write(json.dumps(spec).encode())
    child.stdin.close()
    return child


def kill_after(sb: SageSandbox, child: subprocess.Popen[bytes], requests: int,
               delay: float) -> None:
    """SIGKILL the child ``delay`` seconds after the sandbox has seen ``requests`` requests."""
    deadline = time.monotonic() + 30
    while sb.counters.total_requests < requests and child.poll() is None:
        assert time.monotonic() < deadline, "the child sync made no progress"
        time.sleep(0.001)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.stderr is not None
    assert child.returncode in (0, -signal.SIGKILL), child.stderr.read().decode()


def held_ids(mirror: SQLiteMirror, client: ua.Client) -> dict[str, set[str]]:
    """The ids of each resource the mirror holds for the client's business."""
    scope = scope_of(client)
    return {resource: {record.id for record in mirror.records(scope, resource)}
            for resource in RESOURCES}


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_sigkill_at_a_random_moment_then_one_run_leaves_the_mirror_equal_to_sage(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    store_path, mirror_path = tmp_path / "tokens.sqlite3", tmp_path / "mirror.sqlite3"
    store = SQLiteTokenStore(store_path)
    with SageSandbox.running(port=0, seed=seed, start_time=START,
                             access_token_ttl=3600) as sb:
        seeded = {country: seed_business(sb, country, rng) for country in COUNTRIES}
        sb.connect(token_store=store, connection=CONNECTION).close()
        sb.advance_clock(STEP)
        sb.reset_counters()
        child = start_child(sb, store_path, mirror_path)
        kill_after(sb, child, rng.randint(1, full_run_pages(sb)), rng.uniform(0, 0.02))

        sb.advance_clock(STEP)
        # A private limiter: connect() above made this process's shared one, at 15 a second.
        clients = [ua.connect("sage", connection=CONNECTION, token_store=store,
                              settings=sb.settings, limiter=LocalLimiter(RateLimits()),
                              business_id=sb.business_id(country), client_id=sb.client_id,
                              client_secret=sb.client_secret) for country in COUNTRIES]
        with SQLiteMirror(mirror_path) as mirror:
            if seed % 2:  # half the runs resume a quiet provider, half a changed one
                for country, client in zip(COUNTRIES, clients, strict=True):
                    change_books(client, seeded[country], held_ids(mirror, client), rng,
                                 delete_read=country == "GB")
                sb.advance_clock(STEP)
            result = Syncer(mirror, resources=RESOURCES, page_size=PAGE_SIZE, max_workers=2,
                            clock=sb.now).run(clients)
            assert result.ok, [repr(stream.error) for stream in result.failed]
            for client in clients:
                assert mirror_differences(mirror, client) == []
                client.close()
