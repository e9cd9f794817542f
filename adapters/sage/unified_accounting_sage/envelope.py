"""Sage list envelopes: ``$items``, ``$next``, ``$total`` and the two page-size spellings.

Accounting lists answer ``{"$total", "$page", "$next", "$back", "$itemsPerPage", "$items"}``;
the user-accounts service (``/businesses``) spells the page size ``$items_per_page`` and puts
everything on one page. ``$next`` is a path without the ``/v3.1`` prefix. Sage's description
declares lists as bare arrays, so a bare array is read as a single, last page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from unified_accounting.errors import ProviderError
from unified_accounting.http import Page

__all__ = ["MAX_ITEMS_PER_PAGE", "SageEnvelope", "read_envelope"]

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
