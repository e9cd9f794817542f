"""One connection's business as the handlers, ``client.extras`` and the response hook see it.

:class:`ConnectionShared` lives in the connection's cache (``ProviderContext.cache``), so every
client made from the connection (``client.with_options``) sees the same routing state,
reference cache and mappings. :class:`Tenant` binds it to one context and its transport: the
business's reference lists, its record and country.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from unified_accounting.errors import ConfigurationError, ValidationError
from unified_accounting.http.transport import Transport
from unified_accounting.provider import ProviderContext
from unified_accounting_sage.business_routing import ConnectionState
from unified_accounting_sage.config import callback_option, number_option
from unified_accounting_sage.json_values import ref_id
from unified_accounting_sage.mappings import InMemoryMappingStore, MappingStore
from unified_accounting_sage.reference_cache import REFERENCE_LISTS, ReferenceCache

__all__ = ["ConnectionShared", "Tenant", "shared_for"]

_CACHE_KEY = "unified_accounting_sage"
DEFAULT_STATIC_TTL = 3600.0
DEFAULT_FORBIDDEN_THRESHOLD = 3


class ConnectionShared:
    """Per-connection state, built from the connection's options on first use.

    Raises:
        ConfigurationError: an option has the wrong type.
    """

    def __init__(self, context: ProviderContext) -> None:
        self.state = ConnectionState()
        self.reference_cache = ReferenceCache(
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


def shared_for(context: ProviderContext) -> ConnectionShared:
    """Return the connection's :class:`ConnectionShared`, creating it on first use."""
    found = context.cache.get(_CACHE_KEY)
    if not isinstance(found, ConnectionShared):
        found = context.cache.setdefault(_CACHE_KEY, ConnectionShared(context))
    return found


class Tenant:
    """One connection's business, bound to a context (its transport and business id)."""

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
    def connection(self) -> str:
        """The connection name."""
        return self.context.connection

    @property
    def reference_cache(self) -> ReferenceCache:
        """The connection's cache of reference data."""
        return self.shared.reference_cache

    @property
    def mapping_store(self) -> MappingStore:
        """Where the connection keeps its account and tax code mappings."""
        return self.shared.mappings

    def forget_reference(self, name: str) -> None:
        """Drop the business's cached ``name`` list (after a write changed it)."""
        self.reference_cache.invalidate(self.business_id, name)

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
        return self.reference_cache.get(self.business_id, name,
                                        lambda: self.fetch_all(spec.path, params))

    def business(self) -> dict[str, Any]:
        """Return the business record (``GET /businesses/{id}``, or ``lead``), cached."""
        key = self.business_id or "lead"

        def load() -> dict[str, Any]:
            answer = self.transport.request("GET", f"/businesses/{quote(key, safe='')}").json()
            return dict(answer) if isinstance(answer, Mapping) else {}

        return self.reference_cache.get(self.business_id, "business", load)

    def country(self) -> str | None:
        """Return the business's country (ISO alpha-2), read from its business record."""
        code = ref_id(self.business(), "country")
        return code.upper() if code else None
