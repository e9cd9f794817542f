"""``SageProvider``: the unified-accounting provider for Sage Business Cloud Accounting v3.1.

Registered as ``sage`` (entry point ``unified_accounting.providers``)::

    client = ua.connect("sage", access_token="...", business_id="...")

Routing: every request carries ``X-Business`` except ``/businesses`` and ``/user``; a new
connection without a business id picks the user's only business or refuses, listing them.
Writes put one ``idempotency_id`` inside the resource wrapper, reused on every retry; POSTs of
numbered documents are serialized per business. Lists ask for 200 records a page and follow
``$next``. See ``docs/sage.md``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from unified_accounting.credentials import OAuthEndpoints, TokenSet
from unified_accounting.errors import AccountingError, ConfigurationError, ValidationError
from unified_accounting.http import OutgoingRequest, Page, RateLimits
from unified_accounting.http.response import HttpResponse
from unified_accounting.provider import (
    Capabilities,
    Provider,
    ProviderContext,
    ResourceHandler,
    standard_token_set,
)
from unified_accounting_sage.business_routing import describe_businesses
from unified_accounting_sage.config import DEFAULT_SETTINGS, KNOWN_OPTIONS, rate_limits_from
from unified_accounting_sage.errors import error_from_response
from unified_accounting_sage.extras import SageExtras
from unified_accounting_sage.handlers import CAPABILITIES, HANDLERS
from unified_accounting_sage.list_pages import MAX_ITEMS_PER_PAGE, read_envelope
from unified_accounting_sage.mappers import MAPPERS
from unified_accounting_sage.response_hook import BUSINESS_HEADER, observe_access, observe_business
from unified_accounting_sage.tenant import shared_for

__all__ = ["SageProvider"]

_log = logging.getLogger("unified_accounting_sage")
IDEMPOTENCY_FIELD = "idempotency_id"


def _route(path: str) -> str:
    return path.split("?", 1)[0]


def _segment(path: str) -> str:
    return _route(path).lstrip("/").split("/", 1)[0]


class SageProvider(Provider):
    """Sage Business Cloud Accounting v3.1 (see the module docstring and ``docs/sage.md``)."""

    name = "sage"
    business_header = BUSINESS_HEADER
    # Every refresh answers with a new refresh token; the old one then fails (invalid_grant).
    rotates_refresh_tokens = True
    unscoped_collections = frozenset({"businesses", "user"})
    # Sage numbers these documents as it stores them; parallel POSTs to one business can
    # collide on a number, so the transport writes them one at a time (per business, across
    # processes too when the limiter is a RedisLimiter).
    sequential_collections = frozenset({
        "products", "services", "stock_items",
        "sales_credit_notes", "purchase_credit_notes",
        "sales_quotes", "sales_estimates",
        "sales_corrective_invoices", "purchase_corrective_invoices",
        "sales_quick_entries", "purchase_quick_entries",
        "sales_invoices", "purchase_invoices",
        "contacts", "contact_payments", "journals",
    })

    def __init__(self) -> None:
        # The business header of the request in flight, per thread, for the response hook.
        self._sent = threading.local()

    # -- identity, settings and resources -----------------------------------------------

    def default_settings(self) -> dict[str, Any]:
        """Sage's public base URL and OAuth endpoints."""
        return dict(DEFAULT_SETTINGS)

    def capabilities(self) -> Capabilities:
        """Every unified resource; see ``handlers.CAPABILITIES``."""
        return CAPABILITIES

    def resource(self, name: str, context: ProviderContext) -> ResourceHandler[Any]:
        """Return the handler of ``name`` for a connection.

        Raises:
            ConfigurationError: ``name`` is not a unified resource.
        """
        handler = HANDLERS.get(name)
        if handler is None:
            raise ConfigurationError(f"Sage has no handler for {name!r}")
        return handler(context)

    def select_business(self, context: ProviderContext) -> str | None:
        """Use the given business; else the user's only one (``GET /businesses``).

        Raises:
            ConfigurationError: the user has no business, or several (they are listed with
                id, name and country), or an option has the wrong type.
        """
        shared = shared_for(context)
        unknown = sorted(set(context.options) - set(KNOWN_OPTIONS))
        if unknown:
            _log.warning("Sage ignores unknown connect options: %s", ", ".join(unknown))
        if context.business_id:
            return context.business_id
        records = list(context.transport.paginate("/businesses"))
        if not records:
            raise ConfigurationError("the Sage user has no business to connect to")
        if len(records) > 1:
            raise ConfigurationError(
                f"the Sage user has {len(records)} businesses; pass business_id= one of: "
                f"{describe_businesses(records)}")
        chosen = str(records[0]["id"])
        with shared.state.lock:
            # A user's only business is their lead business.
            shared.state.lead_business_id = chosen
        return chosen

    def extension(self, context: ProviderContext) -> SageExtras:
        """``client.extras``: reference lists, account and tax code mappings, state."""
        return SageExtras(context)

    # -- OAuth ---------------------------------------------------------------------------

    def oauth_endpoints(self, settings: Mapping[str, Any]) -> OAuthEndpoints:
        """Sage's authorize, token and revoke URLs (settings may replace each)."""
        def url(key: str) -> str:
            return str(settings.get(key) or DEFAULT_SETTINGS[key])

        return OAuthEndpoints(
            authorize_url=url("authorize_url"), token_url=url("token_url"),
            revoke_url=url("revoke_url"), default_scopes=("full_access",),
        )

    def parse_token_response(self, payload: Mapping[str, Any], now: datetime) -> TokenSet:
        """Sage's token JSON (``requested_by_id`` is kept in ``extra``)."""
        return standard_token_set(payload, now)

    # -- requests ------------------------------------------------------------------------

    def business_headers(self, business_id: str | None, path: str) -> dict[str, str]:
        """``X-Business`` on every path but ``/businesses`` and ``/user``."""
        headers = super().business_headers(business_id, path)
        self._sent.request = (_route(path), headers.get(BUSINESS_HEADER))
        return headers

    def apply_idempotency_key(self, request: OutgoingRequest, key: str) -> OutgoingRequest:
        """Put ``idempotency_id`` inside the resource wrapper (``{"contact": {...}}``).

        Raises:
            ValidationError: the body is not one wrapped resource, so Sage could not
                deduplicate a retry.
        """
        body = request.json
        wrapped = isinstance(body, dict) and len(body) == 1
        inner = next(iter(body.values())) if wrapped else None
        if not isinstance(inner, dict):
            raise ValidationError({"json": [
                "Sage takes the idempotency id inside the resource wrapper; send one wrapped "
                "resource such as {\"contact\": {...}}"]}, provider="sage")
        inner[IDEMPOTENCY_FIELD] = key
        return request

    def prepare_list_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Ask for Sage's largest page (200 records) unless the caller chose a size."""
        return {"items_per_page": MAX_ITEMS_PER_PAGE, **(params or {})}

    def parse_page(self, payload: Any) -> Page:
        """Read ``$items``, ``$next`` and ``$total`` (either page-size spelling)."""
        return read_envelope(payload).as_page()

    def rate_limits(self, settings: Mapping[str, Any]) -> RateLimits:
        """150 concurrent requests and 1,296,000 a day (15/s) per app unless configured."""
        return rate_limits_from(settings)

    # -- responses -----------------------------------------------------------------------

    def map_error(self, response: HttpResponse) -> AccountingError:
        """Sage's error array -> the unified error, field paths in unified names."""
        mapper = MAPPERS.get(_segment(response.path))
        return error_from_response(response.status, response.content,
                                   resource=mapper.wrapper_key if mapper else None,
                                   request_id=response.request_id)

    def on_response(self, response: HttpResponse, context: ProviderContext) -> None:
        """Check ``X-Business`` against the request and count 403 answers.

        Raises:
            ReauthorizationRequired: a 403 once the connection's streak reached the threshold.
        """
        shared = shared_for(context)
        sent = getattr(self._sent, "request", None)
        scoped = _segment(response.path) not in self.unscoped_collections
        # Only when the header recorded belongs to this request (same thread, same path).
        if scoped and sent is not None and sent[0] == response.path:
            observe_business(shared, response, sent[1], context.connection)
        observe_access(shared, response, context.connection, context.transport.token_source)
