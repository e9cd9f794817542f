"""Pages of unified records, as resource handlers yield them and sync reads them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["NumberedPages", "RecordPage", "pages_of"]

M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)


@dataclass(frozen=True)
class RecordPage(Generic[M]):
    """One page of a list, mapped to unified models.

    Attributes:
        items: the page's records.
        total: the provider's count of the whole filtered list, when it gives one.
    """

    items: Sequence[M]
    total: int | None = None


def pages_of(items: Iterable[M], page_size: int, start_page: int = 1) -> Iterator[RecordPage[M]]:
    """Group a stream of records into pages, skipping the pages before ``start_page``.

    The fallback for providers that cannot fetch a page by number: the records before the
    start page are still read (and dropped), and no total is known. No empty page is yielded
    after the last one; an empty list gives one empty first page.
    """
    iterator = iter(items)
    for _ in islice(iterator, (start_page - 1) * page_size):
        pass
    first = True
    while (chunk := list(islice(iterator, page_size))) or (first and start_page == 1):
        yield RecordPage(items=chunk)
        if len(chunk) < page_size:
            return
        first = False


class NumberedPages(Protocol[M_co]):
    """A list whose pages a provider can fetch by number, in any order and at once.

    What ``Resource.list(parallel=..., read_ahead=...)`` reads: :meth:`open` learns how many
    pages the list has (from the provider's count of records); then :meth:`fetch` may be
    called from several threads for any page from 1 to that count, and :meth:`records` maps
    what it returned on the reader's thread. Fetching and mapping are apart so that the next
    pages are fetched while this one is mapped.
    """

    def open(self) -> int:
        """Fetch what is needed to know the number of pages, and return it (0: empty)."""
        ...

    def fetch(self, number: int) -> Any:
        """Return page ``number`` (1-based) as the provider sent it, in one request at most."""
        ...

    def records(self, fetched: Any) -> Sequence[M_co]:
        """Map a page that :meth:`fetch` returned to unified records."""
        ...
