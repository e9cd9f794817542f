"""Numbered pages over one or more Sage lists: what ``client.<resource>.pages(...)`` returns.

Sage serves page ``n`` of a list directly (``page=n&items_per_page=...``) and says how many
records the filtered list holds (``$total``); a page past the end answers with the last page.
So a page can be fetched by number without walking ``$next``, each page is one request, and a
reader that stopped at page ``n`` can start again there.

A unified resource may be several Sage lists (invoices are ``/sales_invoices`` then
``/purchase_invoices``). Their pages are numbered one after the other, and every page carries
the sum of the lists' totals, so that a change of any list's size while it is read shows as a
change of the total. To know that sum from the first page on, the first page of each later
list is fetched together with the first page read (it is served later without a new request).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from unified_accounting.errors import ProviderError
from unified_accounting.provider import RecordPage

__all__ = ["PageFetch", "numbered_pages", "page_count", "whole_seconds"]

M = TypeVar("M")

PageFetch = Callable[[int], tuple[list[M], int | None]]
"""Fetch page ``n`` (1-based) of one list: its mapped records and the list's ``$total``."""


def whole_seconds(moment: datetime) -> datetime:
    """Round a moment down to whole seconds, the resolution Sage compares timestamps at.

    Rounding down can only widen an inclusive ``updated_or_created_since`` or an exclusive
    ``deleted_since`` window, so a record is re-read rather than missed.
    """
    return moment.replace(microsecond=0)


def page_count(total: int, page_size: int) -> int:
    """The number of pages ``total`` records fill (0 for an empty list)."""
    return -(-total // page_size)


def _total(value: int | None) -> int:
    if value is None:
        raise ProviderError("Sage answered a list page without $total", provider="sage")
    return value


def numbered_pages(
    lists: Sequence[PageFetch[M]], page_size: int, start_page: int = 1
) -> Iterator[RecordPage[M]]:
    """Yield the pages of ``lists`` read one after the other, from page ``start_page``.

    Args:
        lists: one fetch function per Sage list, in reading order.
        page_size: the ``items_per_page`` each fetch function asks for.
        start_page: the first page to yield, counted across all lists.

    Yields:
        One page per request (the first also prefetches the later lists' first pages), with
        ``total`` the sum of the lists' latest ``$total``. An empty resource yields one empty
        page; a ``start_page`` past the end yields nothing.

    Raises:
        ProviderError: a page came without ``$total``.
    """
    first: list[tuple[int, list[M]]] = []
    totals: list[int] = []
    before = 0
    for fetch in lists:
        local = max(1, start_page - before)
        items, total = fetch(local)
        first.append((local, items))
        totals.append(_total(total))
        before += page_count(totals[-1], page_size)
    served = False
    for index, fetch in enumerate(lists):
        number, items = first[index]
        local_start = number
        while number <= page_count(totals[index], page_size):
            if number != local_start:
                items, total = fetch(number)
                totals[index] = _total(total)
            yield RecordPage(items=items, total=sum(totals))
            served = True
            number += 1
    if not served and start_page == 1:
        yield RecordPage(items=[], total=sum(totals))
