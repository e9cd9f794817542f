"""The connect page: where a product's customer connects their books, in a browser.

1. The product asks for a link with its API key: ``POST /v1/connect_links`` with
   ``{"provider": "sage", "connection": "books"}`` answers a signed, expiring URL of
   ``/connect/{provider}?tenant=...&connection=...&expires=...&signature=...``.
2. ``GET`` of that URL shows the page; its button posts a form protected by a CSRF token
   (an HMAC of a cookie nonce and the link).
3. The post begins the OAuth code flow (``ua.begin_authorization``, with ``state``) and
   redirects the browser to the provider's authorize page, with a second cookie nonce that
   binds the flow to this browser.
4. ``GET /oauth/callback`` completes it (``ua.complete_authorization`` stores the tokens as
   ``tenant:connection``), records the businesses the grant reaches (the lead one first)
   and shows them.

A provider that logs in without OAuth gets a form of the fields it declares instead of the
button (``connect_login``); its post tries the login once, stores it and shows the businesses.
"""

from __future__ import annotations

import os
import time
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

import unified_accounting as ua
from unified_accounting.errors import AccountingError, AuthenticationError, ValidationError
from unified_accounting.gateway.connect_login import (
    credential_fields,
    login_inputs,
    read_login,
    store_login,
)
from unified_accounting.gateway.context import Gateway, authenticate, gateway_of, in_thread
from unified_accounting.gateway.flows import Flow
from unified_accounting.gateway.html import page
from unified_accounting.gateway.jsonio import json_response, read_json
from unified_accounting.gateway.signing import ConnectLink
from unified_accounting.gateway.tenancy import check_name, stored_name
from unified_accounting.plugins import PROVIDER_ENTRY_POINT_GROUP, load_plugin

__all__ = ["CONNECT_ROUTES"]

_CSRF_COOKIE, _FLOW_COOKIE = "ua_connect_csrf", "ua_connect_flow"
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
}


def _html(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(page(title, body), status_code=status, headers=_HEADERS)


def _refused(reason: str, status: int = 400) -> HTMLResponse:
    return _html("This link cannot be used", f"<p class=bad>{escape(reason)}</p>"
                 "<p class=muted>Ask for a new connect link and try again.</p>", status)


def _provider_title(name: str) -> str:
    """What the page calls the provider: its ``display_name``, else its name in words."""
    plugin = load_plugin(PROVIDER_ENTRY_POINT_GROUP, name)
    return str(getattr(plugin, "display_name", "") or name.replace("_", " ").title())


def _client_id(gateway: Gateway, provider: str) -> str:
    settings = gateway.config.settings_for(provider)
    return str(settings.get("client_id") or os.environ.get("UNIFIED_ACCOUNTING_CLIENT_ID", ""))


def _client_secret(gateway: Gateway, provider: str) -> str:
    settings = gateway.config.settings_for(provider)
    return str(settings.get("client_secret")
               or os.environ.get("UNIFIED_ACCOUNTING_CLIENT_SECRET", ""))


def _public_url(request: Request) -> str:
    configured = gateway_of(request).config.public_url
    return (configured or str(request.base_url)).rstrip("/")


async def create_link(request: Request) -> Response:
    """``POST /v1/connect_links``: a signed link to the connect page for the key's tenant."""
    key = await authenticate(request)
    body = await read_json(request, 4096)
    if not isinstance(body, dict):
        raise ValidationError({"": ["must be an object"]})
    provider = str(body.get("provider") or "")
    if provider not in ua.available_providers():
        raise ValidationError({"provider": ["is not an installed provider"]})
    connection = check_name(str(body.get("connection") or "default"), "connection")
    gateway = gateway_of(request)
    expires = int(time.time() + gateway.config.connect_link_lifetime)
    link = ConnectLink(provider, key.tenant, connection, expires)
    url = f"{_public_url(request)}/connect/{provider}?{gateway.signer.link_query(link)}"
    return json_response({"url": url, "expires": expires}, status=201)


def _link(request: Request, fields: Any) -> tuple[ConnectLink, str] | None:
    try:
        link = ConnectLink(provider=request.path_params["provider"],
                           tenant=check_name(str(fields.get("tenant", "")), "tenant"),
                           connection=check_name(str(fields.get("connection", "")),
                                                 "connection"),
                           expires=int(str(fields.get("expires", "0"))))
    except (ValidationError, ValueError):
        return None
    return link, str(fields.get("signature", ""))


async def connect_page(request: Request) -> Response:
    """``GET /connect/{provider}`` (the page) and ``POST`` (begin the authorization)."""
    gateway = gateway_of(request)
    fields = request.query_params if request.method == "GET" else await request.form()
    found = _link(request, fields)
    if found is None or not gateway.signer.link_is_valid(*found):
        return _refused("The link is incomplete, altered or expired.", 403)
    link, signature = found
    if request.method == "GET":
        return _show(gateway, link, signature)
    nonce = request.cookies.get(_CSRF_COOKIE, "")
    if not gateway.signer.csrf_is_valid(nonce, link, str(fields.get("csrf", ""))):
        return _refused("The form expired or was not sent from this page.", 403)
    login_fields = credential_fields(link.provider)
    if login_fields:
        return await _log_in(request, gateway, link, fields, login_fields)
    return await _begin(request, gateway, link)


def _show(gateway: Gateway, link: ConnectLink, signature: str) -> Response:
    nonce = gateway.signer.new_nonce()
    hidden = {**link.fields(), "signature": signature,
              "csrf": gateway.signer.csrf_token(nonce, link)}
    inputs = "".join(f"<input type=hidden name={name} value='{escape(value)}'>"
                     for name, value in hidden.items())
    title = _provider_title(link.provider)
    login_fields = credential_fields(link.provider)
    if login_fields:
        how = (f"Sign in with your {escape(title)} login; it is checked once with "
               f"{escape(title)}, then kept encrypted for this connection only.")
        inputs += login_inputs(login_fields)
    else:
        how = f"You will sign in at {escape(title)} and choose what to share."
    body = (f"<p>Connect your {escape(title)} books so that your accounting stays in step "
            f"automatically. {how}"
            f"</p><form method=post>{inputs}<button type=submit id=connect>Connect "
            f"{escape(title)}</button></form><p class=muted>Connection "
            f"<code>{escape(link.connection)}</code> of <code>{escape(link.tenant)}</code>."
            "</p>")
    response = _html(f"Connect {title}", body)
    response.set_cookie(_CSRF_COOKIE, nonce, max_age=3600, httponly=True, samesite="strict",
                        path="/connect")
    return response


async def _log_in(request: Request, gateway: Gateway, link: ConnectLink, fields: Any,
                  login_fields: Any) -> Response:
    """Try the posted login once and store it; show the businesses it reaches."""
    title = _provider_title(link.provider)
    try:
        login = read_login(login_fields, fields)
    except ValidationError as exc:
        return _refused(f"Fill in every field ({', '.join(sorted(exc.errors))}).")
    stored = stored_name(link.tenant, link.connection)
    try:
        businesses = await in_thread(request, store_login, gateway, link.provider, stored, login)
    except AuthenticationError:
        # The provider's own message is not shown: it may echo what was typed.
        return _refused(f"{title} refused the login; nothing was stored.", 401)
    except AccountingError as exc:
        return _refused(f"{title} did not connect: {exc.message}")
    return _connected(link.provider, businesses)


def _connected(provider: str, businesses: list[dict[str, Any]]) -> HTMLResponse:
    items = "".join(f"<li><strong>{escape(str(b.get('name') or b['id']))}</strong>"
                    f"{' (main business)' if b.get('is_lead') else ''}"
                    f" <span class=muted>{escape(str(b.get('country') or ''))}</span></li>"
                    for b in businesses)
    body = (f"<p class=ok id=connected>Your {escape(_provider_title(provider))} books "
            f"are connected.</p><p>Businesses this connection reaches:</p>"
            f"<ul class=businesses>{items}</ul><p class=muted>You can close this page.</p>")
    return _html("Connected", body)


async def _begin(request: Request, gateway: Gateway, link: ConnectLink) -> Response:
    redirect_uri = f"{_public_url(request)}/oauth/callback"
    started = await in_thread(
        request, ua.begin_authorization, link.provider,
        client_id=_client_id(gateway, link.provider), redirect_uri=redirect_uri,
        settings=gateway.config.settings_for(link.provider), state_store=gateway.hub.store)
    nonce = gateway.signer.new_nonce()
    flow = Flow(link.tenant, link.connection, link.provider, redirect_uri)
    await in_thread(request, gateway.flows.begin, started.state, nonce, flow, 600.0)
    response = RedirectResponse(started.url, status_code=303, headers=_HEADERS)
    # Lax: the provider's redirect back is a top-level GET, which carries Lax cookies.
    response.set_cookie(_FLOW_COOKIE, nonce, max_age=600, httponly=True, samesite="lax",
                        path="/oauth")
    return response


def _finish(gateway: Gateway, flow: Flow, params: dict[str, str]) -> list[dict[str, Any]]:
    """Complete the authorization, record the businesses it reaches and return them."""
    stored = stored_name(flow.tenant, flow.connection)
    settings = gateway.config.settings_for(flow.provider)
    ua.complete_authorization(
        flow.provider, params, client_id=_client_id(gateway, flow.provider),
        client_secret=_client_secret(gateway, flow.provider), redirect_uri=flow.redirect_uri,
        connection=stored, token_store=gateway.hub.store, settings=settings)
    gateway.hub.forget(stored)
    with ua.connect(flow.provider, connection=stored, select_business=False,
                    token_store=gateway.hub.store, settings=settings,
                    client_id=_client_id(gateway, flow.provider),
                    client_secret=_client_secret(gateway, flow.provider),
                    **dict(gateway.config.connect_options)) as client:
        found = [ua.dump(business) for business in client.businesses.list()]
    found.sort(key=lambda business: not business.get("is_lead"))
    gateway.hub.store.set_business_ids(stored, tuple(str(b["id"]) for b in found))
    return found


async def oauth_callback(request: Request) -> Response:
    """``GET /oauth/callback``: finish the flow the connect page began."""
    gateway = gateway_of(request)
    params = dict(request.query_params)
    flow = await in_thread(request, gateway.flows.finish, params.get("state", ""),
                           request.cookies.get(_FLOW_COOKIE, ""))
    if flow is None:
        return _refused("This sign-in was not started in this browser, or was already used.")
    try:
        businesses = await in_thread(request, _finish, gateway, flow, params)
    except AccountingError as exc:
        return _refused(f"{_provider_title(flow.provider)} did not connect: {exc.message}")
    response = _connected(flow.provider, businesses)
    response.delete_cookie(_FLOW_COOKIE, path="/oauth")
    return response


CONNECT_ROUTES = [
    Route("/v1/connect_links", create_link, methods=["POST"]),
    Route("/connect/{provider}", connect_page, methods=["GET", "POST"]),
    Route("/oauth/callback", oauth_callback, methods=["GET"]),
]
