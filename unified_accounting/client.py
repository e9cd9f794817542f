"""The client a product holds: one per connection, with one attribute per unified resource."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import is_dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from unified_accounting import validation
from unified_accounting.errors import UnsupportedOperationError, ValidationError
from unified_accounting.http.options import RetryConfig, Timeouts
from unified_accounting.models import (
    Attachment,
    Business,
    Contact,
    ContactPerson,
    CreditNote,
    DeletedRecord,
    Invoice,
    Item,
    JournalEntry,
    LedgerAccount,
    LedgerEntry,
    Payment,
    TaxRate,
)
from unified_accounting.parallel_pages import check_workers, read_in_parallel
from unified_accounting.provider import (
    RESOURCES,
    STANDARD_OPERATIONS,
    ProviderContext,
    RecordPage,
    ResourceCapabilities,
    ResourceHandler,
)
from unified_accounting.proxy import Proxy
from unified_accounting.read_ahead import ReadAhead
from unified_accounting.reports import Reports

if TYPE_CHECKING:
    from unified_accounting.outbox.client_outbox import ClientOutbox
    from unified_accounting.outbox.store import OutboxStore

__all__ = ["Client", "Resource"]

M = TypeVar("M")
T = TypeVar("T")


class _UnsupportedExtra(UnsupportedOperationError, AttributeError):
    """An extra operation this provider does not offer (also an AttributeError for hasattr)."""


_READ_AHEAD_PAGE_SIZE = 200  # pages read ahead or in parallel; the provider caps it


class _Lazy(Iterator[T]):
    """An iterator that calls its source only when the first item is asked for."""

    def __init__(self, start: Callable[[], Iterator[T]]) -> None:
        self._start: Callable[[], Iterator[T]] | None = start
        self._items: Iterator[T] | None = None

    def __next__(self) -> T:
        if self._items is None:
            assert self._start is not None
            self._items, self._start = iter(self._start()), None
        return next(self._items)

    def close(self) -> None:
        """Stop early: a list reading ahead stops its background fetch."""
        self._start = None
        close = getattr(self._items, "close", None)
        if close is not None:
            close()


def _check_id(id: str) -> str:
    if not isinstance(id, str) or not id:
        raise ValidationError({"id": ["a non-empty string id is required"]})
    return id


class Resource(Generic[M]):
    """One unified resource of a connection, e.g. ``client.contacts``.

    Every operation is checked against the provider's capabilities first, so an unsupported
    operation or filter raises :class:`UnsupportedOperationError` before any request.
    Provider extras listed in the capabilities (``release``, ``upsert``, ...) are available as
    methods of the same name.
    """

    def __init__(self, name: str, provider_name: str, capabilities: ResourceCapabilities | None,
                 handler: Callable[[], ResourceHandler[M]]) -> None:
        self.name = name
        self._provider_name = provider_name
        self._capabilities = capabilities or ResourceCapabilities(frozenset())
        self._make_handler = handler
        self._handler: ResourceHandler[M] | None = None

    @property
    def capabilities(self) -> ResourceCapabilities:
        """What the provider supports for this resource."""
        return self._capabilities

    def supports(self, operation: str) -> bool:
        """Return whether ``operation`` is available for this resource."""
        return self._capabilities.supports(operation)

    def _require(self, operation: str) -> ResourceHandler[M]:
        if not self._capabilities.supports(operation):
            standard = operation in STANDARD_OPERATIONS
            cls = UnsupportedOperationError if standard else _UnsupportedExtra
            raise cls(f"{self._provider_name} does not support {self.name}.{operation}",
                      provider=self._provider_name)
        if self._handler is None:
            self._handler = self._make_handler()
        return self._handler

    def _listing(self, filters: Mapping[str, Any]) -> ResourceHandler[M]:
        handler = self._require("list")
        unknown = sorted(set(filters) - self._capabilities.filters)
        if unknown:
            supported = ", ".join(sorted(self._capabilities.filters)) or "none"
            raise UnsupportedOperationError(
                f"{self._provider_name} does not support filtering {self.name} by "
                f"{', '.join(unknown)} (supported: {supported})", provider=self._provider_name)
        return handler

    def list(self, *, read_ahead: bool = False, parallel: int | None = None,
             **filters: Any) -> Iterator[M]:
        """Return a lazy iterator over the records; pages are fetched as they are consumed.

        Args:
            read_ahead: fetch the next page on a background thread while this one is mapped
                and read (exactly one page ahead, so memory stays flat; an error is raised
                where it happened in the list). The records come in the order of
                :meth:`pages`.
            parallel: fetch up to this many pages at once (1 to 10), where the provider
                says how many records the list holds and serves pages by number (Sage
                v3.1); every request goes through the connection's rate limiter. Records
                come in the order of :meth:`pages`; at most ``parallel`` pages are fetched
                ahead of the one being read. With a provider that cannot, pages are read
                one after the other (ahead by one page). See ``docs/performance.md``.
            **filters: provider-supported filters, e.g. ``updated_since=datetime(...)``.

        Raises:
            UnsupportedOperationError: at call time, for an unsupported operation or filter.
            ValidationError: at call time, ``parallel`` is not a whole number from 1 to 10.
        """
        handler = self._listing(filters)
        workers = None if parallel is None else check_workers(parallel)
        if workers is None and not read_ahead:
            return _Lazy(lambda: handler.list(dict(filters)))
        numbered = handler.numbered(dict(filters), page_size=_READ_AHEAD_PAGE_SIZE)
        if numbered is not None:
            # One worker is reading ahead: page n+1 is fetched while page n is mapped.
            return _Lazy(lambda: read_in_parallel(numbered, workers or 1))

        def records() -> Iterator[M]:
            pages = ReadAhead(handler.pages(dict(filters), page_size=_READ_AHEAD_PAGE_SIZE,
                                            start_page=1))
            try:
                for page in pages:
                    yield from page.items
            finally:
                pages.close()

        return _Lazy(records)

    def pages(self, *, page_size: int = 100, start_page: int = 1,
              updated_since: datetime | None = None, **filters: Any) -> Iterator[RecordPage[M]]:
        """Return a lazy iterator over the list's pages, from page ``start_page`` (1-based).

        With a provider that fetches pages by number, each page is one request and carries
        the provider's count of the whole list (``total``); otherwise the records are grouped
        into pages here. No empty page follows the last one.

        Args:
            page_size: records per page; the provider may cap it (Sage serves at most 200).
            start_page: the first page to return.
            updated_since: only records created or changed at or after this moment.
            **filters: other provider-supported filters, as for :meth:`list`.

        Raises:
            UnsupportedOperationError: at call time, for an unsupported operation or filter.
            ValidationError: ``page_size`` or ``start_page`` is below 1.
        """
        if updated_since is not None:
            filters["updated_since"] = updated_since
        handler = self._listing(filters)
        wrong = {name: ["must be at least 1"]
                 for name, value in (("page_size", page_size), ("start_page", start_page))
                 if value < 1}
        if wrong:
            raise ValidationError(wrong)
        return _Lazy(lambda: handler.pages(dict(filters), page_size=page_size,
                                           start_page=start_page))

    def get(self, id: str) -> M:
        """Return one record by provider id (``NotFoundError`` when it does not exist)."""
        return self._require("get").get(_check_id(id))

    def create(self, model: M, **options: Any) -> M:
        """Validate ``model``, create it and return the provider's stored version."""
        handler = self._require("create")
        validation.validate_model(model)
        return handler.create(model, **options)

    def update(self, id: str, changes: M | Mapping[str, Any], **options: Any) -> M:
        """Apply a whole model (validated first) or a mapping of changed fields."""
        handler = self._require("update")
        if is_dataclass(changes):
            validation.validate_model(changes)
        return handler.update(_check_id(id), changes, **options)

    def delete(self, id: str, **options: Any) -> None:
        """Delete one record where the provider allows it."""
        self._require("delete").delete(_check_id(id), **options)

    def list_deleted(self, *, since: datetime) -> Iterator[DeletedRecord]:
        """Return a lazy iterator over the records deleted after ``since``."""
        handler = self._require("list_deleted")
        return _Lazy(lambda: handler.list_deleted(since))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name in STANDARD_OPERATIONS:
            raise AttributeError(name)
        handler = self._require(name)
        method: Callable[..., Any] = getattr(handler, name)

        def extra(*args: Any, **kwargs: Any) -> Any:
            # Extras such as upsert take models too; nothing invalid may reach the provider.
            for value in (*args, *kwargs.values()):
                if is_dataclass(value) and not isinstance(value, type):
                    validation.validate_model(value)
            return method(*args, **kwargs)

        extra.__name__ = name
        extra.__doc__ = method.__doc__
        return extra

    def __repr__(self) -> str:
        return f"Resource({self.name!r}, provider={self._provider_name!r})"


class Client:
    """A connection to one provider account and business.

    Create it with :func:`unified_accounting.connect`. Attributes ``contacts``,
    ``contact_persons``, ``invoices``, ``payments``, ``journals``, ``ledger_accounts``,
    ``tax_rates``, ``businesses``, ``ledger_entries``, ``credit_notes``, ``items`` and
    ``attachments`` map unified models; ``reports`` gives the trial balance; ``proxy``
    reaches any provider path; ``outbox`` queues writes for a worker to deliver.
    """

    def __init__(self, context: ProviderContext, *, outbox: OutboxStore | str | None = None,
                 ) -> None:
        self._context = context
        self._outbox_store = outbox
        self._provider = context.provider
        self._capabilities = dict(self._provider.capabilities())
        self._extras: Any = None
        self._outbox: ClientOutbox | None = None
        self.contacts: Resource[Contact] = self._resource("contacts")
        self.contact_persons: Resource[ContactPerson] = self._resource("contact_persons")
        self.invoices: Resource[Invoice] = self._resource("invoices")
        self.payments: Resource[Payment] = self._resource("payments")
        self.journals: Resource[JournalEntry] = self._resource("journals")
        self.ledger_accounts: Resource[LedgerAccount] = self._resource("ledger_accounts")
        self.tax_rates: Resource[TaxRate] = self._resource("tax_rates")
        self.businesses: Resource[Business] = self._resource("businesses")
        self.ledger_entries: Resource[LedgerEntry] = self._resource("ledger_entries")
        self.reports = Reports(self._provider.name, self.ledger_entries, self.ledger_accounts,
                               lambda: self._provider.reports(context),
                               lambda: self._context.business_id)
        self.credit_notes: Resource[CreditNote] = self._resource("credit_notes")
        self.items: Resource[Item] = self._resource("items")
        self.attachments: Resource[Attachment] = self._resource("attachments")
        self.proxy = Proxy(context.transport)

    def _resource(self, name: str) -> Resource[Any]:
        return Resource(name, self._provider.name, self._capabilities.get(name),
                        lambda: self._provider.resource(name, self._context))

    @property
    def provider(self) -> str:
        """The provider's registered name."""
        return self._provider.name

    @property
    def connection(self) -> str:
        """The connection name."""
        return self._context.connection

    @property
    def business_id(self) -> str | None:
        """The business requests are routed to."""
        return self._context.business_id

    @property
    def context(self) -> ProviderContext:
        """The provider context (transport, settings, caches) of this connection."""
        return self._context

    @property
    def extras(self) -> Any:
        """Provider-specific tools, or ``None`` when the provider offers none."""
        if self._extras is None:
            self._extras = self._provider.extension(self._context)
        return self._extras

    @property
    def outbox(self) -> ClientOutbox:
        """Queue writes of this connection and business for a worker to deliver (see
        docs/outbox.md); the store is ``connect(outbox=...)``, else the default one."""
        if self._outbox is None:
            from unified_accounting.outbox.client_outbox import ClientOutbox

            self._outbox = ClientOutbox(self, self._outbox_store)
        return self._outbox

    def capabilities(self) -> dict[str, ResourceCapabilities]:
        """Return resource -> supported operations and filters, for every unified resource."""
        empty = ResourceCapabilities(frozenset())
        return {name: self._capabilities.get(name, empty) for name in RESOURCES}

    def with_options(self, *, max_retries: int | None = None, deadline: float | None = None,
                     timeouts: Timeouts | None = None) -> Client:
        """Return a client on the same connection with another retry policy or timeouts.

        Args:
            max_retries: retries per call (0 disables them).
            deadline: seconds one call may take in all (``float('inf')``: no deadline).
            timeouts: connect and read timeouts.
        """
        transport = self._context.transport
        changes: dict[str, Any] = {}
        if max_retries is not None:
            changes["max_retries"] = max_retries
        if deadline is not None:
            changes["deadline"] = None if deadline == float("inf") else deadline
        retry = RetryConfig(**{**transport.retry.__dict__, **changes})
        clone = transport.with_options(retry=retry, timeouts=timeouts)
        context = ProviderContext(
            provider=self._provider, connection=self._context.connection,
            settings=self._context.settings, transport=clone, options=self._context.options,
            cache=self._context.cache,
        )
        return Client(context, outbox=self._outbox_store)

    def for_business(self, business_id: str) -> Client:
        """Return a client of the same connection routed to another of the user's businesses.

        Both clients share the transport's session, tokens and limiter, and the provider's
        per-connection caches; only closing the original client closes the session.
        """
        transport = self._context.transport.with_options()
        transport.business_id = _check_id(business_id)
        context = ProviderContext(
            provider=self._provider, connection=self._context.connection,
            settings=self._context.settings, transport=transport, options=self._context.options,
            cache=self._context.cache,
        )
        return Client(context, outbox=self._outbox_store)

    def close(self) -> None:
        """Release the HTTP connections (and an outbox store) the client opened."""
        self._context.transport.close()
        if self._outbox is not None:
            self._outbox.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"Client(provider={self.provider!r}, connection={self.connection!r}, "
                f"business_id={self.business_id!r})")
