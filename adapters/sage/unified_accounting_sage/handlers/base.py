"""What every Sage resource handler shares: paths, lists, reads, writes and deletions."""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar, cast
from urllib.parse import quote

from unified_accounting.errors import AccountingError, ProviderError
from unified_accounting.http import HttpResponse
from unified_accounting.http.transport import Transport
from unified_accounting.models import DeletedRecord
from unified_accounting.provider import (
    STANDARD_OPERATIONS,
    ProviderContext,
    RecordPage,
    ResourceCapabilities,
    ResourceHandler,
)
from unified_accounting_sage.handlers.query import (
    COMMON_FILTERS,
    FieldAttributes,
    Filter,
    sage_params,
    timestamp,
)
from unified_accounting_sage.json_values import parse_datetime
from unified_accounting_sage.list_pages import (
    MAX_ITEMS_PER_PAGE,
    NumberedLists,
    SageList,
    numbered_pages,
    whole_seconds,
)
from unified_accounting_sage.tenant import Tenant

__all__ = [
    "CRUD",
    "RecordMapper",
    "SageHandler",
    "capabilities_of",
    "check_options",
    "path_of",
    "rounded_since",
]

M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)

RecordMapper = Callable[[Sequence[Mapping[str, Any]]], list[M]]
"""Maps the Sage records of one list page to unified models."""


class _MapsOneRecord(Protocol[M_co]):
    def to_model(self, raw: Mapping[str, Any], remote: bool) -> M_co: ...


def path_of(collection: str, id: str | None = None, *rest: str) -> str:
    """Return ``/collection[/quoted id][/rest...]``."""
    parts = [collection] + ([quote(id, safe="")] if id is not None else []) + list(rest)
    return "/" + "/".join(parts)


def rounded_since(filters: Mapping[str, Any]) -> Mapping[str, Any]:
    """Round an ``updated_since`` filter down to whole seconds (Sage's resolution), so an
    inclusive window can re-read a record but never skip one."""
    since = filters.get("updated_since")
    if isinstance(since, datetime):
        return {**filters, "updated_since": whole_seconds(since)}
    return filters


def check_options(options: Mapping[str, Any], allowed: Iterable[str], operation: str) -> None:
    """Refuse keyword options an operation does not take, as Python does for arguments.

    Raises:
        TypeError: naming the unexpected options and the accepted ones.
    """
    accepted = set(allowed)
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(f"{operation}() got unexpected options {', '.join(unknown)} "
                        f"(accepted: {', '.join(sorted(accepted)) or 'none'})")


#: The operations of a resource Sage lets the API list, read, create, change and delete.
CRUD = frozenset({"list", "get", "create", "update", "delete"})

# Operations ``ResourceHandler`` answers with UnsupportedOperationError unless overridden
# (``pages`` follows ``list``).
_REFUSED_BY_DEFAULT = tuple(sorted(STANDARD_OPERATIONS - {"pages"}))


def _check_declaration(cls: type[SageHandler[Any]]) -> None:
    """Make a handler class agree with what it declares.

    A declared operation must have a method; an undeclared standard operation answers with
    ``UnsupportedOperationError`` even where this base class shares an implementation
    (``list``, ``get``, ``delete``, ``list_deleted``), so that the class can do exactly what
    its capabilities say.

    Raises:
        TypeError: a declared operation has no method, or a class implements an operation
            it does not declare.
    """
    for operation in sorted(cls.operations):
        method = getattr(cls, operation, None)
        if not callable(method) or method is getattr(ResourceHandler, operation, None):
            raise TypeError(f"{cls.__name__} declares {operation!r} but has no such method")
    for operation in _REFUSED_BY_DEFAULT:
        if operation in cls.operations:
            continue
        if operation in cls.__dict__:
            raise TypeError(f"{cls.__name__} implements {operation!r} without declaring it")
        setattr(cls, operation, getattr(ResourceHandler, operation))
    if "list" not in cls.operations and "pages" not in cls.__dict__:
        cls.pages = ResourceHandler.pages  # type: ignore[method-assign]


def capabilities_of(
    handlers: Iterable[type[SageHandler[Any]]],
) -> dict[str, ResourceCapabilities]:
    """Read the capabilities table off handler classes: resource -> what its class declares."""
    return {handler.resource: handler.capabilities() for handler in handlers}


_UNREADABLE = (TypeError, ValueError, LookupError, AttributeError, ArithmeticError)


def _guarded(to_model: Callable[..., Any], resource: str) -> Callable[..., Any]:
    """Wrap a handler's ``to_model`` so that an unreadable record raises ``ProviderError``."""
    @functools.wraps(to_model)
    def guarded(self: Any, raw: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return to_model(self, raw, *args, **kwargs)
        except AccountingError:
            raise
        except _UNREADABLE as err:
            reason = f"{type(err).__name__}: {err}"[:120]
            raise ProviderError(f"Sage sent a {resource} record that cannot be read "
                                f"({reason})", provider="sage") from err

    return guarded


class SageHandler(ResourceHandler[M]):
    """Base of the Sage handlers.

    A subclass declares what it does, and the capabilities table is read from it
    (:func:`capabilities_of`): ``operations`` names what it supports, ``filters`` and
    ``own_filters`` what ``list`` accepts. ``list``, ``get``, ``delete`` and ``list_deleted``
    of one Sage collection are shared here; a subclass overrides them only where Sage needs
    more.

    Class attributes:
        operations: standard operations (``list``, ``get``, ``create``, ...) and extras
            (``upsert``, ``release``, ``lead``), each a method of the class.
        collection: the Sage collection (``contacts``).
        wrapper: the write wrapper key (``contact``).
        filters: unified filter -> Sage parameter; the capabilities table lists these names
            (plus ``list_options``).
        own_filters: filters the handler reads itself instead of passing them to Sage.
        list_options: filters every list of the handler takes besides its own
            (``fields`` and ``include_remote_data``).
        attributes: what ``attributes`` to ask for, and how ``fields=`` narrows it.
        page_sort: Sage's ``sort`` for numbered pages, where the collection offers a stable
            key (``created_at:asc``), so that records do not move while pages are read.
    """

    operations: ClassVar[frozenset[str]] = frozenset()
    collection: ClassVar[str] = ""
    wrapper: ClassVar[str] = ""
    filters: ClassVar[Mapping[str, Filter]] = {}
    own_filters: ClassVar[frozenset[str]] = frozenset()
    list_options: ClassVar[frozenset[str]] = COMMON_FILTERS
    attributes: ClassVar[FieldAttributes | None] = None
    page_sort: ClassVar[str | None] = None

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self.tenant = Tenant(context)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A Sage record is input from the network: whatever a mapper trips over in it (a
        # dict where an amount belongs, text that is no date) must reach the caller as one
        # clear ProviderError, not as a bare TypeError from deep inside the mapper.
        if "to_model" in cls.__dict__:
            cls.to_model = _guarded(cls.__dict__["to_model"], cls.resource)  # type: ignore[attr-defined]
        _check_declaration(cls)

    @classmethod
    def capabilities(cls) -> ResourceCapabilities:
        """What this handler declares: its operations and the filters ``list`` takes."""
        return ResourceCapabilities.of(
            cls.operations, set(cls.filters) | cls.list_options | cls.own_filters)

    @property
    def transport(self) -> Transport:
        """The transport every request goes through."""
        return self.context.transport

    @property
    def business_id(self) -> str | None:
        """The business records belong to."""
        return self.context.business_id

    # -- reading -------------------------------------------------------------------------

    def list(self, filters: Mapping[str, Any]) -> Iterator[M]:
        """``GET /{collection}`` with the filters of the handler's ``filters`` table, page by
        page as the records are consumed."""
        mapper = cast(_MapsOneRecord[M], self)
        remote = self.tenant.include_remote(filters)
        for raw in self.raw_list(self.collection, self.list_params(filters)):
            yield mapper.to_model(raw, remote)

    def get(self, id: str) -> M:
        """``GET /{collection}/{id}``.

        Raises:
            NotFoundError: Sage has no such record.
        """
        mapper = cast(_MapsOneRecord[M], self)
        return mapper.to_model(self.raw_get(self.collection, id), self.tenant.include_remote())

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        """``GET /{collection}?deleted_since=...``."""
        return self.raw_deleted(self.collection, since)

    def list_params(self, filters: Mapping[str, Any]) -> dict[str, str]:
        """Return the first-page query of a list: translated filters and ``attributes``."""
        params = sage_params(filters, self.filters)
        if self.attributes is not None:
            wanted = self.attributes.attributes(filters.get("fields"))
            if wanted:
                params["attributes"] = wanted
        return params

    def raw_list(self, collection: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield the records of a Sage list, page by page, as they are consumed."""
        return self.transport.paginate(path_of(collection), params)

    def raw_get(self, collection: str, id: str) -> dict[str, Any]:
        """Return one Sage record (``GET /collection/{id}``).

        Raises:
            NotFoundError: Sage has no such record.
        """
        return self.record(self.transport.request("GET", path_of(collection, id)).json())

    @staticmethod
    def record(payload: Any) -> dict[str, Any]:
        """Check that an answer is one JSON object.

        Raises:
            ProviderError: it is not.
        """
        if not isinstance(payload, dict):
            raise ProviderError("Sage answered with something that is not a record",
                                provider="sage")
        return payload

    # -- numbered pages (``resource.pages``, what sync reads) ------------------------------

    def map_records(self, raws: Sequence[Mapping[str, Any]],
                    filters: Mapping[str, Any]) -> builtins.list[M]:
        """Map one page of this handler's Sage records (``to_model`` of each by default)."""
        remote = self.tenant.include_remote(filters)
        mapper = cast(_MapsOneRecord[M], self)
        return [mapper.to_model(raw, remote) for raw in raws]

    def page_params(self, filters: Mapping[str, Any]) -> dict[str, str]:
        """The list query of :meth:`pages`: ``list_params`` with ``updated_since`` rounded
        down to whole seconds and the stable sort, where Sage offers one."""
        params = self.list_params(rounded_since(filters))
        if self.page_sort:
            params["sort"] = self.page_sort
        return params

    def page_fetch(self, collection: str, params: Mapping[str, Any], page_size: int,
                   convert: RecordMapper[M]) -> SageList[M]:
        """Return how to fetch page ``n`` of ``collection`` in one request, and map it."""
        def fetch(number: int) -> HttpResponse:
            query = {**params, "page": str(number), "items_per_page": str(page_size)}
            return self.transport.request("GET", path_of(collection), params=query)

        return SageList(fetch, convert)

    def pages(self, filters: Mapping[str, Any], *, page_size: int,
              start_page: int = 1) -> Iterator[RecordPage[M]]:
        """``GET /{collection}?page=n&items_per_page=...``: one request per page, each page
        carrying ``$total``; at most 200 records a page."""
        lists, size = self.page_lists(filters, page_size)
        return numbered_pages([source.page for source in lists], size, start_page)

    def numbered(self, filters: Mapping[str, Any], *,
                 page_size: int) -> NumberedLists[M] | None:
        """The same pages as :meth:`pages`, fetched by number from several threads."""
        lists, size = self.page_lists(filters, page_size)
        return NumberedLists(lists, size)

    def page_lists(self, filters: Mapping[str, Any],
                   page_size: int) -> tuple[builtins.list[SageList[M]], int]:
        """The Sage lists read, in order (here one), and the page size they are asked for."""
        size = min(page_size, MAX_ITEMS_PER_PAGE)
        return [self.page_fetch(self.collection, self.page_params(filters), size,
                                lambda raws: self.map_records(raws, filters))], size

    def raw_deleted(self, collection: str, since: datetime) -> Iterator[DeletedRecord]:
        """Yield the records of ``collection`` deleted after ``since`` (``deleted_since``,
        rounded down to whole seconds: the check may repeat a deletion, never miss one)."""
        params = {"deleted_since": timestamp(whole_seconds(since)), "attributes": "deleted_at"}
        for raw in self.raw_list(collection, params):
            if raw.get("id"):
                yield DeletedRecord(id=str(raw["id"]), business_id=self.business_id,
                                    deleted_at=parse_datetime(raw.get("deleted_at")))

    # -- writing -------------------------------------------------------------------------

    def send(self, method: str, path: str, wrapper: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Send a wrapped write with a fresh ``idempotency_id``, reused by every retry.

        Returns:
            The record Sage answered with.
        """
        response = self.transport.request(
            method, path, json={wrapper: dict(body)},
            idempotency_key=self.transport.new_idempotency_key(),
        )
        return self.record(response.json())

    def delete(self, id: str, **options: Any) -> None:
        """``DELETE /{collection}/{id}`` (takes no options)."""
        check_options(options, (), f"{self.resource}.delete")
        self.remove(path_of(self.collection, id))

    def remove(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """Send a DELETE (never retried once sent: Sage takes no idempotency id on deletes)."""
        return self.transport.request("DELETE", path, params=params).json()
