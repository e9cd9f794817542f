"""``list(read_ahead=True)`` against the Sage sandbox: same records, same order, clean stop."""

from __future__ import annotations

import gc
import threading
import time

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.parallel_pages import THREAD_NAME


def _reader_threads() -> list[threading.Thread]:
    # Sage lists read ahead on the numbered-page reader's one worker.
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)]


def test_read_ahead_gives_the_same_records_in_the_same_order(
        client: ua.Client, sandbox: SageSandbox) -> None:
    sandbox.seed_contacts(450)  # more than two pages of 200
    plain = [c.id for c in client.contacts.list()]
    ahead = [c.id for c in client.contacts.list(read_ahead=True)]
    assert ahead == plain
    assert len(plain) >= 450


def test_a_reader_that_stops_early_stops_the_thread(client: ua.Client) -> None:
    records = client.contacts.list(read_ahead=True)
    next(records)
    assert _reader_threads()
    records.close()  # type: ignore[attr-defined]
    _wait_until_no_reader()


def test_a_dropped_reader_stops_the_thread(client: ua.Client) -> None:
    records = client.contacts.list(read_ahead=True)
    next(records)
    del records
    gc.collect()
    _wait_until_no_reader()


def _wait_until_no_reader() -> None:
    deadline = time.monotonic() + 5
    while _reader_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _reader_threads() == []


def test_an_error_surfaces_where_the_list_is_read(
        client: ua.Client, sandbox: SageSandbox) -> None:
    sandbox.seed_contacts(1000)
    records = client.contacts.list(read_ahead=True)
    read = [next(records)]
    # From now on every page fails (retries included); the pages already fetched still come.
    sandbox.queue_fault("error_500", 100, path_contains="/contacts")
    with pytest.raises(ua.AccountingError):  # noqa: PT012 - the records before it count
        for record in records:
            read.append(record)
    sandbox.clear_faults()
    assert 200 <= len(read) < len(list(client.contacts.list()))
    assert len(read) % 200 == 0  # whole pages, then the error where the next one failed
