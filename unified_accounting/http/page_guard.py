"""What keeps a list from looping: a next-page link read twice, or more pages than any list has.

A provider that links a page back to one already read, or that hands out new links forever,
would make a list (and a sync) run without end, or silently stop short if the loop were merely
broken off. Either way records would be missed without anyone knowing, so both end the list
with a :class:`ProviderError` that says what the provider did.
"""

from __future__ import annotations

from unified_accounting.errors import ProviderError

__all__ = ["MAX_PAGES", "PageGuard"]

#: More pages than a list of any real books has (20 million records at 200 a page).
MAX_PAGES = 100_000


class PageGuard:
    """Counts the pages of one list and remembers the links followed.

    Args:
        provider: the provider name errors carry.
        route: the list's path without its query, for messages.
        first_path: the path of the first page.
        max_pages: the most pages one list may have.
    """

    def __init__(self, provider: str, route: str, first_path: str,
                 max_pages: int = MAX_PAGES) -> None:
        self._provider, self._route, self._max = provider, route, max_pages
        self._seen = {first_path}

    def follow(self, next_path: str) -> None:
        """Accept the link to the next page.

        Raises:
            ProviderError: the link names a page already read, or the list passed
                ``max_pages``.
        """
        if next_path in self._seen:
            raise ProviderError(
                f"the list {self._route} links back to a page already read after "
                f"{len(self._seen)} page(s); stopped so that no record is silently missed",
                provider=self._provider)
        if len(self._seen) >= self._max:
            raise ProviderError(
                f"the list {self._route} has more than {self._max:,} pages; stopped (the "
                "provider keeps handing out next-page links)", provider=self._provider)
        self._seen.add(next_path)
