"""The sync engine against an in-process provider with Sage's list rules and a manual clock."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import unified_accounting as ua
from tests.support.books import Books, ManualClock, Request, iso
from tests.support.books_client import BooksClient
from tests.support.mirror_check import mirror_differences
from unified_accounting.models import DeletedRecord
from unified_accounting.syncing import (
    CommitCounts,
    MirrorItem,
    RecordPage,
    Scope,
    SQLiteMirror,
    StreamKey,
    StreamState,
    Syncer,
    SyncProgress,
    SyncResult,
)

BIZ = "biz-gb"
OTHER = "biz-ie"
RESOURCES = ("contacts", "invoices")


class Crash(Exception):
    """Stands for the process dying at one commit."""


CrashRule = Callable[[StreamKey, StreamState, Sequence[MirrorItem]], bool]


class CrashingMirror(SQLiteMirror):
    """A mirror whose next commit matching ``crash_when`` fails before anything is written."""

    crash_when: CrashRule | None = None

    def commit(self, key: StreamKey, *, state: StreamState, upserts: Sequence[MirrorItem] = (),
               deletions: Sequence[DeletedRecord] = ()) -> CommitCounts:
        if self.crash_when is not None and self.crash_when(key, state, upserts):
            self.crash_when = None
            raise Crash(key.resource)
        return super().commit(key, state=state, upserts=upserts, deletions=deletions)


def on_page(resource: str, page: int) -> CrashRule:
    """The commit that carries the records of ``page`` (and, in it, the window's progress)."""
    return lambda key, state, items: (key.resource == resource and state.window is not None
                                      and state.window.pages_done == page and bool(items))


def on_cursor_save(resource: str) -> CrashRule:
    return lambda key, state, items: (key.resource == resource and state.window is None
                                      and not items)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def books(clock: ManualClock) -> Books:
    return Books(clock)


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[CrashingMirror]:
    with CrashingMirror(tmp_path / "mirror.sqlite3") as opened:
        yield opened


def syncer(mirror: SQLiteMirror, clock: ManualClock, **options: Any) -> Syncer:
    return Syncer(mirror, resources=RESOURCES, clock=clock, **options)


def seed(books: Books, clock: ManualClock, count: int, resource: str = "contacts",
         business: str = BIZ) -> list[str]:
    ids = []
    for number in range(count):
        ids.append(books.put(business, resource, f"{resource[0]}{number:05d}",
                             name=f"{business} {number}")["id"])
        clock.advance(0.001)
    return ids


def stream(result: SyncResult, resource: str, business: str = BIZ) -> Any:
    (found,) = [s for s in result.streams
                if s.resource == resource and s.scope.business_id == business]
    return found


def differences(mirror: SQLiteMirror, books: Books, business: str = BIZ) -> list[str]:
    return mirror_differences(mirror, books, Scope("books", "default", business), RESOURCES)


def once(books: Books, when: Callable[[Request], bool], action: Callable[[], None]) -> None:
    """Run ``action`` the first time a list call matches ``when``."""
    def hook(request: Request) -> None:
        if when(request):
            books.before_request = None
            action()

    books.before_request = hook


@pytest.mark.parametrize("count", [0, 1, 200, 201, 450])
def test_first_run_reads_everything_in_ceil_n_over_200_requests(
    books: Books, clock: ManualClock, mirror: CrashingMirror, count: int
) -> None:
    seed(books, clock, count)
    clock.advance(600)
    result = syncer(mirror, clock).run(BooksClient.direct(books, BIZ))
    assert result.ok
    assert books.count("list", "contacts") == max(1, math.ceil(count / 200))
    assert books.count("deleted") == 0
    contacts = stream(result, "contacts")
    assert (contacts.inserted, contacts.fetched, contacts.full) == (count, count, True)
    assert mirror.count(Scope("books", "default", BIZ), "contacts") == count
    assert differences(mirror, books) == []


@pytest.mark.parametrize("changes", [0, 1, 199, 200, 201, 450])
def test_incremental_run_costs_ceil_k_over_200_plus_the_deleted_check(
    books: Books, clock: ManualClock, mirror: CrashingMirror, changes: int
) -> None:
    ids = seed(books, clock, 450)
    clock.advance(600)
    client = BooksClient.direct(books, BIZ)
    syncer(mirror, clock).run(client)
    books.requests.clear()
    clock.advance(600)
    for record_id in ids[:changes]:
        books.put(BIZ, "contacts", record_id, name="changed")
    clock.advance(1)
    result = syncer(mirror, clock).run(client)
    assert books.count("list", "contacts") == max(1, math.ceil(changes / 200))
    assert books.count("deleted", "contacts") == 1
    contacts = stream(result, "contacts")
    assert (contacts.fetched, contacts.updated, contacts.unchanged) == (changes, changes, 0)
    assert contacts.requests == max(1, math.ceil(changes / 200)) + 1
    assert differences(mirror, books) == []


def test_overlap_rereads_changes_made_just_before_the_last_run_as_unchanged(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    ids = seed(books, clock, 10)
    clock.advance(600)
    books.put(BIZ, "contacts", ids[0], name="just before")
    clock.advance(10)
    client = BooksClient.direct(books, BIZ)
    syncer(mirror, clock).run(client)
    clock.advance(600)
    books.put(BIZ, "contacts", ids[1], name="later")
    contacts = stream(syncer(mirror, clock).run(client), "contacts")
    assert (contacts.fetched, contacts.updated, contacts.unchanged) == (2, 1, 1)


def test_record_that_becomes_visible_late_within_the_overlap_is_not_lost(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    seed(books, clock, 5)
    clock.advance(600)
    first_run = clock()
    client = BooksClient.direct(books, BIZ)
    syncer(mirror, clock).run(client)
    clock.advance(120)
    # Stamped before the first run began, but committed by the provider only now.
    books.put(BIZ, "contacts", "late", at=first_run - timedelta(seconds=30), name="late")
    assert stream(syncer(mirror, clock).run(client), "contacts").inserted == 1
    assert differences(mirror, books) == []


def test_change_to_an_already_read_record_during_a_run_triggers_a_second_pass(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    ids = seed(books, clock, 450)
    clock.advance(600)
    # Sorted by updated_at, the changed record leaves page 1 for the end, so every later
    # record moves up one place and the first record of page 3 is never served on page 3.
    once(books, lambda r: r.kind == "list" and r.page == 3,
         lambda: books.put(BIZ, "contacts", ids[0], name="moved"))
    result = syncer(mirror, clock).run(BooksClient.direct(books, BIZ))
    contacts = stream(result, "contacts")
    assert (contacts.passes, contacts.shifted) == (2, False)
    assert books.count("list", "contacts") == 6
    assert differences(mirror, books) == []
    assert mirror.load_state(StreamKey(Scope("books", "default", BIZ), "contacts")).synced_until


def test_list_that_keeps_shifting_keeps_the_cursor_for_the_next_run(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    ids = seed(books, clock, 450)
    clock.advance(600)

    def keep_moving(request: Request) -> None:
        if request.kind == "list" and request.page == 3:
            books.put(BIZ, "contacts", ids[clock.advance(1).second % 100], name="moving")

    books.before_request = keep_moving
    client = BooksClient.direct(books, BIZ)
    contacts = stream(syncer(mirror, clock, max_passes=2).run(client), "contacts")
    assert (contacts.passes, contacts.shifted) == (2, True)
    key = StreamKey(Scope("books", "default", BIZ), "contacts")
    assert mirror.load_state(key).synced_until is None  # still owes a full read
    books.before_request = None
    contacts = stream(syncer(mirror, clock).run(client), "contacts")
    assert (contacts.full, contacts.shifted) == (True, False)
    assert differences(mirror, books) == []


@pytest.mark.parametrize("late_id", ["a-late", "z-late"])
def test_records_sharing_a_timestamp_across_a_page_boundary_survive_a_crash(
    books: Books, clock: ManualClock, mirror: CrashingMirror, late_id: str
) -> None:
    tie = clock()
    for number in range(250):
        books.put(BIZ, "contacts", f"t{number:04d}", at=tie, name="tied")
    clock.advance(600)
    client = BooksClient.direct(books, BIZ)
    mirror.crash_when = on_page("contacts", 2)
    assert isinstance(stream(syncer(mirror, clock).run(client), "contacts").error, Crash)
    # Another record with the same timestamp shows up before the next run; "a-late" sorts
    # onto the committed page 1 (the window must start again), "z-late" onto page 2.
    books.put(BIZ, "contacts", late_id, at=tie, name="tied too")
    clock.advance(5)
    syncer(mirror, clock).run(client)
    assert differences(mirror, books) == []
    assert mirror.count(Scope("books", "default", BIZ), "contacts") == 251


def test_crash_between_last_page_commit_and_cursor_save_resumes_and_catches_up(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    seed(books, clock, 450)
    clock.advance(600)
    client = BooksClient.direct(books, BIZ)
    mirror.crash_when = on_cursor_save("contacts")
    assert isinstance(stream(syncer(mirror, clock).run(client), "contacts").error, Crash)
    key = StreamKey(Scope("books", "default", BIZ), "contacts")
    window = mirror.load_state(key).window
    assert window is not None
    assert window.pages_done == 3
    books.requests.clear()
    clock.advance(60)
    second_start = clock()
    contacts = stream(syncer(mirror, clock).run(client), "contacts")
    # Page 3 is fetched again, to prove the pages have not moved; then one request finds
    # nothing changed since the interrupted run began.
    assert books.count("list", "contacts") == 2
    assert (contacts.resumed, contacts.inserted, contacts.unchanged) == (True, 0, 0)
    assert mirror.load_state(key).synced_until == second_start
    assert differences(mirror, books) == []


def test_crash_inside_a_page_commit_loses_nothing(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    seed(books, clock, 450)
    clock.advance(600)
    client = BooksClient.direct(books, BIZ)
    mirror.crash_when = on_page("contacts", 2)
    syncer(mirror, clock).run(client)
    assert mirror.count(Scope("books", "default", BIZ), "contacts") == 200
    books.requests.clear()
    contacts = stream(syncer(mirror, clock).run(client), "contacts")
    # Page 1 again (the check), pages 2 and 3, then the changes since the first run began.
    assert books.count("list", "contacts") == 4
    assert (contacts.resumed, contacts.inserted) == (True, 250)
    assert differences(mirror, books) == []


def test_deletion_before_the_resume_point_restarts_the_window_and_is_marked(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    ids = seed(books, clock, 450)
    clock.advance(600)
    client = BooksClient.direct(books, BIZ)
    mirror.crash_when = on_page("contacts", 3)
    syncer(mirror, clock).run(client)
    clock.advance(30)
    books.delete(BIZ, "contacts", ids[5])
    clock.advance(30)
    contacts = stream(syncer(mirror, clock).run(client), "contacts")
    assert (contacts.resumed, contacts.deleted, contacts.deletion_checks) == (False, 1, 1)
    assert differences(mirror, books) == []


def test_deleted_records_are_marked_deleted_not_forgotten(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    contact_ids = seed(books, clock, 5)
    invoice_ids = seed(books, clock, 3, "invoices")
    clock.advance(600)
    client = BooksClient.direct(books, BIZ)
    syncer(mirror, clock).run(client)
    books.delete(BIZ, "contacts", contact_ids[1])
    books.delete(BIZ, "invoices", invoice_ids[0])
    clock.advance(600)
    result = syncer(mirror, clock).run(client)
    assert [stream(result, r).deleted for r in RESOURCES] == [1, 1]
    scope = Scope("books", "default", BIZ)
    gone = mirror.get(scope, "contacts", contact_ids[1], include_deleted=True)
    assert gone is not None
    assert gone.deleted
    assert gone.data is not None
    assert gone.data["name"] == f"{BIZ} 1"
    assert mirror.get(scope, "contacts", contact_ids[1]) is None
    assert mirror.count(scope, "contacts") == 4
    assert differences(mirror, books) == []


def test_deletion_during_a_first_run_is_caught_by_the_next_one(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    ids = seed(books, clock, 450)
    clock.advance(600)
    once(books, lambda r: r.kind == "list" and r.resource == "invoices",
         lambda: books.delete(BIZ, "contacts", ids[0]))
    client = BooksClient.direct(books, BIZ)
    syncer(mirror, clock).run(client)
    assert differences(mirror, books) == [f"contacts/{ids[0]} still live in the mirror",
                                          f"contacts/{ids[0]} not marked deleted"]
    clock.advance(600)
    syncer(mirror, clock).run(client)
    assert differences(mirror, books) == []


def test_two_businesses_with_clashing_ids_never_mix(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    seed(books, clock, 250, business=BIZ)
    seed(books, clock, 120, business=OTHER)
    seed(books, clock, 30, "invoices", business=OTHER)
    clock.advance(600)
    clients = [BooksClient.direct(books, BIZ), BooksClient.direct(books, OTHER)]
    result = syncer(mirror, clock, max_workers=2).run(clients)
    assert result.ok
    assert [(s.scope.business_id, s.resource, s.inserted) for s in result.streams] == [
        (BIZ, "contacts", 250), (BIZ, "invoices", 0),
        (OTHER, "contacts", 120), (OTHER, "invoices", 30),
    ]
    assert differences(mirror, books, BIZ) == []
    assert differences(mirror, books, OTHER) == []
    shared = mirror.get(Scope("books", "default", OTHER), "contacts", "c00007")
    assert shared is not None
    assert shared.data is not None
    assert shared.data["name"] == f"{OTHER} 7"


class _StubContacts:
    """A resource that lists fixed records and has no deleted feed it can serve."""

    def __init__(self, *records: ua.Contact) -> None:
        self.records = list(records)

    def pages(self, *, page_size: int, start_page: int = 1,
              updated_since: Any = None) -> Iterator[RecordPage[Any]]:
        yield RecordPage(items=self.records)

    def list_deleted(self, since: Any) -> Iterator[DeletedRecord]:
        raise ua.UnsupportedOperationError("no deleted feed")


class _StubClient:
    provider = "stub"
    connection = "default"

    def __init__(self, business_id: str | None, *records: ua.Contact) -> None:
        self.business_id = business_id
        self.contacts = _StubContacts(*records)


def test_record_of_another_business_fails_that_stream_only(
    clock: ManualClock, mirror: CrashingMirror, books: Books
) -> None:
    seed(books, clock, 3, business=OTHER)
    wrong = _StubClient(BIZ, ua.Contact(id="x", business_id=OTHER, name="n", updated_at=clock()))
    result = Syncer(mirror, resources=["contacts"], clock=clock).run(
        [wrong, BooksClient.direct(books, OTHER)]
    )
    (failed,) = result.failed
    assert failed.scope.business_id == BIZ
    assert isinstance(failed.error, ua.ProviderError)
    assert "belongs to business biz-ie" in str(failed.error)
    assert mirror.count(Scope("stub", "default", BIZ), "contacts", include_deleted=True) == 0
    assert stream(result, "contacts", OTHER).inserted == 3
    with pytest.raises(ua.ProviderError):
        result.raise_for_errors()


def test_resource_without_deleted_feed_skips_the_check(
    clock: ManualClock, mirror: CrashingMirror
) -> None:
    client = _StubClient(BIZ, ua.Contact(id="x", business_id=BIZ, name="n", updated_at=clock()))
    run = Syncer(mirror, resources=["contacts"], clock=clock).run
    run(client)
    clock.advance(600)
    contacts = stream(run(client), "contacts")
    assert contacts.error is None
    assert (contacts.deletion_checks, contacts.unchanged) == (0, 1)


def test_client_must_be_bound_to_one_business(clock: ManualClock, mirror: CrashingMirror,
                                               books: Books) -> None:
    with pytest.raises(ua.ConfigurationError, match="bound to one business"):
        Syncer(mirror, clock=clock).run(_StubClient(None))
    same = BooksClient.direct(books, BIZ)
    with pytest.raises(ua.ConfigurationError, match="same business"):
        Syncer(mirror, clock=clock).run([same, BooksClient.direct(books, BIZ)])


def test_list_only_client_is_paged_by_the_engine_and_resumes(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    seed(books, clock, 450)
    clock.advance(600)
    client = BooksClient.direct(books, BIZ, paged=False)
    mirror.crash_when = on_page("contacts", 2)
    syncer(mirror, clock).run(client)
    assert mirror.count(Scope("books", "default", BIZ), "contacts") == 200
    contacts = stream(syncer(mirror, clock).run(client), "contacts")
    assert (contacts.resumed, contacts.inserted, contacts.pages) == (True, 250, 3)
    assert differences(mirror, books) == []


def test_progress_is_reported_per_resource_and_page(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    seed(books, clock, 450)
    clock.advance(600)
    events: list[SyncProgress] = []
    syncer(mirror, clock, on_progress=events.append).run(BooksClient.direct(books, BIZ))
    contacts = [(e.phase, e.fetched, e.total, e.pages) for e in events
                if e.resource == "contacts"]
    assert contacts == [
        ("started", 0, None, 0), ("page", 200, 450, 1), ("page", 400, 450, 2),
        ("page", 450, 450, 3), ("finished", 450, None, 3),
    ]
    assert [e.phase for e in events if e.resource == "invoices"] == ["started", "page",
                                                                      "finished"]


class ProbingClient(BooksClient):
    """Answers the change probe from the provider's records, and counts the calls."""

    books: Books
    probes = 0

    def changed_resources(self, since: datetime, resources: Sequence[str]) -> list[str]:
        self.probes += 1
        stamp = iso(since)
        return [
            resource for resource in resources
            if any(r["updated_at"] >= stamp
                   for r in self.books.live(self.business_id, resource).values())
            or self.books.deleted_ids(self.business_id, resource)
        ]


def test_change_probe_skips_resources_that_did_not_change(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    ids = seed(books, clock, 5)
    invoice_ids = seed(books, clock, 5, "invoices")
    clock.advance(600)
    client = ProbingClient.direct(books, BIZ)
    client.books = books
    syncer(mirror, clock).run(client)
    assert client.probes == 0  # nothing to skip before the first complete window
    clock.advance(600)
    books.put(BIZ, "contacts", ids[0], name="changed")
    books.requests.clear()
    result = syncer(mirror, clock).run(client)
    assert client.probes == 1
    assert (stream(result, "invoices").skipped, books.count(resource="invoices")) == (True, 0)
    assert stream(result, "contacts").updated == 1
    clock.advance(600)
    books.put(BIZ, "invoices", invoice_ids[0], total="9.99")
    result = syncer(mirror, clock).run(client)
    assert stream(result, "invoices").updated == 1  # the skip moved the cursor safely
    assert differences(mirror, books) == []


def test_full_run_reads_everything_again(books: Books, clock: ManualClock,
                                         mirror: CrashingMirror) -> None:
    seed(books, clock, 250)
    clock.advance(600)
    client = BooksClient.direct(books, BIZ)
    syncer(mirror, clock).run(client)
    clock.advance(600)
    contacts = stream(syncer(mirror, clock).run(client, full=True), "contacts")
    assert (contacts.full, contacts.fetched, contacts.unchanged, contacts.pages) == (
        True, 250, 250, 2)


@pytest.mark.parametrize(("overlap", "caught"), [(60, True), (10, False)])
def test_overlap_must_exceed_how_far_the_provider_clock_lags(
    clock: ManualClock, mirror: CrashingMirror, overlap: int, caught: bool
) -> None:
    books = Books(lambda: clock() - timedelta(seconds=30))
    ids = seed(books, clock, 5)
    clock.advance(600)
    client = BooksClient.direct(books, BIZ)
    run = syncer(mirror, clock, overlap=timedelta(seconds=overlap)).run
    run(client)
    clock.advance(600)
    # Changed after the list page was served but while the run was still going; the
    # provider stamps it 30 s before this host's clock says the run started.
    once(books, lambda r: r.kind == "deleted" and r.resource == "contacts",
         lambda: books.put(BIZ, "contacts", ids[0], name="during the run"))
    run(client)
    clock.advance(600)
    run(client)
    assert (differences(mirror, books) == []) is caught


def test_sync_function_opens_a_path_and_raises_the_first_error(
    books: Books, clock: ManualClock, tmp_path: Path
) -> None:
    seed(books, clock, 3)
    path = tmp_path / "m.sqlite3"
    result = ua.sync(BooksClient.direct(books, BIZ), path, RESOURCES, clock=clock)
    assert result.total("inserted") == 3
    assert result.total("requests") == 2
    with SQLiteMirror(path) as reopened:
        assert reopened.count(Scope("books", "default", BIZ), "contacts") == 3
    with pytest.raises(ua.UnsupportedOperationError, match="journals"):
        ua.sync(BooksClient.direct(books, BIZ), path, ["contacts", "journals"], clock=clock)


def test_naive_clock_is_refused(books: Books, mirror: CrashingMirror) -> None:
    with pytest.raises(ua.ConfigurationError, match="timezone-aware"):
        ua.sync(BooksClient.direct(books, BIZ), mirror, RESOURCES,
                clock=lambda: clock_naive())


def clock_naive() -> Any:
    from datetime import datetime

    return datetime(2024, 1, 1)


def test_businesses_are_synced_concurrently_but_never_more_than_max_workers(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    businesses = [f"biz-{n}" for n in range(4)]
    for business in businesses:
        seed(books, clock, 3, business=business)
    clock.advance(600)
    # Each list call waits for a partner: the run only finishes if two run at once.
    pair = threading.Barrier(2, timeout=10)
    guard = threading.Lock()
    active = peak = 0

    def meet(request: Request) -> None:
        nonlocal active, peak
        with guard:
            active += 1
            peak = max(peak, active)
        pair.wait()
        with guard:
            active -= 1

    books.before_request = meet
    clients = [BooksClient.direct(books, business) for business in businesses]
    result = Syncer(mirror, resources=["contacts"], clock=clock, max_workers=2).run(clients)
    assert result.ok, [repr(s.error) for s in result.failed]
    assert peak == 2
    assert [s.inserted for s in result.streams] == [3, 3, 3, 3]


def sync_read_ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "unified-accounting-sync-read-ahead"]


@pytest.mark.parametrize("read_ahead", [True, False])
def test_reading_ahead_or_not_the_mirror_ends_the_same(
    books: Books, clock: ManualClock, mirror: CrashingMirror, read_ahead: bool
) -> None:
    seed(books, clock, 650)
    clock.advance(600)
    result = syncer(mirror, clock, read_ahead=read_ahead).run(BooksClient.direct(books, BIZ))
    assert result.ok
    assert books.count("list", "contacts") == 4  # no page is fetched twice or past the end
    assert stream(result, "contacts").inserted == 650
    assert differences(mirror, books) == []
    assert sync_read_ahead_threads() == []


def test_the_page_read_ahead_is_one_page_only_and_stops_when_a_commit_fails(
    books: Books, clock: ManualClock, mirror: CrashingMirror
) -> None:
    seed(books, clock, 1200)  # six pages
    clock.advance(600)
    mirror.crash_when = on_page("contacts", 2)
    result = syncer(mirror, clock).run(BooksClient.direct(books, BIZ))
    assert isinstance(stream(result, "contacts").error, Crash)
    # Page 1 committed, page 2 failed while page 3 may have been read ahead; nothing beyond.
    assert books.count("list", "contacts") in (2, 3)
    assert sync_read_ahead_threads() == []
