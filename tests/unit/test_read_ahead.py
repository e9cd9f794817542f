"""ReadAhead: one item ahead of the reader and no further, errors in place, clean stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from unified_accounting.read_ahead import ReadAhead

SETTLE = 0.3  # long enough for a thread that could run further ahead to do so


class CountingSource:
    """Pages 0..n-1, counting how many the producer has asked for."""

    def __init__(self, pages: int, fail_at: int | None = None) -> None:
        self.pages = pages
        self.fail_at = fail_at
        self.fetched = 0
        self.lock = threading.Lock()

    def __iter__(self) -> Iterator[int]:
        for number in range(self.pages):
            if number == self.fail_at:
                raise RuntimeError(f"page {number} failed")
            with self.lock:
                self.fetched += 1
            yield number


def wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_the_thread_stays_exactly_one_page_ahead_of_the_reader() -> None:
    source = CountingSource(10)
    reader = ReadAhead(iter(source))
    time.sleep(SETTLE)
    assert source.fetched == 1  # nothing taken yet: only the first page is fetched
    for consumed in range(1, 6):
        assert next(reader) == consumed - 1
        wait_for(lambda consumed=consumed: source.fetched == consumed + 1)
        time.sleep(SETTLE)
        assert source.fetched == consumed + 1  # the page being read and one more, no further
    reader.close()


def test_every_item_comes_in_order_then_the_end() -> None:
    assert list(ReadAhead(iter(CountingSource(7)))) == list(range(7))
    assert list(ReadAhead(iter(CountingSource(0)))) == []


def test_an_error_comes_after_the_items_before_it() -> None:
    reader = ReadAhead(iter(CountingSource(5, fail_at=3)))
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(RuntimeError, match="page 3 failed"):
        next(reader)
    with pytest.raises(StopIteration):
        next(reader)


def test_close_stops_the_thread_without_fetching_more() -> None:
    source = CountingSource(100)
    reader = ReadAhead(iter(source), name="read-ahead-under-test")
    next(reader)
    reader.close()
    assert not [t for t in threading.enumerate() if t.name == "read-ahead-under-test"]
    assert source.fetched <= 2
