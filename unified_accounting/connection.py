"""``ua.connect``: load a provider, wire its transport and return a :class:`Client`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests

from unified_accounting.client import Client
from unified_accounting.credentials import (
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    AccessTokenSource,
    Secret,
    StaticAccessToken,
)
from unified_accounting.errors import ConfigurationError, ReauthorizationRequired
from unified_accounting.http.limiter import Limiter, LimiterRegistry, RateLimits
from unified_accounting.http.options import RetryConfig, Timeouts
from unified_accounting.http.retry import Jitter, full_jitter
from unified_accounting.http.transport import Transport
from unified_accounting.login_credentials import (
    LoginCredentials,
    StaticCredentials,
    StoredCredentials,
)
from unified_accounting.plugins import load_provider
from unified_accounting.provider import Provider, ProviderContext
from unified_accounting.tokens.base import TokenStore
from unified_accounting.tokens.manager import TokenManager
from unified_accounting.tokens.registry import default_token_store

if TYPE_CHECKING:
    from unified_accounting.outbox.store import OutboxStore

__all__ = ["connect"]

# Limits belong to a provider app, not to one client: every client of the app in this
# process shares one limiter unless the caller passes its own (e.g. one shared via Redis).
_SHARED_LIMITERS = LimiterRegistry()
_MAX_POOL = 200


@dataclass(frozen=True)
class _Credentials:
    """What ``connect`` was given to authenticate with; secrets stay wrapped."""

    access_token: str | Secret | None = None
    token_source: AccessTokenSource | None = None
    token_store: TokenStore | None = None
    client_id: str | None = None
    client_secret: str | Secret | None = None
    login: Mapping[str, str | Secret] | LoginCredentials | None = None


def _token_source(
    plugin: Provider, connection: str, creds: _Credentials, settings: Mapping[str, Any],
    session: requests.Session | None,
) -> AccessTokenSource:
    if creds.access_token is not None and creds.token_source is not None:
        raise ConfigurationError("pass either access_token= or token_source=, not both")
    if creds.token_source is not None:
        if not isinstance(creds.token_source, AccessTokenSource):
            raise ConfigurationError(
                "token_source must have access_token() and refresh_after_unauthorized()"
            )
        return creds.token_source
    if creds.access_token is not None:
        return StaticAccessToken(creds.access_token)
    if plugin.credential_fields:
        return _login_source(plugin, connection, creds)
    return _stored_tokens(plugin, connection, creds, settings, session)


def _login_source(plugin: Provider, connection: str,
                  creds: _Credentials) -> StaticCredentials | StoredCredentials:
    """A provider without OAuth: the login given, or the one stored for the connection."""
    if creds.login is not None:
        login = (creds.login if isinstance(creds.login, LoginCredentials)
                 else LoginCredentials(creds.login))
        return StaticCredentials(login.check(plugin.credential_fields), connection=connection)
    store = creds.token_store if creds.token_store is not None else default_token_store()
    if store.load(connection) is None:
        raise ReauthorizationRequired(
            f"no login is stored for connection {connection!r}: store one first "
            f"(unified-accounting connect {plugin.name})", connection=connection,
        )
    return StoredCredentials(connection, store)


def _stored_tokens(
    plugin: Provider, connection: str, creds: _Credentials, settings: Mapping[str, Any],
    session: requests.Session | None,
) -> TokenManager:
    """A token manager over the connection's stored tokens (the default way to connect)."""
    secret = (creds.client_secret or settings.get("client_secret")
              or os.environ.get(CLIENT_SECRET_ENV))
    if not secret:
        raise ConfigurationError(
            f"connecting through a token store needs the OAuth client secret: pass "
            f"client_secret=, or set {CLIENT_SECRET_ENV}"
        )
    client_id = creds.client_id or settings.get("client_id") or os.environ.get(CLIENT_ID_ENV)
    store = creds.token_store if creds.token_store is not None else default_token_store()
    if store.load(connection) is None:
        raise ReauthorizationRequired(
            f"no tokens are stored for connection {connection!r}: authorize it first "
            f"(unified-accounting connect {plugin.name})", connection=connection,
        )
    return TokenManager(connection, token_store=store, provider=plugin, client_secret=secret,
                        client_id=client_id, settings=settings, session=session)


def _pool_size(limits: RateLimits) -> int:
    wanted = limits.business_max_concurrency or limits.max_concurrency or 10
    return max(1, min(_MAX_POOL, wanted))


def connect(
    provider: str | Provider,
    *,
    connection: str = "default",
    business_id: str | None = None,
    select_business: bool = True,
    token_store: TokenStore | None = None,
    settings: Mapping[str, Any] | None = None,
    session: requests.Session | None = None,
    access_token: str | Secret | None = None,
    token_source: AccessTokenSource | None = None,
    client_id: str | None = None,
    client_secret: str | Secret | None = None,
    credentials: Mapping[str, str | Secret] | LoginCredentials | None = None,
    retry: RetryConfig | None = None,
    timeouts: Timeouts | None = None,
    limiter: Limiter | None = None,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Jitter = full_jitter,
    outbox: OutboxStore | str | None = None,
    **options: Any,
) -> Client:
    """Connect to a provider and return a :class:`Client`.

    Args:
        provider: an installed provider's name (see ``available_providers()``), or a
            ``Provider`` instance.
        connection: the name of this connection (one per customer account).
        business_id: the business to work with; the provider may choose one when omitted.
        select_business: when false and no ``business_id`` is given, no business is chosen:
            the client can list the user's businesses (``client.businesses.list()``) and
            ``client.for_business(id)`` then routes to the one picked.
        token_store: where the connection's tokens live; by default the store named by
            ``UNIFIED_ACCOUNTING_TOKEN_STORE`` or the SQLite file in the user's data folder.
            Tokens are refreshed through it, once for every worker sharing it.
        settings: provider settings, merged over the provider's defaults.
        session: a ``requests.Session`` to send requests with.
        access_token: a bearer token the caller manages (a 401 is then final).
        token_source: any :class:`AccessTokenSource` (refreshes after a 401).
        client_id, client_secret: the OAuth app, needed to refresh stored tokens; they may
            also come from ``settings`` or the ``UNIFIED_ACCOUNTING_CLIENT_ID`` /
            ``UNIFIED_ACCOUNTING_CLIENT_SECRET`` environment variables (the client id is
            also remembered with the connection).
        credentials: for a provider that logs in without OAuth (it declares
            ``credential_fields``): the login to use for this client only, e.g.
            ``{"username": ..., "password": ..., "api_key": ...}``. Without it the login
            stored for ``connection`` is used; a refused login is never retried.
        retry: retry policy and deadline for every call.
        timeouts: connect and read timeouts.
        limiter: a client-side limiter; by default one shared by every client of the app.
        sleep, jitter: how to wait between retries (injectable for tests).
        outbox: where ``client.outbox`` queues writes: a store or its URL (by default
            ``UNIFIED_ACCOUNTING_OUTBOX``, else a SQLite file in the user's data folder).
        **options: provider options, available to the provider as ``context.options``.

    Raises:
        ProviderNotFoundError: no such provider is installed.
        ProviderLoadError: the provider failed to load.
        ConfigurationError: credentials or settings are missing.
        ReauthorizationRequired: the token store holds no tokens for ``connection``.
    """
    plugin = provider if isinstance(provider, Provider) else load_provider(provider)
    merged = {**plugin.default_settings(), **(settings or {})}
    creds = _Credentials(access_token=access_token, token_source=token_source,
                         token_store=token_store, client_id=client_id,
                         client_secret=client_secret, login=credentials)
    tokens = _token_source(plugin, connection, creds, merged, session)
    limits = plugin.rate_limits(merged)
    app_key = f"{plugin.name}:{merged.get('client_id') or 'default'}"
    transport = Transport(
        provider=plugin, base_url=plugin.base_url(merged), token_source=tokens,
        limiter=limiter or _SHARED_LIMITERS.for_app(app_key, limits), app_key=app_key,
        session=session, business_id=business_id, retry=retry, timeouts=timeouts,
        pool_size=_pool_size(limits), sleep=sleep, jitter=jitter,
    )
    context = ProviderContext(provider=plugin, connection=connection, settings=merged,
                              transport=transport, options=options)
    transport.response_hooks.append(lambda response: plugin.on_response(response, context))
    transport.request_hooks.append(
        lambda request, business: plugin.before_request(request, business, context))
    if business_id is not None or select_business:
        context.business_id = plugin.select_business(context)
    return Client(context, outbox=outbox)
