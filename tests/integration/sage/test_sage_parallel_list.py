"""``list(parallel=n)`` against the Sage sandbox with 20 ms added to every request: the same
records in the same order as the plain list, one request per page, every request through the
connection's limiter, and clean stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.http import LimitScope, LocalLimiter, RateLimits
from unified_accounting.parallel_pages import THREAD_NAME

from .books import open_client

CONTACTS = 900  # five pages of 200 (with what other tests of this module add)
SALES, PURCHASES = 450, 250  # both collections of client.invoices span several pages


class CountingLimiter(LocalLimiter):
    """A real limiter that also notes how many requests it admitted and how many at once."""

    def __init__(self, limits: RateLimits) -> None:
        super().__init__(limits)
        self.admitted = 0
        self.holding = 0
        self.most_held = 0
        self._count_lock = threading.Lock()

    def acquire(self, scope: LimitScope, timeout: float | None) -> AbstractContextManager[None]:
        slot = super().acquire(scope, timeout)
        counter = self

        class Counted:
            def __enter__(self) -> None:
                slot.__enter__()
                with counter._count_lock:
                    counter.admitted += 1
                    counter.holding += 1
                    counter.most_held = max(counter.most_held, counter.holding)

            def __exit__(self, *exc: object) -> None:
                with counter._count_lock:
                    counter.holding -= 1
                slot.__exit__(*exc)  # type: ignore[arg-type]

        return Counted()


@pytest.fixture(scope="module")
def seeded(sandbox: SageSandbox) -> SageSandbox:
    sandbox.seed_contacts(CONTACTS)
    buyers = sandbox.seed_contacts(3)
    sellers = sandbox.seed_contacts(3, contact_type="VENDOR")
    sandbox.seed_invoices(SALES, lines=2, contact_ids=buyers)
    sandbox.seed_invoices(PURCHASES, lines=2, contact_ids=sellers, kind="purchase")
    return sandbox


@pytest.fixture
def slow(seeded: SageSandbox) -> Iterator[SageSandbox]:
    seeded.set_fault_rates(latency=1.0, latency_seconds=0.02)
    yield seeded
    seeded.set_fault_rates()


def page_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)]


@pytest.mark.parametrize("resource", ["contacts", "invoices"])
def test_parallel_gives_the_same_records_in_the_same_order(
        client: ua.Client, slow: SageSandbox, resource: str) -> None:
    plain = [record.id for record in getattr(client, resource).list()]
    parallel = [record.id for record in getattr(client, resource).list(parallel=4)]
    assert parallel == plain
    assert len(plain) >= (CONTACTS if resource == "contacts" else SALES + PURCHASES)
    assert page_threads() == []


def test_each_page_is_one_request_through_the_connections_limiter(
        slow: SageSandbox, token: str) -> None:
    limiter = CountingLimiter(RateLimits(max_concurrency=3))
    with open_client(slow, token, limiter=limiter) as client:
        expected = slow.counters.total_requests
        total = sum(1 for _ in client.contacts.list(parallel=6))
    pages = -(-total // 200)
    assert slow.counters.total_requests - expected == pages
    assert limiter.admitted == pages
    assert limiter.most_held == 3  # six asked for, the limiter's three at a time


def test_filters_apply_to_every_page(client: ua.Client, slow: SageSandbox) -> None:
    sales = [i.id for i in client.invoices.list(type="sales")]
    assert [i.id for i in client.invoices.list(type="sales", parallel=3)] == sales


def test_a_reader_that_stops_early_leaves_no_thread(client: ua.Client, slow: SageSandbox) -> None:
    records = client.contacts.list(parallel=4)
    next(records)
    records.close()  # type: ignore[attr-defined]
    assert page_threads() == []


def test_an_error_surfaces_where_the_list_is_read(client: ua.Client, seeded: SageSandbox) -> None:
    records = client.contacts.list(parallel=3)
    read = [next(records)]
    # From now on every page fails (retries included); the pages already fetched still come.
    seeded.queue_fault("error_500", 100, path_contains="/contacts")
    try:
        with pytest.raises(ua.AccountingError):  # noqa: PT012 - the records before it count
            for record in records:
                read.append(record)
    finally:
        seeded.clear_faults()
    assert len(read) % 200 == 0
    assert 200 <= len(read) <= 4 * 200
    assert page_threads() == []


@pytest.mark.parametrize("wrong", [0, 11, "2"])
def test_a_wrong_parallel_is_refused_before_any_request(
        client: ua.Client, seeded: SageSandbox, wrong: object) -> None:
    before = seeded.counters.total_requests
    with pytest.raises(ua.ValidationError) as caught:
        client.contacts.list(parallel=wrong)  # type: ignore[arg-type]
    assert "parallel" in caught.value.errors
    assert seeded.counters.total_requests == before


def test_a_list_without_numbered_pages_is_read_page_after_page(client: ua.Client) -> None:
    assert [b.id for b in client.businesses.list(parallel=4)] == [
        b.id for b in client.businesses.list()]
