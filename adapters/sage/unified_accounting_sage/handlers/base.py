"""What every Sage resource handler shares: paths, lists, reads, writes and deletions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

from unified_accounting.errors import ProviderError
from unified_accounting.http.transport import Transport
from unified_accounting.models import DeletedRecord
from unified_accounting.provider import ProviderContext, ResourceHandler
from unified_accounting_sage.handlers.query import FieldAttributes, Filter, sage_params, timestamp
from unified_accounting_sage.services import Services
from unified_accounting_sage.wire import parse_datetime

__all__ = ["SageHandler", "check_options", "path_of"]

M = TypeVar("M")


def path_of(collection: str, id: str | None = None, *rest: str) -> str:
    """Return ``/collection[/quoted id][/rest...]``."""
    parts = [collection] + ([quote(id, safe="")] if id is not None else []) + list(rest)
    return "/" + "/".join(parts)


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


class SageHandler(ResourceHandler[M]):
    """Base of the Sage handlers.

    Class attributes:
        collection: the Sage collection (``contacts``).
        wrapper: the write wrapper key (``contact``).
        filters: unified filter -> Sage parameter; the capabilities table lists these names
            (plus ``fields`` and ``include_remote_data``, which every list takes).
        attributes: what ``attributes`` to ask for, and how ``fields=`` narrows it.
    """

    collection: ClassVar[str] = ""
    wrapper: ClassVar[str] = ""
    filters: ClassVar[Mapping[str, Filter]] = {}
    attributes: ClassVar[FieldAttributes | None] = None

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self.services = Services(context)

    @property
    def transport(self) -> Transport:
        """The transport every request goes through."""
        return self.context.transport

    @property
    def business_id(self) -> str | None:
        """The business records belong to."""
        return self.context.business_id

    # -- reading -------------------------------------------------------------------------

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

    def raw_deleted(self, collection: str, since: datetime) -> Iterator[DeletedRecord]:
        """Yield the records of ``collection`` deleted after ``since`` (``deleted_since``)."""
        params = {"deleted_since": timestamp(since), "attributes": "deleted_at"}
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

    def remove(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """Send a DELETE (never retried once sent: Sage takes no idempotency id on deletes)."""
        return self.transport.request("DELETE", path, params=params).json()
