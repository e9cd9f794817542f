"""What the sync engine needs from a client, and how it reads pages from one.

The engine depends on these small protocols, not on :class:`unified_accounting.Client`, so any
object with the same shape can be synced. Per resource attribute (``client.contacts`` ...) the
engine uses, in order of preference:

- ``pages(*, page_size, start_page=1, updated_since=None)`` yielding one :class:`SourcePage`
  per provider request, so that a page is exactly one request and a run can resume at a page;
- else ``list(**filters)``, whose items the engine groups into pages of ``page_size`` itself;
- ``list_deleted(since=...)`` where the provider reports deletions (raising
  ``UnsupportedOperationError`` there counts as not offering it).

A client may also offer ``changed_resources(since, resources)`` (see :class:`ChangeProbe`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, Protocol, cast, runtime_checkable

from unified_accounting.errors import UnsupportedOperationError
from unified_accounting.models import DeletedRecord
from unified_accounting.paging import RecordPage

__all__ = [
    "PAGE_SIZE",
    "RESOURCES",
    "ChangeProbe",
    "DeletionFeed",
    "ListedResource",
    "PagedResource",
    "RecordPage",
    "SourcePage",
    "StreamSource",
    "SyncClient",
    "SyncRecord",
    "stream_source",
]

PAGE_SIZE = 200
"""Items per page: Sage v3.1's ``items_per_page`` maximum."""

RESOURCES: tuple[str, ...] = (
    "contacts",
    "contact_persons",
    "ledger_accounts",
    "tax_rates",
    "invoices",
    "payments",
    "journals",
    "ledger_entries",
    "items",
    "credit_notes",
    "attachments",
)
"""Resources synced when none are named, referenced ones first (those a provider cannot list
are left out for its clients)."""


class SyncRecord(Protocol):
    """A listed record: any unified model dataclass has this shape."""

    @property
    def id(self) -> str | None: ...

    @property
    def business_id(self) -> str | None: ...

    @property
    def updated_at(self) -> datetime | None: ...

    @property
    def remote_data(self) -> dict[str, Any] | None: ...


class SourcePage(Protocol):
    """One provider response of a list: its records and, if the provider says, the full count."""

    @property
    def items(self) -> Sequence[SyncRecord]: ...

    @property
    def total(self) -> int | None: ...


@runtime_checkable
class PagedResource(Protocol):
    """A resource that can list its records one provider page at a time."""

    def pages(
        self, *, page_size: int, start_page: int = 1, updated_since: datetime | None = None
    ) -> Iterator[SourcePage]:
        """Yield pages from ``start_page`` (1-based) until the last one.

        ``updated_since`` is inclusive (records changed at or after it) and omitted when
        ``None``. Each yielded page is one request; no empty page follows the last one.
        """
        ...


@runtime_checkable
class ListedResource(Protocol):
    """A resource that streams its records (``updated_since`` is an inclusive filter)."""

    def list(self, **filters: Any) -> Iterator[SyncRecord]: ...


@runtime_checkable
class DeletionFeed(Protocol):
    """A resource whose provider reports deleted records (``since`` is exclusive)."""

    def list_deleted(self, *, since: datetime) -> Iterator[DeletedRecord]: ...


class SyncClient(Protocol):
    """The client side of a sync: which scope it reads; resources are looked up by name."""

    @property
    def provider(self) -> str: ...

    @property
    def connection(self) -> str: ...

    @property
    def business_id(self) -> str | None: ...


@runtime_checkable
class ChangeProbe(Protocol):
    """An optional cheap question to the provider before reading resources."""

    def changed_resources(
        self, since: datetime, resources: Sequence[str]
    ) -> Collection[str] | None:
        """Return which of ``resources`` may have changed (created, updated or deleted) since.

        Every resource the provider cannot vouch for must be included; ``None`` means unknown.
        Resources left out are not read in this run.
        """
        ...


PageReader = Callable[[datetime | None, int, int], Iterator[SourcePage]]
DeletedReader = Callable[[datetime], Iterator[DeletedRecord]]


@dataclass(frozen=True)
class StreamSource:
    """How the engine reads one resource of one client.

    Args:
        read_pages: ``(since, start_page, page_size)`` -> pages.
        read_deleted: ``since`` -> deleted records, or ``None`` when the resource has no feed.
    """

    read_pages: PageReader
    read_deleted: DeletedReader | None


def stream_source(client: SyncClient, resource: str) -> StreamSource:
    """Find how to read ``resource`` from ``client``.

    Raises:
        UnsupportedOperationError: the client has no such resource, or it cannot be listed.
    """
    target = getattr(client, resource, None)
    if target is None:
        raise UnsupportedOperationError(
            f"{client.provider} offers no resource named {resource!r}"
        )
    deleted = _deleted_reader(target) if isinstance(target, DeletionFeed) else None
    if isinstance(target, PagedResource):
        return StreamSource(read_pages=_paged_reader(target), read_deleted=deleted)
    if isinstance(target, ListedResource):
        return StreamSource(read_pages=_listed_reader(target), read_deleted=deleted)
    raise UnsupportedOperationError(f"{resource} of {client.provider} cannot be listed")


def _paged_reader(target: PagedResource) -> PageReader:
    def read(since: datetime | None, start_page: int, page_size: int) -> Iterator[SourcePage]:
        return target.pages(page_size=page_size, start_page=start_page, updated_since=since)

    return read


def _deleted_reader(target: DeletionFeed) -> DeletedReader:
    def read(since: datetime) -> Iterator[DeletedRecord]:
        return target.list_deleted(since=since)

    return read


def _listed_reader(target: ListedResource) -> PageReader:
    def read(since: datetime | None, start_page: int, page_size: int) -> Iterator[SourcePage]:
        filters: dict[str, Any] = {} if since is None else {"updated_since": since}
        items = target.list(**filters)
        # Without page access, resuming means reading past the pages already committed.
        for _ in islice(items, (start_page - 1) * page_size):
            pass
        for chunk in chunked(items, page_size):
            yield RecordPage(items=chunk)

    return read


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Split ``items`` into lists of ``size`` (the last may be shorter; none is empty)."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def close_quietly(iterator: Iterator[Any]) -> None:
    """Close a half-read generator so its HTTP session or cursor is released now."""
    close = getattr(iterator, "close", None)
    if callable(close):
        cast(Callable[[], None], close)()
