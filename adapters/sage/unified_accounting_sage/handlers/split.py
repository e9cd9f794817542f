"""Unified resources that Sage keeps in two collections, chosen by the model's ``type``.

Invoices (``/sales_invoices``, ``/purchase_invoices``), credit notes and items (``/products``,
``/services``) read the same way: a list walks both collections (or the one a ``type`` filter
names), numbered pages run across both, and a record whose type the handler has not seen yet
is looked up in each collection in turn. Sage ids are unique across both collections.
"""

from __future__ import annotations

import builtins
import itertools
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.models import DeletedRecord
from unified_accounting.provider import ProviderContext
from unified_accounting_sage.handlers.base import (
    RecordMapper,
    SageHandler,
    check_options,
    path_of,
    rounded_since,
)
from unified_accounting_sage.handlers.query import FieldAttributes
from unified_accounting_sage.list_pages import MAX_ITEMS_PER_PAGE, SageList

__all__ = ["SplitHandler"]

M = TypeVar("M")

# Creation order never changes while pages are read.
_PAGE_SORT = "created_at:asc"


class SplitHandler(SageHandler[M]):
    """Base of the handlers of two-collection resources.

    Class attributes:
        collections: unified type -> Sage collection (``{"sales": "sales_invoices", ...}``);
            its order is the order lists walk them in.
        kind_attributes: unified type -> what ``attributes`` its lists ask for.
    """

    operations: ClassVar[frozenset[str]] = frozenset({"list", "get", "delete", "list_deleted"})
    own_filters = frozenset({"type"})
    collections: ClassVar[Mapping[Any, str]] = {}
    kind_attributes: ClassVar[Mapping[Any, FieldAttributes]] = {}

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        # Record id -> its type, for ids this handler has seen.
        self._kinds: dict[str, str] = {}

    def map_one(self, raw: Mapping[str, Any], kind: Any, remote: bool) -> M:
        """Map one Sage record of the collection of ``kind`` (each subclass says how)."""
        raise NotImplementedError

    def to_model(self, raw: Mapping[str, Any], kind: Any, remote: bool) -> M:
        """Map one Sage record and remember its type."""
        model = self.map_one(raw, kind, remote)
        record_id = getattr(model, "id", None)
        if record_id:
            self._kinds[record_id] = kind
        return model

    def kind(self, value: Any) -> str:
        """Check a unified type. Raises ``ValidationError`` at ``type`` for another value."""
        if value not in self.collections:
            choices = " or ".join(repr(kind) for kind in self.collections)
            raise ValidationError({"type": [f"use {choices}"]}, provider="sage")
        return str(value)

    def _split(self, filters: Mapping[str, Any]) -> tuple[builtins.list[str], dict[str, Any]]:
        wanted = filters.get("type")
        kinds = [*self.collections] if wanted is None else [self.kind(wanted)]
        return kinds, {k: v for k, v in filters.items() if k != "type"}

    def kind_params(self, filters: Mapping[str, Any], kind: str) -> dict[str, str]:
        """The first-page query of one collection: filters and its ``attributes``."""
        params = self.list_params(filters)
        if kind in self.kind_attributes:
            params["attributes"] = self.kind_attributes[kind].attributes(filters.get("fields"))
        return params

    # -- reading -------------------------------------------------------------------------

    def list(self, filters: Mapping[str, Any]) -> Iterator[M]:
        """``GET`` each collection in turn (only the one of a ``type`` filter)."""
        kinds, rest = self._split(filters)
        remote = self.tenant.include_remote(filters)
        for kind in kinds:
            for raw in self.raw_list(self.collections[kind], self.kind_params(rest, kind)):
                yield self.to_model(raw, kind, remote)

    def page_lists(self, filters: Mapping[str, Any],
                   page_size: int) -> tuple[builtins.list[SageList[M]], int]:
        """Numbered pages of each collection in turn, sorted by ``created_at``; pages are
        numbered across both and carry the sum of both totals (see
        :mod:`unified_accounting_sage.list_pages`)."""
        kinds, rest = self._split(filters)
        remote = self.tenant.include_remote(filters)
        size = min(page_size, MAX_ITEMS_PER_PAGE)

        def mapper(kind: str) -> RecordMapper[M]:
            return lambda raws: [self.to_model(raw, kind, remote) for raw in raws]

        rounded = rounded_since(rest)
        return [
            self.page_fetch(self.collections[kind],
                            {**self.kind_params(rounded, kind), "sort": _PAGE_SORT},
                            size, mapper(kind))
            for kind in kinds
        ], size

    def fetch(self, collection: str, id: str) -> dict[str, Any]:
        """``GET /{collection}/{id}`` (a subclass may ask for more than the defaults)."""
        return self.raw_get(collection, id)

    def find(self, id: str) -> tuple[Any, dict[str, Any]]:
        """Return the record's type and Sage record, looking in each collection if need be.

        Raises:
            NotFoundError: no collection has it.
        """
        known = self._kinds.get(id)
        missing: NotFoundError | None = None
        for kind in (known,) if known else self.collections:
            try:
                return kind, self.fetch(self.collections[kind], id)
            except NotFoundError as err:
                missing = err
        assert missing is not None
        raise missing

    def kind_of(self, id: str) -> Any:
        """Return the type of record ``id`` (one request when the handler has not seen it)."""
        return self._kinds.get(id) or self.find(id)[0]

    def get(self, id: str) -> M:
        """``GET /{collection}/{id}`` in the record's collection."""
        kind, raw = self.find(id)
        return self.to_model(raw, kind, self.tenant.include_remote())

    def delete(self, id: str, **options: Any) -> None:
        """``DELETE /{collection}/{id}`` in the record's collection (takes no options)."""
        check_options(options, (), f"{self.resource}.delete")
        self.remove(path_of(self.collections[self.kind_of(id)], id))

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        """``deleted_since`` on each collection in turn."""
        return itertools.chain.from_iterable(
            self.raw_deleted(collection, since) for collection in self.collections.values())
