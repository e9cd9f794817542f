"""What the transport asks of a provider, and the records it hands over.

The transport knows requests and responses, never the provider class above it: it sees a
provider only through :class:`ProviderPolicies`. Every
:class:`~unified_accounting.provider.Provider` satisfies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from unified_accounting.credentials import Secret
from unified_accounting.errors import AccountingError
from unified_accounting.http.response import HttpResponse

__all__ = ["OutgoingRequest", "Page", "ProviderPolicies"]


@dataclass
class OutgoingRequest:
    """A request about to be sent, as provider hooks may adjust it before the first attempt."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """One page of a list response.

    Attributes:
        items: the raw records of this page.
        next_path: the path (with its query) of the next page relative to the base URL, or
            ``None`` on the last page.
        total: the number of records in all pages, when the provider says.
    """

    items: list[dict[str, Any]]
    next_path: str | None = None
    total: int | None = None


class ProviderPolicies(Protocol):
    """The provider's part in every request: authentication, routing, idempotency, paging,
    and reading responses and errors."""

    @property
    def name(self) -> str:
        """The provider name errors and logs carry."""
        ...

    @property
    def business_header(self) -> str | None:
        """The header that routes a request to a business, if the provider has one."""
        ...

    @property
    def reserved_query_params(self) -> frozenset[str]:
        """Query parameters the client sets itself (an API key, the business), lower-cased."""
        ...

    def auth_headers(self, token: Secret) -> dict[str, str]:
        """Return the headers that authenticate one request."""
        ...

    def auth_params(self, token: Secret) -> dict[str, str]:
        """Return query parameters that authenticate one request (an API key, or none)."""
        ...

    def business_headers(self, business_id: str | None, path: str) -> dict[str, str]:
        """Return the headers that route a request on ``path`` to ``business_id``."""
        ...

    def business_params(self, business_id: str | None, path: str) -> dict[str, str]:
        """Return query parameters that route a request on ``path`` to ``business_id``."""
        ...

    def new_idempotency_key(self) -> str:
        """Return a fresh idempotency token in the provider's format."""
        ...

    def apply_idempotency_key(self, request: OutgoingRequest, key: str) -> OutgoingRequest:
        """Attach ``key`` to a write once, before its first attempt."""
        ...

    def is_sequential(self, method: str, path: str) -> bool:
        """Return whether this write must wait for earlier ones to the same business."""
        ...

    def prepare_list_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Return the query of a first list page."""
        ...

    def parse_page(self, payload: Any) -> Page:
        """Split one decoded list response into its records and the next page's path."""
        ...

    def parse_page_at(self, payload: Any, path: str, params: Mapping[str, Any] | None) -> Page:
        """Like :meth:`parse_page`, knowing the request (path and query) the page answers."""
        ...

    def map_error(self, response: HttpResponse) -> AccountingError:
        """Turn a non-2xx response into a unified error."""
        ...

    def request_id(self, headers: Mapping[str, str]) -> str | None:
        """Return the provider's request id from response headers, if it sends one."""
        ...

    def rate_limit_info(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Return the normalized ``ratelimit-*`` values of response headers."""
        ...
