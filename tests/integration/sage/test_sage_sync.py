"""Sync through the real Sage adapter against the sandbox: one request per page, and no more.

The sandbox clock is frozen and moved by hand, and the sync engine reads the same clock, so
that which records a window holds does not depend on how fast the test runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import responses
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.syncing import RESOURCES, SQLiteMirror, StreamKey, Syncer, scope_of

from .books import open_client

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
STEP = 120  # seconds between phases: more than the default 60-second overlap


@pytest.fixture
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=31, start_time=START) as sb:
        yield sb


@pytest.fixture
def client(sandbox: SageSandbox) -> Iterator[ua.Client]:
    token = str(sandbox.issue_tokens()["access_token"])
    with open_client(sandbox, token) as connected:
        yield connected


def _requests(sandbox: SageSandbox, endpoint: str) -> int:
    return sandbox.counters.requests.get(endpoint, 0)


def _syncer(mirror: SQLiteMirror, sandbox: SageSandbox, *resources: str) -> Syncer:
    return Syncer(mirror, resources=list(resources), clock=sandbox.now)


def test_full_then_incremental_contacts_cost_ceil_n_over_200(
    sandbox: SageSandbox, client: ua.Client, tmp_path: Path
) -> None:
    ids = sandbox.seed_contacts(450)
    sandbox.advance_clock(STEP)
    with SQLiteMirror(tmp_path / "m.sqlite3") as mirror:
        first = _syncer(mirror, sandbox, "contacts").run(client).streams[0]
        assert (first.inserted, first.pages) == (450, math.ceil(450 / 200))
        assert _requests(sandbox, "GET /contacts") == 3

        sandbox.advance_clock(STEP)
        for contact_id in ids[:3]:
            client.contacts.update(contact_id, {"notes": "changed"})
        client.contacts.delete(ids[3])
        sandbox.reset_counters()
        second = _syncer(mirror, sandbox, "contacts").run(client).streams[0]
        # One page holds the three changes; one more request reads the deleted feed.
        assert (second.fetched, second.updated, second.deleted) == (3, 3, 1)
        assert _requests(sandbox, "GET /contacts") == 2 == second.requests
        assert mirror.count(scope_of(client), "contacts") == 449


def test_invoices_page_across_sales_and_purchases_with_one_total(
    sandbox: SageSandbox, client: ua.Client
) -> None:
    sandbox.seed_invoices(250, lines=1)
    sandbox.seed_invoices(10, lines=1, kind="purchase")
    pages = list(client.invoices.pages(page_size=100))
    assert [len(p.items) for p in pages] == [100, 100, 50, 10]
    assert {p.total for p in pages} == {260}
    assert [p.items[0].type for p in pages] == ["sales", "sales", "sales", "purchase"]
    assert _requests(sandbox, "GET /sales_invoices") == 3
    assert _requests(sandbox, "GET /purchase_invoices") == 1

    sandbox.reset_counters()
    (last,) = client.invoices.pages(page_size=100, start_page=4)
    assert [i.type for i in last.items] == ["purchase"] * 10
    assert (_requests(sandbox, "GET /sales_invoices"),
            _requests(sandbox, "GET /purchase_invoices")) == (1, 1)


def test_every_resource_syncs_and_reads_back_as_models(
    sandbox: SageSandbox, client: ua.Client, tmp_path: Path
) -> None:
    customers = sandbox.seed_contacts(5)
    sandbox.seed_invoices(3, lines=2, contact_ids=customers)
    sandbox.advance_clock(STEP)
    with SQLiteMirror(tmp_path / "m.sqlite3") as mirror:
        result = _syncer(mirror, sandbox, *RESOURCES).run(client)
        assert result.ok, [s.error for s in result.failed]
        scope = scope_of(client)
        invoice = next(mirror.records(scope, "invoices")).model()
        assert isinstance(invoice, ua.Invoice)
        assert invoice.contact_id in customers
        assert len(invoice.lines) == 2
        assert mirror.count(scope, "contacts") == 5
        assert mirror.count(scope, "tax_rates") > 0
        assert mirror.count(scope, "ledger_accounts") > 0


def test_list_queries_sort_and_round_bounds_down_to_whole_seconds() -> None:
    sb = SageSandbox(seed=5)
    since = datetime(2025, 1, 2, 3, 4, 5, 999_999, tzinfo=UTC)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        sb.register(mock)
        token = str(sb.issue_tokens()["access_token"])
        client = ua.connect("sage", access_token=token, business_id=sb.business_id("GB"),
                            sleep=lambda s: None)
        list(client.invoices.pages(page_size=50, updated_since=since))
        list(client.payments.list_deleted(since=since))
        urls = [call.request.url or "" for call in mock.calls]
    sales = next(u for u in urls if "/sales_invoices?" in u)
    assert "sort=created_at%3Aasc" in sales
    assert "updated_or_created_since=2025-01-02T03%3A04%3A05%2B00%3A00" in sales
    assert "items_per_page=50" in sales
    assert "page=1" in sales
    deleted = next(u for u in urls if "deleted_since" in u)
    assert "deleted_since=2025-01-02T03%3A04%3A05%2B00%3A00" in deleted


class _CrashOnPage(SQLiteMirror):
    """Fails the commit of page ``page``'s records once, as a process killed before it saved
    would."""

    def __init__(self, path: Path, page: int) -> None:
        super().__init__(path)
        self.page: int | None = page

    def commit(self, key: Any, *, state: Any, **changes: Any) -> Any:
        if self.page is not None and state.window is not None \
                and state.window.pages_done == self.page and changes.get("upserts"):
            self.page = None
            raise RuntimeError("killed")
        return super().commit(key, state=state, **changes)


def test_an_interrupted_sync_resumes_at_its_last_committed_page_then_catches_up(
    sandbox: SageSandbox, client: ua.Client, tmp_path: Path
) -> None:
    ids = sandbox.seed_contacts(650)
    sandbox.advance_clock(STEP)
    with _CrashOnPage(tmp_path / "m.sqlite3", page=3) as mirror:
        broken = _syncer(mirror, sandbox, "contacts").run(client).streams[0]
        assert isinstance(broken.error, RuntimeError)
        assert broken.inserted == 400
        # Sage lists contacts in the order they were created, so a contact changed on a
        # committed page stays where it was: resuming alone would never read it again.
        sandbox.advance_clock(1)
        client.contacts.update(ids[0], {"name": "Renamed after the crash"})
        sandbox.advance_clock(1)
        sandbox.reset_counters()
        resumed = _syncer(mirror, sandbox, "contacts").run(client).streams[0]
        # Page 2 is read again only to prove nothing moved; then pages 3 and 4, and one page
        # of what changed since the interrupted run began.
        assert (resumed.resumed, resumed.inserted, resumed.updated, resumed.pages) == (
            True, 250, 1, 4)
        # A first window finished in a later run also checks the deleted feed once.
        assert resumed.deletion_checks == 1
        assert _requests(sandbox, "GET /contacts") == 5 == resumed.requests
        scope = scope_of(client)
        assert mirror.count(scope, "contacts") == 650
        renamed = mirror.get(scope, "contacts", ids[0])
        assert renamed is not None
        assert renamed.data["name"] == "Renamed after the crash"


def test_a_record_stamped_in_the_future_moves_no_cursor_and_hides_no_change(
    tmp_path: Path,
) -> None:
    """Sage stamps one contact ten days ahead (a clock error); the cursor stays at the time
    each run began, later records and later changes of that very contact are all read, and
    its deletion is applied."""
    with SageSandbox.running(port=0, seed=53, start_time=START, access_token_ttl=3600) as sb:
        client = open_client(sb, str(sb.issue_tokens()["access_token"]))
        early = sb.seed_contacts(3)
        sb.advance_clock(10 * 86400)
        (ahead,) = sb.seed_contacts(1)  # stamped START + 10 days
        sb.advance_clock(-10 * 86400)
        scope = scope_of(client)
        key = StreamKey(scope, "contacts")
        with SQLiteMirror(tmp_path / "m.sqlite3") as mirror:
            sb.advance_clock(STEP)
            began = sb.now()
            _syncer(mirror, sb, "contacts").run(client)
            state = mirror.load_state(key)
            # The cursor is the time the run began, never the newest updated_at read.
            assert state.synced_until == began
            held = mirror.get(scope, "contacts", ahead)
            assert held is not None
            assert held.updated_at == START + timedelta(days=10)

            sb.advance_clock(STEP)
            later = client.contacts.create(ua.Contact(name="Created later", is_customer=True))
            client.contacts.update(ahead, {"notes": "changed after the clock error"})
            sb.advance_clock(STEP)
            second = _syncer(mirror, sb, "contacts").run(client).streams[0]
            assert (second.inserted, second.updated) == (1, 1)
            assert mirror.get(scope, "contacts", later.id or "") is not None
            changed = mirror.get(scope, "contacts", ahead)
            assert changed is not None
            assert changed.model().notes == "changed after the clock error"  # type: ignore[attr-defined]
            assert changed.updated_at == client.contacts.get(ahead).updated_at

            client.contacts.delete(ahead)
            sb.advance_clock(STEP)
            third = _syncer(mirror, sb, "contacts").run(client).streams[0]
            assert third.deleted == 1
            live = {c.id: c.updated_at for c in client.contacts.list()}
            assert {r.id: r.updated_at for r in mirror.records(scope, "contacts")} == live
            assert set(early) | {later.id} <= set(live)
        client.close()
