"""The page guard: a link read twice, or too many pages, ends a list with a clear error."""

from __future__ import annotations

import pytest

import unified_accounting as ua
from unified_accounting.http.page_guard import PageGuard


def test_new_links_are_followed_up_to_the_limit() -> None:
    guard = PageGuard("example", "/contacts", "/contacts", max_pages=3)
    guard.follow("/contacts?page=2")
    guard.follow("/contacts?page=3")
    with pytest.raises(ua.ProviderError, match="more than 3 pages") as caught:
        guard.follow("/contacts?page=4")
    assert caught.value.provider == "example"


@pytest.mark.parametrize("again", ["/contacts", "/contacts?page=2"])
def test_a_link_already_followed_is_an_error(again: str) -> None:
    guard = PageGuard("example", "/contacts", "/contacts")
    guard.follow("/contacts?page=2")
    with pytest.raises(ua.ProviderError, match="links back to a page already read after 2"):
        guard.follow(again)
