"""Sync over real loopback HTTP with the books test provider: two businesses, concurrent workers.

The kill-and-resume test runs against the Sage sandbox through the real adapter, in
``tests/integration/sage/test_sage_sync_kill_resume.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

import unified_accounting as ua
from tests.support.books import RESOURCES, Books, ManualClock, serving
from tests.support.books_client import BooksClient
from tests.support.mirror_check import mirror_differences
from unified_accounting.syncing import Scope, SQLiteMirror

BUSINESSES = ("biz-gb", "biz-ie")


def fill(books: Books, business: str, resource: str, count: int) -> list[str]:
    return [books.put(business, resource, f"{resource[0]}{n:05d}", name=f"{business} {n}",
                      total=f"{n}.50")["id"] for n in range(count)]


def test_first_and_incremental_runs_over_http_make_the_minimum_requests(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    books = Books(clock)
    ids = {b: fill(books, b, "contacts", 450) for b in BUSINESSES}
    for business in BUSINESSES:
        fill(books, business, "invoices", 10)
    clock.advance(600)
    path = tmp_path / "mirror.sqlite3"
    with serving(books) as server:
        clients = [BooksClient.over_http(server.url, b) for b in BUSINESSES]
        first = ua.sync(clients, path, RESOURCES, clock=clock, max_workers=2)
        assert first.total("inserted") == 920
        assert (books.count("list"), books.count("deleted")) == (2 * (3 + 1), 0)
        books.requests.clear()
        clock.advance(600)
        for record_id in ids["biz-gb"][:201]:
            books.put("biz-gb", "contacts", record_id, name="changed")
        books.delete("biz-ie", "invoices", "i00003")
        clock.advance(1)
        second = ua.sync(clients, path, RESOURCES, clock=clock, max_workers=2)
    assert books.count("list", "contacts", "biz-gb") == math.ceil(201 / 200)
    assert books.count("list", "contacts", "biz-ie") == 1  # one request finds nothing new
    assert books.count("deleted") == 4  # one check per business and resource
    assert (second.total("updated"), second.total("deleted"), second.total("unchanged")) == (
        201, 1, 0)
    with SQLiteMirror(path) as mirror:
        for business in BUSINESSES:
            assert mirror_differences(mirror, books, Scope("books", "default", business),
                                      RESOURCES) == []
