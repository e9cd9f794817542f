"""Sage list pages: the envelope of one page, and numbered pages over one or more lists.

**Envelopes.** Accounting lists answer ``{"$total", "$page", "$next", "$back",
"$itemsPerPage", "$items"}``; the user-accounts service (``/businesses``) spells the page size
``$items_per_page`` and puts everything on one page. ``$next`` is a path without the ``/v3.1``
prefix. Sage's description declares lists as bare arrays, so a bare array is read as a single,
last page.

**Numbered pages** (what ``client.<resource>.pages(...)`` returns). Sage serves page ``n`` of a
list directly (``page=n&items_per_page=...``) and says how many records the filtered list holds
(``$total``); a page past the end answers with the last page. So a page can be fetched by number
without walking ``$next``, each page is one request, and a reader that stopped at page ``n`` can
start again there.

A unified resource may be several Sage lists (invoices are ``/sales_invoices`` then
``/purchase_invoices``). Their pages are numbered one after the other, and every page carries
the sum of the lists' totals, so that a change of any list's size while it is read shows as a
change of the total. To know that sum from the first page on, the first page of each later
list is fetched together with the first page read (it is served later without a new request).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from unified_accounting.errors import ProviderError
from unified_accounting.http import HttpResponse, Page
from unified_accounting.provider import RecordPage

__all__ = [
    "MAX_ITEMS_PER_PAGE",
    "NumberedLists",
    "PageFetch",
    "SageEnvelope",
    "SageList",
    "numbered_pages",
    "page_count",
    "read_envelope",
    "whole_seconds",
]

#: The largest page Sage serves.
MAX_ITEMS_PER_PAGE = 200

_PAGE_SIZE_KEYS = ("$itemsPerPage", "$items_per_page")
# A $next link that repeats the API version would be joined onto a base URL that has it.
_VERSION_PREFIX = re.compile(r"^/v3(\.\d+)?(?=/)")


@dataclass(frozen=True)
class SageEnvelope:
    """One decoded list page.

    Attributes:
        items: the records.
        next_path: the next page's path relative to the base URL, ``None`` on the last page.
        total: ``$total`` when given.
        page: ``$page`` when given.
        items_per_page: ``$itemsPerPage`` or ``$items_per_page`` when given.
    """

    items: list[dict[str, Any]]
    next_path: str | None = None
    total: int | None = None
    page: int | None = None
    items_per_page: int | None = None

    def as_page(self) -> Page:
        """Return the transport's view of this page."""
        return Page(items=self.items, next_path=self.next_path, total=self.total)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _next(payload: Mapping[str, Any], items: list[dict[str, Any]]) -> str | None:
    link = payload.get("$next")
    if not isinstance(link, str) or not link.strip() or not items:
        # An empty page never leads anywhere; following it could loop.
        return None
    return _VERSION_PREFIX.sub("", link.strip())


def read_envelope(payload: Any) -> SageEnvelope:
    """Read one list answer.

    Args:
        payload: the decoded JSON body.

    Returns:
        The page; a bare JSON array becomes a single last page.

    Raises:
        ProviderError: the body is neither an envelope nor an array of records.
    """
    if isinstance(payload, list):
        return SageEnvelope(items=[item for item in payload if isinstance(item, dict)])
    if not isinstance(payload, Mapping) or not isinstance(payload.get("$items", []), list):
        raise ProviderError("Sage answered a list request with something that is not a list",
                            provider="sage")
    items = [item for item in payload.get("$items") or [] if isinstance(item, dict)]
    size = next((_int(payload[key]) for key in _PAGE_SIZE_KEYS if key in payload), None)
    return SageEnvelope(
        items=items,
        next_path=_next(payload, items),
        total=_int(payload.get("$total")),
        page=_int(payload.get("$page")),
        items_per_page=size,
    )


# -- numbered pages -----------------------------------------------------------------------

M = TypeVar("M")

PageFetch = Callable[[int], tuple[list[M], int | None]]
"""Fetch page ``n`` (1-based) of one list: its mapped records and the list's ``$total``."""


@dataclass(frozen=True)
class SageList(Generic[M]):
    """One Sage list read by page number: how to fetch a page, and how to map its records.

    The steps are apart so that a reader can fetch the next page on one thread while it
    decodes and maps this one on another.

    Attributes:
        fetch: page ``n`` (1-based) in one request, the answer not yet decoded.
        convert: a page's records as unified models.
    """

    fetch: Callable[[int], HttpResponse]
    convert: Callable[[list[dict[str, Any]]], list[M]]

    def envelope(self, number: int) -> SageEnvelope:
        """Fetch and decode page ``number``."""
        return read_envelope(self.fetch(number).json())

    def page(self, number: int) -> tuple[list[M], int | None]:
        """Fetch and map page ``number``; also return the list's ``$total``."""
        envelope = self.envelope(number)
        return self.convert(envelope.items), envelope.total


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


class NumberedLists(Generic[M]):
    """The pages of ``lists`` read one after the other, numbered across them, fetched by number.

    :meth:`open` fetches each list's first page (its ``$total`` fixes how many pages it has);
    :meth:`fetch` may then be called from several threads, and :meth:`records` maps what it
    fetched. A first page is served once from what :meth:`open` fetched, then dropped, so it is
    not held for the whole read.
    """

    def __init__(self, lists: Sequence[SageList[M]], page_size: int) -> None:
        self._lists = lists
        self._page_size = page_size
        self._counts: list[int] = []
        self._first: dict[int, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def open(self) -> int:
        """Fetch every list's first page; return the number of pages across all lists.

        Raises:
            ProviderError: a first page came without ``$total``.
        """
        for index, source in enumerate(self._lists):
            envelope = source.envelope(1)
            self._first[index] = envelope.items
            self._counts.append(page_count(_total(envelope.total), self._page_size))
        return sum(self._counts)

    def fetch(self, number: int) -> tuple[int, HttpResponse | list[dict[str, Any]]]:
        """Page ``number`` (1-based, across the lists) in one request at most, not yet decoded
        (a first page comes decoded, from :meth:`open`); with the index of its list."""
        index, local = self._locate(number)
        if local == 1:
            with self._lock:
                first = self._first.pop(index, None)
            if first is not None:
                return index, first
        return index, self._lists[index].fetch(local)

    def records(self, fetched: tuple[int, HttpResponse | list[dict[str, Any]]]) -> list[M]:
        """Decode and map a page that :meth:`fetch` returned."""
        index, answer = fetched
        items = answer if isinstance(answer, list) else read_envelope(answer.json()).items
        return self._lists[index].convert(items)

    def _locate(self, number: int) -> tuple[int, int]:
        local = number
        for index, count in enumerate(self._counts):
            if local <= count:
                return index, local
            local -= count
        raise IndexError(f"page {number} is past the last page")
