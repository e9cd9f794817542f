"""Where a connection's account mapping and tax code mapping are kept.

The default store keeps them in the connection's in-process cache, so they last as long as the
client. A product that wants them to survive restarts passes its own store to ``ua.connect``
(``mapping_store=...``): anything with :meth:`MappingStore.load` and :meth:`MappingStore.save`
over JSON-ready data, e.g. a table keyed by connection, business and kind.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = ["InMemoryMappingStore", "MappingKind", "MappingStore"]

MappingKind = Literal["accounts", "tax_codes"]


@runtime_checkable
class MappingStore(Protocol):
    """Persistence for per-connection mappings.

    ``data`` is JSON-ready: for ``accounts`` ``{"accounts": {concept: ledger account id},
    "classifications": {concept: [classification, ...]}}``; for ``tax_codes``
    ``{"codes": {unified code or "code:REGION": tax rate id}}``.
    """

    def load(self, connection: str, business_id: str | None,
             kind: MappingKind) -> Mapping[str, Any] | None:
        """Return the stored data, or ``None`` when nothing is stored."""
        ...

    def save(self, connection: str, business_id: str | None, kind: MappingKind,
             data: Mapping[str, Any] | None) -> None:
        """Store ``data`` (``None`` removes it)."""
        ...


class InMemoryMappingStore:
    """Keeps mappings in a dict (the connection's cache by default)."""

    def __init__(self, backing: dict[Any, Any] | None = None) -> None:
        self._data: dict[Any, Any] = {} if backing is None else backing
        self._lock = threading.Lock()

    def load(self, connection: str, business_id: str | None,
             kind: MappingKind) -> Mapping[str, Any] | None:
        """Return a copy of the stored data."""
        with self._lock:
            found = self._data.get((connection, business_id, kind))
        return copy.deepcopy(found)

    def save(self, connection: str, business_id: str | None, kind: MappingKind,
             data: Mapping[str, Any] | None) -> None:
        """Store a copy of ``data``; ``None`` removes the entry."""
        with self._lock:
            if data is None:
                self._data.pop((connection, business_id, kind), None)
            else:
                self._data[(connection, business_id, kind)] = copy.deepcopy(dict(data))

    def __repr__(self) -> str:
        return f"InMemoryMappingStore(entries={len(self._data)})"
