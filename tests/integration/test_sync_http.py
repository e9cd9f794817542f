"""Sync over real loopback HTTP, including a process killed at a random moment."""

from __future__ import annotations

import math
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

import unified_accounting as ua
from tests.support.books import RESOURCES, Books, ManualClock, serving
from tests.support.books_client import BooksClient
from tests.support.mirror_check import mirror_differences
from unified_accounting.sync import Scope, SQLiteMirror, Syncer

ROOT = Path(__file__).resolve().parents[2]
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


def change_between_runs(books: Books, rng: random.Random) -> None:
    """Update, delete and create a few records, as users would while nobody syncs."""
    for business in BUSINESSES:
        for resource in RESOURCES:
            live = sorted(books.live(business, resource))
            for record_id in rng.sample(live, 3):
                books.put(business, resource, record_id, name="edited")
            # Deleting an edited record is fine too: it is simply gone.
            for record_id in rng.sample(live, 2):
                books.delete(business, resource, record_id)
            books.put(business, resource, name="new")


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_sigkill_at_a_random_moment_then_one_run_leaves_the_mirror_equal(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    books = Books()
    for business in BUSINESSES:
        for resource in RESOURCES:
            fill(books, business, resource, rng.randint(120, 260))
    page_size = 50
    pages = sum(math.ceil(len(books.live(b, r)) / page_size)
                for b in BUSINESSES for r in RESOURCES)
    path = tmp_path / "mirror.sqlite3"
    with serving(books, delay=0.004) as server:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.support.sync_child", server.url, str(path),
             str(page_size), *BUSINESSES],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        kill_after = rng.randint(0, pages)
        deadline = time.monotonic() + 60
        while books.count() < kill_after and child.poll() is None:
            assert time.monotonic() < deadline, "the child sync made no progress"
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.006))  # land anywhere inside a request or a commit
        child.send_signal(signal.SIGKILL)
        _, errors = child.communicate(timeout=30)
        assert child.returncode in (0, -signal.SIGKILL), errors.decode()
        if seed % 2:  # half the runs resume a quiet provider, half a changed one
            change_between_runs(books, rng)
        clients = [BooksClient.over_http(server.url, b) for b in BUSINESSES]
        with SQLiteMirror(path) as mirror:
            result = Syncer(mirror, resources=RESOURCES, page_size=page_size,
                            overlap=timedelta(seconds=60), max_workers=2).run(clients)
            assert result.ok, [repr(s.error) for s in result.failed]
            for business in BUSINESSES:
                scope = Scope("books", "default", business)
                assert mirror_differences(mirror, books, scope, RESOURCES) == []
