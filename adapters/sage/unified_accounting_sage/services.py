"""What the handlers, ``client.extras`` and the response hook of one connection share.

:class:`Shared` lives in the connection's cache (``ProviderContext.cache``), so every client
made from the connection (``client.with_options``) sees the same state, static data and
mappings. :class:`Services` binds it to one context and its transport.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from unified_accounting.errors import ConfigurationError, ValidationError
from unified_accounting.http.transport import Transport
from unified_accounting.provider import ProviderContext
from unified_accounting_sage.config import callback_option, number_option
from unified_accounting_sage.mapping_store import InMemoryMappingStore, MappingStore
from unified_accounting_sage.routing import ConnectionState
from unified_accounting_sage.static import REFERENCE_LISTS, StaticData
from unified_accounting_sage.wire import ref_id

__all__ = ["Services", "Shared", "shared_for"]

_CACHE_KEY = "unified_accounting_sage"
DEFAULT_STATIC_TTL = 3600.0
DEFAULT_FORBIDDEN_THRESHOLD = 3


class Shared:
    """Per-connection state, built from the connection's options on first use.

    Raises:
        ConfigurationError: an option has the wrong type.
    """

    def __init__(self, context: ProviderContext) -> None:
        self.state = ConnectionState()
        self.static = StaticData(
            ttl=number_option(context, "static_data_ttl", DEFAULT_STATIC_TTL))
        store = context.options.get("mapping_store")
        if store is not None and not isinstance(store, MappingStore):
            raise ConfigurationError("mapping_store must have load() and save() methods")
        self.mappings: MappingStore = store or InMemoryMappingStore(
            context.cache.setdefault("unified_accounting_sage.mappings", {}))
        self.include_remote = bool(context.options.get("include_remote_data", False))
        self.forbidden_threshold = int(
            number_option(context, "forbidden_threshold", DEFAULT_FORBIDDEN_THRESHOLD))
        self.on_business_change = callback_option(context, "on_business_change")
        self.on_reauthorization_required = callback_option(
            context, "on_reauthorization_required")


def shared_for(context: ProviderContext) -> Shared:
    """Return the connection's :class:`Shared`, creating it on first use."""
    found = context.cache.get(_CACHE_KEY)
    if not isinstance(found, Shared):
        found = context.cache.setdefault(_CACHE_KEY, Shared(context))
    return found


class Services:
    """One connection's helpers, bound to a context (its transport and business)."""

    def __init__(self, context: ProviderContext) -> None:
        self.context = context
        self.shared = shared_for(context)

    @property
    def transport(self) -> Transport:
        """The context's transport."""
        return self.context.transport

    @property
    def business_id(self) -> str | None:
        """The business requests are routed to."""
        return self.context.business_id

    @property
    def static(self) -> StaticData:
        """The connection's static data cache."""
        return self.shared.static

    @property
    def state(self) -> ConnectionState:
        """The connection's routing and access state."""
        return self.shared.state

    def include_remote(self, filters: Mapping[str, Any] | None = None) -> bool:
        """Whether records keep their raw Sage JSON (a list filter wins over the option)."""
        asked = (filters or {}).get("include_remote_data")
        return self.shared.include_remote if asked is None else bool(asked)

    def fetch_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Return every record of a Sage list (all pages)."""
        return list(self.transport.paginate(path, params))

    def reference(self, name: str) -> list[dict[str, Any]]:
        """Return a cached reference list of the business (see ``REFERENCE_LISTS``).

        Raises:
            ValidationError: ``name`` is not a known list.
        """
        spec = REFERENCE_LISTS.get(name)
        if spec is None:
            known = ", ".join(sorted(REFERENCE_LISTS))
            raise ValidationError({"name": [f"unknown reference list {name!r}; known: {known}"]},
                                  provider="sage")
        params = {"attributes": spec.attributes} if spec.attributes else None
        return self.static.get(self.business_id, name, lambda: self.fetch_all(spec.path, params))

    def business(self) -> dict[str, Any]:
        """Return the business record (``GET /businesses/{id}``, or ``lead``), cached."""
        key = self.business_id or "lead"

        def load() -> dict[str, Any]:
            answer = self.transport.request("GET", f"/businesses/{quote(key, safe='')}").json()
            return dict(answer) if isinstance(answer, Mapping) else {}

        return self.static.get(self.business_id, "business", load)

    def country(self) -> str | None:
        """Return the business's country (ISO alpha-2), read from its business record."""
        code = ref_id(self.business(), "country")
        return code.upper() if code else None
