"""The example provider: maps contacts, tax rates and businesses of the example API."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from unified_accounting.credentials import OAuthEndpoints, TokenSet
from unified_accounting.errors import AccountingError
from unified_accounting.http import HttpResponse, Page, RateLimits
from unified_accounting.models import Business, Contact, DeletedRecord, TaxRate
from unified_accounting.provider import (
    Capabilities,
    Provider,
    ProviderContext,
    ResourceCapabilities,
    ResourceHandler,
    error_from_response,
    standard_token_set,
)

__all__ = ["ExampleProvider"]

CAPABILITIES: dict[str, ResourceCapabilities] = {
    "contacts": ResourceCapabilities.of(
        {"list", "get", "create", "update", "delete", "list_deleted"}, {"updated_since"}
    ),
    "tax_rates": ResourceCapabilities.of({"list", "get"}),
    "businesses": ResourceCapabilities.of({"list", "get"}),
}


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


class ContactHandler(ResourceHandler[Contact]):
    """``/contacts`` of the example API."""

    resource = "contacts"

    def _to_model(self, raw: Mapping[str, Any]) -> Contact:
        roles = raw.get("roles") or []
        return Contact(
            id=raw["id"], business_id=self.context.business_id, name=raw["name"],
            email=raw.get("email"), is_customer="customer" in roles,
            is_supplier="supplier" in roles, created_at=_parse_time(raw.get("created_at")),
            updated_at=_parse_time(raw.get("updated_at")),
        )

    @staticmethod
    def _to_body(contact: Contact | Mapping[str, Any]) -> dict[str, Any]:
        data = asdict(contact) if is_dataclass(contact) else dict(contact)
        body = {k: data[k] for k in ("name", "email") if data.get(k) is not None}
        if "is_customer" in data or "is_supplier" in data:
            body["roles"] = [r for r, on in (("customer", data.get("is_customer")),
                                             ("supplier", data.get("is_supplier"))) if on]
        return body

    def list(self, filters: Mapping[str, Any]) -> Iterator[Contact]:
        """GET /contacts (``updated_since`` -> ``updated_since``)."""
        params = {}
        if filters.get("updated_since") is not None:
            params["updated_since"] = filters["updated_since"].isoformat()
        for raw in self.context.transport.paginate("/contacts", params):
            yield self._to_model(raw)

    def get(self, id: str) -> Contact:
        """GET /contacts/{id}."""
        return self._to_model(self.context.transport.request(
            "GET", f"/contacts/{quote(id, safe='')}").json())

    def create(self, model: Contact, **options: Any) -> Contact:
        """POST /contacts, with an idempotency key reused on every retry."""
        transport = self.context.transport
        response = transport.request("POST", "/contacts", json=self._to_body(model),
                                     idempotency_key=transport.new_idempotency_key())
        return self._to_model(response.json())

    def update(self, id: str, changes: Contact | Mapping[str, Any], **options: Any) -> Contact:
        """PUT /contacts/{id} with the changed fields."""
        transport = self.context.transport
        response = transport.request("PUT", f"/contacts/{quote(id, safe='')}",
                                     json=self._to_body(changes),
                                     idempotency_key=transport.new_idempotency_key())
        return self._to_model(response.json())

    def delete(self, id: str, **options: Any) -> None:
        """DELETE /contacts/{id}."""
        self.context.transport.request("DELETE", f"/contacts/{quote(id, safe='')}")

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        """GET /contacts/deleted?since=..."""
        for raw in self.context.transport.paginate("/contacts/deleted",
                                                   {"since": since.isoformat()}):
            yield DeletedRecord(id=raw["id"], business_id=self.context.business_id,
                                deleted_at=_parse_time(raw.get("deleted_at")))


class TaxRateHandler(ResourceHandler[TaxRate]):
    """``/tax_rates`` of the example API (read only)."""

    resource = "tax_rates"

    def _to_model(self, raw: Mapping[str, Any]) -> TaxRate:
        return TaxRate(id=raw["id"], business_id=self.context.business_id, name=raw["name"],
                       rate=Decimal(str(raw["percent"])))

    def list(self, filters: Mapping[str, Any]) -> Iterator[TaxRate]:
        """GET /tax_rates."""
        return (self._to_model(raw) for raw in self.context.transport.paginate("/tax_rates"))

    def get(self, id: str) -> TaxRate:
        """GET /tax_rates/{id}."""
        return self._to_model(self.context.transport.request(
            "GET", f"/tax_rates/{quote(id, safe='')}").json())


class BusinessHandler(ResourceHandler[Business]):
    """``/businesses`` of the example API (sent without ``X-Tenant``)."""

    resource = "businesses"

    @staticmethod
    def _to_model(raw: Mapping[str, Any]) -> Business:
        return Business(id=raw["id"], name=raw["name"], country=raw.get("country"),
                        base_currency=raw.get("currency"))

    def list(self, filters: Mapping[str, Any]) -> Iterator[Business]:
        """GET /businesses."""
        return (self._to_model(raw) for raw in self.context.transport.paginate("/businesses"))

    def get(self, id: str) -> Business:
        """GET /businesses/{id}."""
        return self._to_model(self.context.transport.request(
            "GET", f"/businesses/{quote(id, safe='')}").json())


HANDLERS: dict[str, type[ResourceHandler[Any]]] = {
    "contacts": ContactHandler,
    "tax_rates": TaxRateHandler,
    "businesses": BusinessHandler,
}


class ExampleProvider(Provider):
    """The example API: bearer tokens, ``X-Tenant`` routing, ``Idempotency-Key`` writes."""

    name = "example"
    business_header = "X-Tenant"
    unscoped_collections = frozenset({"businesses"})

    def default_settings(self) -> dict[str, Any]:
        """No public default: the example API runs wherever its server was started."""
        return {"authorize_url": "https://example.invalid/authorize",
                "token_url": "https://example.invalid/token"}

    def capabilities(self) -> Capabilities:
        """Contacts fully, tax rates and businesses read-only."""
        return CAPABILITIES

    def resource(self, name: str, context: ProviderContext) -> ResourceHandler[Any]:
        """Return the handler class of ``name`` bound to ``context``."""
        return HANDLERS[name](context)

    def select_business(self, context: ProviderContext) -> str | None:
        """Use the given business, else the first one the user can reach."""
        if context.business_id:
            return context.business_id
        first = next(iter(context.transport.paginate("/businesses")), None)
        return None if first is None else str(first["id"])

    def oauth_endpoints(self, settings: Mapping[str, Any]) -> OAuthEndpoints:
        """Standard OAuth 2.0 endpoints from settings."""
        return OAuthEndpoints(authorize_url=settings["authorize_url"],
                              token_url=settings["token_url"], default_scopes=("accounting",))

    def parse_token_response(self, payload: Mapping[str, Any], now: datetime) -> TokenSet:
        """An RFC 6749 token response."""
        return standard_token_set(payload, now)

    def parse_page(self, payload: Any) -> Page:
        """``{"data": [...], "next": path-or-null}``."""
        return Page(items=list(payload.get("data") or []), next_path=payload.get("next"))

    def prepare_list_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Ask for small pages, so that paging is exercised."""
        return {"page_size": 2, **(params or {})}

    def rate_limits(self, settings: Mapping[str, Any]) -> RateLimits:
        """Generous limits; ``settings["max_concurrency"]`` may lower concurrency."""
        return RateLimits(requests_per_second=500.0,
                          max_concurrency=int(settings.get("max_concurrency", 8)),
                          business_max_concurrency=4)

    def map_error(self, response: HttpResponse) -> AccountingError:
        """``{"error": {"code", "message", "fields"}}`` -> the unified error."""
        try:
            body = response.json() or {}
        except ValueError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        return error_from_response(response, message=error.get("message"),
                                   code=error.get("code"), field_errors=error.get("fields"),
                                   provider=self.name)
