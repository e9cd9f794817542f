"""Numbered pages across Sage lists, as ``resource.pages`` serves them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from unified_accounting_sage.list_pages import numbered_pages, page_count, whole_seconds

import unified_accounting as ua


class FakeList:
    """A Sage list: page ``n`` by number, ``$total``, and the last page for a page past the end."""

    def __init__(self, prefix: str, count: int, size: int) -> None:
        self.records = [f"{prefix}{i}" for i in range(count)]
        self.size = size
        self.fetched: list[int] = []

    def __call__(self, number: int) -> tuple[list[str], int | None]:
        self.fetched.append(number)
        last = max(1, page_count(len(self.records), self.size))
        number = min(number, last)
        return self.records[(number - 1) * self.size: number * self.size], len(self.records)


def test_one_list_is_one_request_per_page_with_its_total() -> None:
    sales = FakeList("s", 5, 2)
    pages = list(numbered_pages([sales], 2))
    assert [list(p.items) for p in pages] == [["s0", "s1"], ["s2", "s3"], ["s4"]]
    assert {p.total for p in pages} == {5}
    assert sales.fetched == [1, 2, 3]


def test_two_lists_are_numbered_across_and_the_total_is_known_from_the_first_page() -> None:
    sales, purchases = FakeList("s", 3, 2), FakeList("p", 3, 2)
    pages = list(numbered_pages([sales, purchases], 2))
    assert [list(p.items) for p in pages] == [["s0", "s1"], ["s2"], ["p0", "p1"], ["p2"]]
    assert {p.total for p in pages} == {6}
    # Page 1 of purchases was fetched with the first page and not again.
    assert (sales.fetched, purchases.fetched) == ([1, 2], [1, 2])


def test_empty_lists_give_one_empty_page_and_empty_lists_are_skipped() -> None:
    assert [(list(p.items), p.total) for p in
            numbered_pages([FakeList("s", 0, 2), FakeList("p", 0, 2)], 2)] == [([], 0)]
    pages = list(numbered_pages([FakeList("s", 0, 2), FakeList("p", 1, 2)], 2))
    assert [(list(p.items), p.total) for p in pages] == [(["p0"], 1)]


def test_a_page_past_the_end_yields_nothing() -> None:
    assert list(numbered_pages([FakeList("s", 4, 2)], 2, start_page=3)) == []


def test_a_total_that_changes_while_reading_shows_on_the_next_page() -> None:
    sales = FakeList("s", 4, 2)
    pages = numbered_pages([sales], 2)
    assert next(pages).total == 4
    sales.records.append("s4")
    assert [p.total for p in pages] == [5, 5]


def test_a_page_without_total_is_a_provider_error() -> None:
    with pytest.raises(ua.ProviderError, match=r"\$total"):
        list(numbered_pages([lambda n: ([], None)], 2))


@given(sales=st.integers(0, 9), purchases=st.integers(0, 9), size=st.integers(1, 4),
       start=st.integers(1, 8))
def test_starting_at_any_page_gives_the_rest_of_a_full_read(
    sales: int, purchases: int, size: int, start: int
) -> None:
    def lists() -> list[FakeList]:
        return [FakeList("s", sales, size), FakeList("p", purchases, size)]

    whole = [list(p.items) for p in numbered_pages(lists(), size)]
    resumed = [list(p.items) for p in numbered_pages(lists(), size, start_page=start)]
    if start == 1:
        assert resumed == whole
    else:
        assert resumed == whole[start - 1:]


def test_whole_seconds_round_down_in_any_zone() -> None:
    moment = datetime(2024, 3, 1, 12, 0, 7, 999_999, tzinfo=UTC)
    assert whole_seconds(moment) == datetime(2024, 3, 1, 12, 0, 7, tzinfo=UTC)
    paris = moment.astimezone(timezone(timedelta(hours=1)))
    assert whole_seconds(paris) == datetime(2024, 3, 1, 12, 0, 7, tzinfo=UTC)
