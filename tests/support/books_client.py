"""A small client for :mod:`tests.support.books`, shaped like the protocol sync expects.

``BooksClient.over_http(url, business)`` talks to a :class:`~tests.support.books.BooksServer`;
``BooksClient.direct(books, business)`` calls the store in-process for fast unit tests. Both
follow ``$next`` exactly as a client of the real provider would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.support.books import Books, iso, parse_iso
from unified_accounting.models import Contact, DeletedRecord, Invoice
from unified_accounting.syncing import RecordPage

Fetch = Callable[[str, dict[str, str]], dict[str, Any]]


def _contact(raw: dict[str, Any], business: str) -> Contact:
    return Contact(
        id=raw["id"], business_id=business, name=raw.get("name", ""), email=raw.get("email"),
        is_customer=True, created_at=parse_iso(raw["created_at"]),
        updated_at=parse_iso(raw["updated_at"]), remote_data=raw,
    )


def _invoice(raw: dict[str, Any], business: str) -> Invoice:
    return Invoice(
        id=raw["id"], business_id=business, type="sales", contact_id=raw.get("contact_id", "c"),
        issue_date=date.fromisoformat(raw.get("date", "2024-03-01")),
        total_amount=Decimal(raw.get("total", "0.00")), created_at=parse_iso(raw["created_at"]),
        updated_at=parse_iso(raw["updated_at"]), remote_data=raw,
    )


MAPPERS: dict[str, Callable[[dict[str, Any], str], Any]] = {
    "contacts": _contact,
    "invoices": _invoice,
}


class ListResource:
    """``list`` and ``list_deleted`` only (sync then makes pages itself)."""

    def __init__(self, client: BooksClient, name: str) -> None:
        self._client = client
        self._name = name

    def _envelopes(self, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        while True:
            envelope = self._client.fetch(self._name, params)
            yield envelope
            if not envelope["$next"]:
                return
            params = {k: v[-1] for k, v in parse_qs(urlsplit(envelope["$next"]).query).items()}

    def _params(self, page_size: int, start_page: int, since: datetime | None) -> dict[str, str]:
        params = {"items_per_page": str(page_size), "page": str(start_page)}
        if since is not None:
            params["updated_or_created_since"] = iso(since)
        return params

    def list(self, **filters: Any) -> Iterator[Any]:
        mapper = MAPPERS[self._name]
        params = self._params(self._client.page_size, 1, filters.get("updated_since"))
        for envelope in self._envelopes(params):
            for raw in envelope["$items"]:
                yield mapper(raw, self._client.business_id)

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        params = {"items_per_page": "200", "deleted_since": iso(since)}
        for envelope in self._envelopes(params):
            for raw in envelope["$items"]:
                yield DeletedRecord(
                    id=raw["id"], business_id=self._client.business_id,
                    deleted_at=parse_iso(raw["deleted_at"]),
                )


class PagedResource(ListResource):
    """Adds ``pages``: one yielded page per request."""

    def pages(self, *, page_size: int, start_page: int = 1,
              updated_since: datetime | None = None) -> Iterator[RecordPage[Any]]:
        mapper = MAPPERS[self._name]
        for envelope in self._envelopes(self._params(page_size, start_page, updated_since)):
            items = [mapper(raw, self._client.business_id) for raw in envelope["$items"]]
            yield RecordPage(items=items, total=envelope["$total"])


class BooksClient:
    """A client bound to one business of the test provider."""

    provider = "books"

    def __init__(self, fetch: Fetch, business_id: str, *, connection: str = "default",
                 paged: bool = True, page_size: int = 200) -> None:
        self.fetch = fetch
        self.business_id = business_id
        self.connection = connection
        self.page_size = page_size
        kind = PagedResource if paged else ListResource
        self.contacts = kind(self, "contacts")
        self.invoices = kind(self, "invoices")

    @classmethod
    def direct(cls, books: Books, business_id: str, **options: Any) -> BooksClient:
        def fetch(resource: str, params: dict[str, str]) -> dict[str, Any]:
            return books.answer(business_id, resource, params)

        return cls(fetch, business_id, **options)

    @classmethod
    def over_http(cls, base_url: str, business_id: str, **options: Any) -> BooksClient:
        session = requests.Session()

        def fetch(resource: str, params: dict[str, str]) -> dict[str, Any]:
            response = session.get(
                f"{base_url}/{resource}", params=params,
                headers={"X-Business": business_id}, timeout=10,
            )
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            return body

        return cls(fetch, business_id, **options)

