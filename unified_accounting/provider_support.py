"""Building blocks for provider authors: error mapping, token parsing and list pages.

All are re-exported by :mod:`unified_accounting.provider`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from unified_accounting.errors import (
    AccountingError,
    RateLimitError,
    ValidationError,
    error_class_for_status,
)

# The token manager and the OAuth flow read token responses with this same function, so a
# provider that uses it gets exactly the parsing the rest of the library relies on.
from unified_accounting.tokens.endpoint import parse_token_response as standard_token_set

if TYPE_CHECKING:
    from unified_accounting.http.response import HttpResponse

__all__ = ["RecordPage", "error_from_response", "pages_of", "standard_token_set"]

M = TypeVar("M")


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


def error_from_response(
    response: HttpResponse,
    *,
    message: str | None = None,
    code: str | None = None,
    field_errors: Mapping[str, list[str]] | None = None,
    provider: str | None = None,
) -> AccountingError:
    """Build the unified error that fits ``response.status``.

    Args:
        response: the failed response.
        message: a short sentence from the provider's error body.
        code: the provider's error code.
        field_errors: field path -> messages.
        provider: the provider name for the error.

    Returns:
        An instance of the class :func:`error_class_for_status` picks, carrying status,
        request id and, for 429, the normalized rate-limit values.
    """
    cls = error_class_for_status(response.status)
    text = message or f"{response.method} {response.path} failed"
    common: dict[str, Any] = {
        "status": response.status,
        "code": code,
        "request_id": response.request_id,
        "provider": provider,
    }
    if issubclass(cls, ValidationError):
        return cls(field_errors or {}, message=text, **common)
    if issubclass(cls, RateLimitError):
        common["rate_limit"] = response.rate_limit
    return cls(text, field_errors=field_errors, **common)
