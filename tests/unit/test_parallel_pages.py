"""read_in_parallel: list order whatever order pages arrive in, a bound on pages in flight,
errors in place and clean stops."""

from __future__ import annotations

import threading
import time

import pytest

import unified_accounting as ua
from unified_accounting.parallel_pages import THREAD_NAME, check_workers, read_in_parallel

PAGE = 3  # records per page of the fake list


class FakePages:
    """A list of ``pages`` numbered pages; later pages answer sooner, to scramble arrival."""

    def __init__(self, pages: int, fail_at: int | None = None, delay: float = 0.02) -> None:
        self.pages = pages
        self.fail_at = fail_at
        self.delay = delay
        self.opened = 0
        self.started: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.mapped_on: set[str] = set()
        self.lock = threading.Lock()

    def open(self) -> int:
        self.opened += 1
        return self.pages

    def records(self, fetched: list[str]) -> list[str]:
        self.mapped_on.add(threading.current_thread().name)
        return fetched

    def fetch(self, number: int) -> list[str]:
        with self.lock:
            self.started.append(number)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay * (1 + (self.pages - number) % 4))
            if number == self.fail_at:
                raise ua.ProviderUnavailableError(f"page {number} failed")
            return [f"{number}.{i}" for i in range(PAGE)]
        finally:
            with self.lock:
                self.in_flight -= 1


def expected(pages: int) -> list[str]:
    return [f"{n}.{i}" for n in range(1, pages + 1) for i in range(PAGE)]


def page_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)]


def test_records_come_in_list_order_whatever_order_pages_arrive_in() -> None:
    source = FakePages(13)
    assert list(read_in_parallel(source, 4)) == expected(13)
    assert sorted(source.started) == list(range(1, 14))  # each page asked for once
    assert source.most_in_flight == 4
    assert source.mapped_on == {threading.current_thread().name}  # mapped by the reader
    assert page_threads() == []


@pytest.mark.parametrize("workers", [1, 3])
def test_no_more_than_workers_pages_are_fetched_beyond_the_one_being_read(workers: int) -> None:
    source = FakePages(20, delay=0.005)
    records = read_in_parallel(source, workers)
    for number in range(1, 8):
        first = next(records)
        assert first == f"{number}.0"
        time.sleep(0.1)  # time enough for a reader that runs further ahead to do so
        assert max(source.started) == number + workers
        for _ in range(PAGE - 1):
            next(records)
    records.close()  # type: ignore[attr-defined]
    assert source.most_in_flight <= workers


def test_an_error_comes_after_the_records_before_it() -> None:
    source = FakePages(30, fail_at=5, delay=0.005)
    read: list[str] = []
    with pytest.raises(ua.ProviderUnavailableError, match="page 5"):  # noqa: PT012
        for record in read_in_parallel(source, 4):
            read.append(record)
    assert read == expected(4)
    assert max(source.started) <= 5 + 4  # nothing started after the error was seen
    assert page_threads() == []


def test_closing_early_starts_no_new_page_and_leaves_no_thread() -> None:
    source = FakePages(50, delay=0.005)
    records = read_in_parallel(source, 4)
    next(records)
    records.close()  # type: ignore[attr-defined]
    started = len(source.started)
    assert started <= 1 + 4
    time.sleep(0.05)
    assert len(source.started) == started
    assert page_threads() == []


def test_an_empty_list_fetches_no_page() -> None:
    source = FakePages(0)
    assert list(read_in_parallel(source, 4)) == []
    assert source.opened == 1
    assert source.started == []


@pytest.mark.parametrize("workers", [0, 11, -1, "4", 2.0, True, None])
def test_workers_must_be_a_whole_number_from_1_to_10(workers: object) -> None:
    with pytest.raises(ua.ValidationError) as caught:
        check_workers(workers)
    assert "parallel" in caught.value.errors


def test_one_to_ten_workers_are_accepted() -> None:
    assert [check_workers(n) for n in (1, 10)] == [1, 10]
