"""``SageZAProvider``: Sage Business Cloud Accounting API v2.0 (South Africa).

Registered as ``sage_za``::

    client = ua.connect("sage_za", credentials={"username": ..., "password": ...,
                                                "api_key": ...}, business_id="...")

Every request carries HTTP Basic (the Sage One login) and the API key in the query string;
company-scoped requests carry ``CompanyId``. There is no OAuth: the login is stored in the
token store (``unified-accounting connect sage_za``) and a refused login is final. Each
company is paced at about one request a second, a 429 blocks it for an hour for every
client sharing the quota, and writes are looked up before they are sent again. See
``docs/sage_za.md``.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from unified_accounting.credentials import OAuthEndpoints, Secret, TokenSet
from unified_accounting.errors import (
    AccountingError,
    ConfigurationError,
    UnsupportedOperationError,
)
from unified_accounting.http import HttpResponse, OutgoingRequest, Page, RateLimits
from unified_accounting.provider import (
    Capabilities,
    LoginCredentials,
    Provider,
    ProviderContext,
    ResourceHandler,
)
from unified_accounting_sage_za.config import (
    CREDENTIAL_FIELDS,
    DEFAULT_SETTINGS,
    rate_limits_from,
)
from unified_accounting_sage_za.errors import BLOCK_SECONDS, map_error
from unified_accounting_sage_za.extras import SageZAExtras
from unified_accounting_sage_za.handlers import CAPABILITIES, HANDLERS
from unified_accounting_sage_za.handlers.base import PAGE_LIMIT, read_envelope
from unified_accounting_sage_za.quota import board_for, login_key

__all__ = ["SageZAProvider"]

_UNSCOPED = frozenset({"company"})


def _segment(path: str) -> str:
    return path.split("?", 1)[0].lstrip("/").split("/", 1)[0].lower()


class SageZAProvider(Provider):
    """Sage Business Cloud Accounting v2.0, South Africa (see the module docstring)."""

    name = "sage_za"
    idempotency_tokens = False
    credential_fields = CREDENTIAL_FIELDS
    # The API key and the company travel in the query; ASP.NET reads names in any case.
    reserved_query_params = frozenset({"apikey", "companyid"})
    #: What pages such as the gateway's connect page call this provider.
    display_name = "Sage Accounting (South Africa)"

    def __init__(self) -> None:
        # The quota key of the call in flight, per thread, for the response hook.
        self._call = threading.local()

    def default_settings(self) -> dict[str, Any]:
        """The public v2 base URL, pacing and budget defaults."""
        return dict(DEFAULT_SETTINGS)

    def capabilities(self) -> Capabilities:
        """See ``handlers.CAPABILITIES``."""
        return CAPABILITIES

    def resource(self, name: str, context: ProviderContext) -> ResourceHandler[Any]:
        """The handler of ``name``. Raises ``ConfigurationError`` for other names."""
        handler = HANDLERS.get(name)
        if handler is None:
            raise ConfigurationError(f"sage_za has no handler for {name!r}")
        return handler(context)

    def select_business(self, context: ProviderContext) -> str | None:
        """The given company, else the login's only company (``GET Company/Get``).

        Raises:
            ConfigurationError: the login reaches no company, or several (listed).
        """
        if context.business_id:
            return context.business_id
        records, _ = read_envelope(context.transport.request("GET", "/Company/Get").json())
        if len(records) != 1:
            names = ", ".join(f"{r.get('ID')} ({r.get('Name')})" for r in records)
            raise ConfigurationError(
                f"the Sage login reaches {len(records)} companies; pass business_id= one of: "
                f"{names or 'none'}")
        return str(records[0]["ID"])

    def extension(self, context: ProviderContext) -> SageZAExtras:
        """``client.extras``: daily budget, account mapping suggestions."""
        return SageZAExtras(context)

    # -- no OAuth --------------------------------------------------------------------------

    def oauth_endpoints(self, settings: Mapping[str, Any]) -> OAuthEndpoints:
        """v2 has no OAuth. Raises ``UnsupportedOperationError``."""
        raise UnsupportedOperationError("sage_za logs in with user name, password and API key")

    def parse_token_response(self, payload: Mapping[str, Any], now: datetime) -> TokenSet:
        """v2 has no OAuth. Raises ``UnsupportedOperationError``."""
        raise UnsupportedOperationError("sage_za logs in with user name, password and API key")

    def auth_headers(self, token: Secret) -> dict[str, str]:
        """HTTP Basic with the Sage One login."""
        login = LoginCredentials.from_secret(token)
        pair = f"{login.value('username').reveal()}:{login.value('password').reveal()}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}

    def auth_params(self, token: Secret) -> dict[str, str]:
        """``apikey`` on every call."""
        return {"apikey": LoginCredentials.from_secret(token).value("api_key").reveal()}

    # -- requests ------------------------------------------------------------------------

    def business_params(self, business_id: str | None, path: str) -> dict[str, str]:
        """``CompanyId`` on every call but ``Company/...``."""
        if not business_id or _segment(path) in _UNSCOPED:
            return {}
        return {"CompanyId": business_id}

    def prepare_list_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """100 a page (Sage's cap) in id order unless the caller chose."""
        return {"$top": str(PAGE_LIMIT), "$skip": "0", "$orderby": "ID asc", **(params or {})}

    def parse_page(self, payload: Any) -> Page:
        """``Results`` and ``TotalResults`` (there is no next link)."""
        records, total = read_envelope(payload)
        return Page(items=records, total=total)

    def parse_page_at(self, payload: Any, path: str, params: Mapping[str, Any] | None) -> Page:
        """The next page is the same query with ``$skip`` moved past this page."""
        records, total = read_envelope(payload)
        route, _, query_text = path.partition("?")
        query = {**dict(parse_qsl(query_text)), **{k: str(v) for k, v in (params or {}).items()}}
        skip = int(query.get("$skip") or 0) + len(records)
        if not records or skip >= total:
            return Page(items=records, total=total)
        query["$skip"] = str(skip)
        return Page(items=records, next_path=f"{route}?{urlencode(query)}", total=total)

    def rate_limits(self, settings: Mapping[str, Any]) -> RateLimits:
        """Each company paced at ``requests_per_minute`` (60 unless set)."""
        return rate_limits_from(settings)

    def before_request(self, request: OutgoingRequest, business_id: str | None,
                       context: ProviderContext) -> None:
        """Refuse a call to a blocked company (or over an enforced budget); count it.

        Raises:
            RateLimitError: the company is blocked; ``retry_after`` is the time left.
            ReauthorizationRequired: the stored login was refused before.
        """
        company = business_id if _segment(request.path) not in _UNSCOPED else None
        key = login_key(context, company or "0")
        board = board_for(context)
        board.check(key, company or "the login")
        board.sent(key)
        self._call.key = key

    def map_error(self, response: HttpResponse) -> AccountingError:
        """``Message``/``ModelState`` -> unified errors with field paths."""
        return map_error(response)

    def on_response(self, response: HttpResponse, context: ProviderContext) -> None:
        """A 429 blocks the company for an hour (a login 24 hours) for every client sharing
        the quota, and is raised at once: a retry during the block would extend it.

        Raises:
            RateLimitError: with ``retry_after`` the length of the block.
        """
        if response.status != 429:
            return
        error = map_error(response)
        key = getattr(self._call, "key", None)
        if key:
            board_for(context).blocked(key, getattr(error, "retry_after", None) or BLOCK_SECONDS)
        raise error
