"""``ua.connect``: load a provider, wire its transport and return a :class:`Client`."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from unified_accounting.client import Client
from unified_accounting.credentials import AccessTokenSource, Secret, StaticAccessToken
from unified_accounting.errors import ConfigurationError
from unified_accounting.http.limiter import Limiter, LimiterRegistry
from unified_accounting.http.retry import Jitter, full_jitter
from unified_accounting.http.transport import Transport
from unified_accounting.http.types import RateLimits, RetryConfig, Timeouts
from unified_accounting.plugins import load_provider
from unified_accounting.provider import Provider, ProviderContext

__all__ = ["connect"]

# Limits belong to a provider app, not to one client: every client of the app in this
# process shares one limiter unless the caller passes its own (e.g. one shared via Redis).
_SHARED_LIMITERS = LimiterRegistry()
_MAX_POOL = 200


def _token_source(
    access_token: str | Secret | None,
    token_source: AccessTokenSource | None,
    token_store: object | None,
) -> AccessTokenSource:
    if access_token is not None and token_source is not None:
        raise ConfigurationError("pass either access_token= or token_source=, not both")
    if token_source is not None:
        if not isinstance(token_source, AccessTokenSource):
            raise ConfigurationError(
                "token_source must have access_token() and refresh_after_unauthorized()"
            )
        return token_source
    if access_token is not None:
        return StaticAccessToken(access_token)
    if token_store is not None:
        raise ConfigurationError(
            "connecting through token_store= is not wired in this version; "
            "pass access_token= or token_source="
        )
    raise ConfigurationError("no credentials: pass access_token= or token_source=")


def _pool_size(limits: RateLimits) -> int:
    wanted = limits.business_max_concurrency or limits.max_concurrency or 10
    return max(1, min(_MAX_POOL, wanted))


def connect(
    provider: str | Provider,
    *,
    connection: str = "default",
    business_id: str | None = None,
    token_store: object | None = None,
    settings: Mapping[str, Any] | None = None,
    session: requests.Session | None = None,
    access_token: str | Secret | None = None,
    token_source: AccessTokenSource | None = None,
    retry: RetryConfig | None = None,
    timeouts: Timeouts | None = None,
    limiter: Limiter | None = None,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Jitter = full_jitter,
    **options: Any,
) -> Client:
    """Connect to a provider and return a :class:`Client`.

    Args:
        provider: an installed provider's name (see ``available_providers()``), or a
            ``Provider`` instance.
        connection: the name of this connection (one per customer account).
        business_id: the business to work with; the provider may choose one when omitted.
        token_store: where the connection's tokens live (not wired in this version).
        settings: provider settings, merged over the provider's defaults.
        session: a ``requests.Session`` to send requests with.
        access_token: a bearer token the caller manages (a 401 is then final).
        token_source: any :class:`AccessTokenSource` (refreshes after a 401).
        retry: retry policy and deadline for every call.
        timeouts: connect and read timeouts.
        limiter: a client-side limiter; by default one shared by every client of the app.
        sleep, jitter: how to wait between retries (injectable for tests).
        **options: provider options, available to the provider as ``context.options``.

    Raises:
        ProviderNotFoundError: no such provider is installed.
        ProviderLoadError: the provider failed to load.
        ConfigurationError: credentials or settings are missing.
    """
    plugin = provider if isinstance(provider, Provider) else load_provider(provider)
    tokens = _token_source(access_token, token_source, token_store)
    merged = {**plugin.default_settings(), **(settings or {})}
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
    context.business_id = plugin.select_business(context)
    return Client(context)
