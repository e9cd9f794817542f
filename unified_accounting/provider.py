"""The contract every provider plugin implements.

A provider is a class deriving from :class:`Provider`, registered under the entry-point group
``unified_accounting.providers``. The core never names a provider: it asks the provider for
resource handlers (the mappers between unified models and the provider's JSON), for its
capabilities, its OAuth endpoints and token parsing, and for the small policies the shared
transport needs (paging, error mapping, idempotency tokens, business routing, rate limits).
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from unified_accounting.credentials import OAuthEndpoints, Secret, TokenSet
from unified_accounting.credentials import parse_token_response as standard_token_set
from unified_accounting.errors import (
    AccountingError,
    ConfigurationError,
    UnsupportedOperationError,
)
from unified_accounting.http.headers import normalize_rate_limit, request_id_from
from unified_accounting.http.limiter import RateLimits
from unified_accounting.http.policies import OutgoingRequest, Page
from unified_accounting.http.response import HttpResponse, error_from_response
from unified_accounting.ledger_models import TrialBalance
from unified_accounting.login_credentials import CredentialField, LoginCredentials
from unified_accounting.models import DeletedRecord
from unified_accounting.paging import NumberedPages, RecordPage, pages_of

if TYPE_CHECKING:
    from unified_accounting.http.transport import Transport

__all__ = [
    "RESOURCES",
    "RESOURCE_KINDS",
    "STANDARD_OPERATIONS",
    "Capabilities",
    "CredentialField",
    "LoginCredentials",
    "NumberedPages",
    "OutgoingRequest",
    "Page",
    "Provider",
    "ProviderContext",
    "RateLimits",
    "RecordPage",
    "ReportSource",
    "ResourceCapabilities",
    "ResourceHandler",
    "error_from_response",
    "pages_of",
    "standard_token_set",
]

RESOURCES: tuple[str, ...] = (
    "contacts",
    "contact_persons",
    "invoices",
    "payments",
    "journals",
    "ledger_accounts",
    "tax_rates",
    "businesses",
    "ledger_entries",
    "credit_notes",
    "items",
    "attachments",
)
"""The unified resources a :class:`~unified_accounting.client.Client` exposes."""

RESOURCE_KINDS: Mapping[str, str] = {
    "contacts": "contact",
    "contact_persons": "contact_person",
    "invoices": "invoice",
    "payments": "payment",
    "journals": "journal_entry",
    "ledger_accounts": "ledger_account",
    "tax_rates": "tax_rate",
    "businesses": "business",
    "ledger_entries": "ledger_entry",
    "credit_notes": "credit_note",
    "items": "item",
    "attachments": "attachment",
}
"""Resource name -> the model kind ``ua.load`` reads its records as."""

STANDARD_OPERATIONS = frozenset(
    {"list", "pages", "get", "create", "update", "delete", "list_deleted"}
)
"""Operations every resource facade offers; anything else in a capability is a provider extra.

``pages`` needs no entry of its own in a capabilities table: it is offered wherever ``list`` is.
"""

M = TypeVar("M")


@dataclass(frozen=True)
class ResourceCapabilities:
    """What one resource supports at one provider.

    Attributes:
        operations: standard operations (``list``, ``get``, ...) plus provider extras such as
            ``release`` or ``upsert``, which the client forwards to the handler method of the
            same name.
        filters: keyword names ``list(**filters)`` accepts (``updated_since`` is the unified
            name for "changed since").
    """

    operations: frozenset[str]
    filters: frozenset[str] = frozenset()

    @classmethod
    def of(cls, operations: Iterable[str], filters: Iterable[str] = ()) -> ResourceCapabilities:
        """Build from any iterables (handy in a provider's capabilities table)."""
        return cls(frozenset(operations), frozenset(filters))

    def supports(self, operation: str) -> bool:
        """Return whether ``operation`` is offered."""
        return operation in self.operations


Capabilities = Mapping[str, ResourceCapabilities]
"""Resource name -> what it supports. A resource missing from the table supports nothing."""


class ProviderContext:
    """Everything a resource handler needs for one connection.

    Attributes:
        provider: the provider instance.
        connection: the connection name (``"default"`` unless the caller chose one).
        settings: the provider settings, defaults merged with the caller's.
        transport: the shared transport; every request of the handler goes through it.
        options: the extra keyword options given to ``ua.connect`` (e.g. callbacks).
        cache: a per-connection dict the provider may use for static data; the core never
            reads it.
    """

    def __init__(
        self,
        *,
        provider: Provider,
        connection: str,
        settings: Mapping[str, Any],
        transport: Transport,
        options: Mapping[str, Any] | None = None,
        cache: MutableMapping[str, Any] | None = None,
    ) -> None:
        self.provider = provider
        self.connection = connection
        self.settings = settings
        self.transport = transport
        self.options: Mapping[str, Any] = dict(options or {})
        self.cache: MutableMapping[str, Any] = {} if cache is None else cache

    @property
    def business_id(self) -> str | None:
        """The business every request is routed to (``None`` before one is chosen)."""
        return self.transport.business_id

    @business_id.setter
    def business_id(self, value: str | None) -> None:
        self.transport.business_id = value

    def __repr__(self) -> str:
        return (
            f"ProviderContext(provider={self.provider.name!r}, "
            f"connection={self.connection!r}, business_id={self.business_id!r})"
        )


def _unsupported(resource: str, operation: str) -> UnsupportedOperationError:
    return UnsupportedOperationError(f"{resource} does not support {operation}")


class ResourceHandler(Generic[M]):
    """A provider's mapper for one unified resource.

    Subclasses override the operations their capabilities table lists; the rest raise
    :class:`~unified_accounting.errors.UnsupportedOperationError`. Extras (``release``,
    ``upsert``, ``lead``) are plain methods named as in the capabilities table.
    """

    resource: ClassVar[str] = "resource"

    def __init__(self, context: ProviderContext) -> None:
        self.context = context

    def list(self, filters: Mapping[str, Any]) -> Iterator[M]:
        """Yield records page by page, fetching a page only when the previous one is used up.

        Args:
            filters: already checked against the capabilities table.
        """
        raise _unsupported(self.resource, "list")

    def pages(self, filters: Mapping[str, Any], *, page_size: int,
              start_page: int = 1) -> Iterator[RecordPage[M]]:
        """Yield the list one page at a time, starting at page ``start_page`` (1-based).

        A provider whose API fetches a page by number overrides this so that each yielded page
        is exactly one request and a reader can resume at any page; it should also sort by a
        stable key where it can. The default groups :meth:`list` into pages.

        Args:
            filters: as for :meth:`list` (already checked against the capabilities table).
            page_size: records per page (a provider may serve fewer, up to its maximum).
            start_page: the first page to yield.
        """
        return pages_of(self.list(filters), page_size, start_page)

    def numbered(self, filters: Mapping[str, Any], *, page_size: int) -> NumberedPages[M] | None:
        """Return the list as pages fetched by number, for reading several at once.

        A provider whose list answers say how many records the filtered list holds, and which
        serves any page by number, returns an object for ``list(parallel=...)``; it should
        sort by a stable key where it can. The default, ``None``, makes such a list read its
        pages one after the other.

        Args:
            filters: as for :meth:`list` (already checked against the capabilities table).
            page_size: records per page (a provider may serve fewer, up to its maximum).
        """
        return None

    def get(self, id: str) -> M:
        """Return one record. Raises ``NotFoundError`` when it does not exist."""
        raise _unsupported(self.resource, "get")

    def create(self, model: M, **options: Any) -> M:
        """Create ``model`` (already validated) and return the provider's stored version.

        A handler that can, passes ``idempotency_key=transport.new_idempotency_key()`` to the
        transport so that retries never create a second record.
        """
        raise _unsupported(self.resource, "create")

    def update(self, id: str, changes: M | Mapping[str, Any], **options: Any) -> M:
        """Apply a whole model or a mapping of changed fields and return the stored version."""
        raise _unsupported(self.resource, "update")

    def delete(self, id: str, **options: Any) -> None:
        """Delete (or void, where that is the provider's delete) one record."""
        raise _unsupported(self.resource, "delete")

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        """Yield the records deleted after ``since``."""
        raise _unsupported(self.resource, "list_deleted")


class ReportSource:
    """A provider's own reports, for providers whose API computes them (a report endpoint).

    :attr:`reports` names the reports the provider offers natively; the core computes the
    others (a trial balance from the ledger entries and the chart of accounts). The core
    checks a native trial balance as it checks its own: debits must equal credits.
    """

    reports: ClassVar[frozenset[str]] = frozenset()
    """The reports this source answers (``trial_balance``)."""

    def __init__(self, context: ProviderContext) -> None:
        self.context = context

    def trial_balance(self, as_of: date) -> TrialBalance:
        """Return the provider's trial balance at the end of ``as_of``."""
        raise _unsupported("reports", "trial_balance")


class Provider(ABC):
    """Base class of every provider plugin.

    The loader sets :attr:`name` to the entry-point name. Class attributes give the simple
    policies; override the methods for anything richer.
    """

    name: str = "provider"
    business_header: ClassVar[str | None] = None
    """Request header that routes a request to a business (e.g. ``X-Business``)."""
    reserved_query_params: ClassVar[frozenset[str]] = frozenset()
    """Query parameters :meth:`auth_params` and :meth:`business_params` set, lower-cased; the
    proxy refuses a caller's value for them (in any case), which would otherwise replace or
    shadow the client's own."""
    unscoped_collections: ClassVar[frozenset[str]] = frozenset()
    """First path segments that must not carry the business header (e.g. ``businesses``)."""
    sequential_collections: ClassVar[frozenset[str]] = frozenset()
    """First path segments whose POSTs create numbered documents, serialized per business."""
    idempotency_header: ClassVar[str] = "Idempotency-Key"
    idempotency_tokens: ClassVar[bool] = True
    """Whether the provider deduplicates writes by a token; one that cannot (False) must
    look a write up before resending it, and the transport never resends writes for it."""
    rotates_refresh_tokens: ClassVar[bool] = False
    """Whether every refresh answers with a new refresh token (the old one then fails). When
    true, a refresh answer that keeps the old refresh token (or carries none) is refused and
    nothing is stored: the answer is not the one the provider promises."""
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
    """The login a provider without OAuth needs (user name, password, API key, ...); when
    set, connections store these credentials instead of OAuth tokens (see
    :mod:`unified_accounting.login_credentials`)."""

    # -- identity, settings and resources -------------------------------------------------

    def default_settings(self) -> dict[str, Any]:
        """Return the settings used where the caller gives none (e.g. ``base_url``)."""
        return {}

    def base_url(self, settings: Mapping[str, Any]) -> str:
        """Return the API root every request path is joined to.

        Raises:
            ConfigurationError: when ``settings`` has no ``base_url``.
        """
        url = settings.get("base_url")
        if not isinstance(url, str) or not url:
            raise ConfigurationError(f"provider {self.name!r} needs a base_url setting")
        return url.rstrip("/")

    @abstractmethod
    def capabilities(self) -> Capabilities:
        """Return the table of resource -> operations and filters this provider supports.

        The client consults it before any request and raises ``UnsupportedOperationError``
        for anything missing.
        """

    @abstractmethod
    def resource(self, name: str, context: ProviderContext) -> ResourceHandler[Any]:
        """Return the handler of resource ``name`` (one of :data:`RESOURCES`) for a connection.

        Called once per resource and connection; the handler may keep state (caches).
        """

    def select_business(self, context: ProviderContext) -> str | None:
        """Choose the business a new connection works with; called once by ``ua.connect``.

        Returns ``context.business_id`` by default. A provider whose users may have several
        businesses lists them here, picks the only one, or raises ``ConfigurationError``
        naming them.
        """
        return context.business_id

    def reports(self, context: ProviderContext) -> ReportSource | None:
        """Return the reports the provider computes itself (``None``: the core computes
        every report from the provider's records)."""
        return None

    def extension(self, context: ProviderContext) -> Any:
        """Return provider-specific tools exposed as ``client.extras`` (``None`` by default)."""
        return None

    # -- OAuth -----------------------------------------------------------------------------

    @abstractmethod
    def oauth_endpoints(self, settings: Mapping[str, Any]) -> OAuthEndpoints:
        """Return the authorize, token and revoke URLs and default scopes."""

    @abstractmethod
    def parse_token_response(self, payload: Mapping[str, Any], now: datetime) -> TokenSet:
        """Turn a token endpoint's JSON into a :class:`TokenSet`.

        Args:
            payload: the decoded JSON of a successful code exchange or refresh.
            now: the time the response arrived, to turn ``expires_in`` into ``expires_at``.

        Raises:
            AuthenticationError: when the payload has no access token or a malformed lifetime.
                Raise one that is also a ``ProviderError`` (as ``standard_token_set`` does with
                ``TokenResponseError``) so the token manager records it as a failed refresh
                and keeps serving a token that has not expired yet.
        """

    def auth_headers(self, token: Secret) -> dict[str, str]:
        """Return the headers that authenticate one request (``Bearer`` by default)."""
        return {"Authorization": f"Bearer {token.reveal()}"}

    def auth_params(self, token: Secret) -> dict[str, str]:
        """Return query parameters that authenticate one request (none by default).

        For providers that want an API key in the query string. The transport never logs a
        query, and errors show only the path.
        """
        return {}

    # -- requests --------------------------------------------------------------------------

    def business_headers(self, business_id: str | None, path: str) -> dict[str, str]:
        """Return the headers that route a request to ``business_id``.

        The default sends :attr:`business_header` on every path except those whose first
        segment is in :attr:`unscoped_collections`.
        """
        if not self.business_header or not business_id:
            return {}
        if _first_segment(path) in self.unscoped_collections:
            return {}
        return {self.business_header: business_id}

    def business_params(self, business_id: str | None, path: str) -> dict[str, str]:
        """Return query parameters that route a request to ``business_id`` (none by default).

        For providers that name the business in the query string rather than a header.
        """
        return {}

    def new_idempotency_key(self) -> str:
        """Return a fresh idempotency token (32 lowercase hex characters by default)."""
        return uuid.uuid4().hex

    def apply_idempotency_key(self, request: OutgoingRequest, key: str) -> OutgoingRequest:
        """Attach ``key`` to a write once, before its first attempt; every retry resends it.

        The default sets the :attr:`idempotency_header` header. A provider that carries the
        token in the body (e.g. inside a resource wrapper) overrides this.
        """
        request.headers[self.idempotency_header] = key
        return request

    def is_sequential(self, method: str, path: str) -> bool:
        """Return whether this write must wait for earlier ones to the same business.

        The default marks POSTs to :attr:`sequential_collections`.
        """
        return method.upper() == "POST" and _first_segment(path) in self.sequential_collections

    def prepare_list_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Return the query of a first list page (e.g. add the provider's largest page size)."""
        return dict(params or {})

    @abstractmethod
    def parse_page(self, payload: Any) -> Page:
        """Split one decoded list response into its records and the path of the next page."""

    def parse_page_at(self, payload: Any, path: str, params: Mapping[str, Any] | None) -> Page:
        """Like :meth:`parse_page`, knowing the request the page answers.

        For providers whose list answers carry no next-page link (offset paging): the next
        path is computed from the request's own path and query. The default ignores them.
        """
        return self.parse_page(payload)

    @abstractmethod
    def rate_limits(self, settings: Mapping[str, Any]) -> RateLimits:
        """Return the default limits for this provider, possibly changed by ``settings``."""

    # -- responses -------------------------------------------------------------------------

    @abstractmethod
    def map_error(self, response: HttpResponse) -> AccountingError:
        """Turn a non-2xx response into a unified error.

        Pick the class by status (:func:`error_from_response` does the common part) and fill
        the provider code, a short message and field errors. Never put the whole body,
        headers or tokens in the message.
        """

    def request_id(self, headers: Mapping[str, str]) -> str | None:
        """Return the provider's request id from response headers, if it sends one."""
        return request_id_from(headers)

    def rate_limit_info(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Return ``ratelimit-limit``/``-remaining``/``-reset`` from response headers."""
        return normalize_rate_limit(headers)

    def before_request(  # noqa: B027 - an optional hook, empty on purpose
        self, request: OutgoingRequest, business_id: str | None, context: ProviderContext
    ) -> None:
        """Inspect every call before its first attempt (mapped resources and the proxy).

        For example: refuse at once a call to a business the provider has blocked for an
        hour. Exceptions raised here propagate to the caller and nothing is sent.
        """

    def on_response(  # noqa: B027 - an optional hook, empty on purpose
        self, response: HttpResponse, context: ProviderContext
    ) -> None:
        """Inspect every response received, on every attempt and with any status.

        For example: compare a business header the provider echoes with the one the
        connection remembers, or count 403s to notice a connection that lost its access.
        Exceptions raised here propagate to the caller.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def _first_segment(path: str) -> str:
    return path.split("?", 1)[0].lstrip("/").split("/", 1)[0]
