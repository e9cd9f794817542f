"""The OAuth 2.0 authorization-code flow: begin, complete (store the tokens), revoke.

``begin_authorization`` builds the provider's authorize URL with a random ``state`` that is
stored (in the token store by default, so that any worker or process sharing the store can
complete the flow), single-use and short-lived. ``complete_authorization`` refuses a callback
whose state is missing, unknown, reused or expired before it sends anything to the provider.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from unified_accounting.credentials import OAuthEndpoints, Secret
from unified_accounting.errors import AuthenticationError, NotFoundError
from unified_accounting.plugins import resolve_provider
from unified_accounting.tokens.base import ConnectionInfo, TokenStore
from unified_accounting.tokens.endpoint import (
    OAuthProvider,
    StandardOAuthProvider,
    TokenEndpointError,
    parse_token_response,
    post_form,
    provider_name,
)
from unified_accounting.tokens.registry import default_token_store
from unified_accounting.utctime import utcnow

__all__ = [
    "DEFAULT_STATE_LIFETIME",
    "AuthorizationRequest",
    "OAuthProvider",
    "OAuthStateError",
    "StandardOAuthProvider",
    "TokenEndpointError",
    "begin_authorization",
    "complete_authorization",
    "parse_callback",
    "parse_token_response",
    "revoke",
]

_log = logging.getLogger(__name__)

#: How long a user has between ``begin_authorization`` and the callback.
DEFAULT_STATE_LIFETIME = timedelta(minutes=10)
# Callback fields kept with the connection (Sage sends the chosen country back).
_CALLBACK_METADATA = ("country", "locale")
# Revoke answers that mean the token is already dead, so forgetting it locally is right.
_ALREADY_INVALID = frozenset({"invalid_grant", "invalid_token"})


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the user, and the ``state`` that will come back with the callback."""

    url: str
    state: str
    expires_at: datetime
    redirect_uri: str


class OAuthStateError(AuthenticationError):
    """A callback's ``state`` is missing, unknown (a mismatch), reused or expired.

    ``reason`` is one of ``missing``, ``mismatch``, ``reused``, ``expired``.
    """

    def __init__(self, message: str, *, reason: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason


@contextmanager
def _store_or_default(store: TokenStore | None) -> Iterator[TokenStore]:
    """Use ``store``, or open the default one for the duration (and close it after)."""
    if store is not None:
        yield store
        return
    opened = default_token_store()
    try:
        yield opened
    finally:
        opened.close()


def _with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def begin_authorization(
    provider: OAuthProvider | str,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str] | str | None = None,
    settings: Mapping[str, Any] | None = None,
    state_store: TokenStore | None = None,
    state_lifetime: timedelta = DEFAULT_STATE_LIFETIME,
    now: datetime | None = None,
    **extra: str | None,
) -> AuthorizationRequest:
    """Build the provider's authorize URL and remember a new single-use ``state``.

    Args:
        provider: a provider object or the name of an installed provider.
        client_id: the OAuth client id.
        redirect_uri: the callback URL, exactly as registered with the provider.
        scopes: scopes to ask for (default: the provider's default scopes).
        settings: provider settings (authorize URL of a sandbox, for example).
        state_store: where the state is kept; default the default token store. Pass the
            same store (as ``token_store`` or ``state_store``) to ``complete_authorization``.
        state_lifetime: how long the user has to come back.
        now: the current time (for tests).
        extra: further authorize parameters passed through, such as Sage's ``country`` and
            ``locale``; ``None`` values are left out.

    Returns:
        The URL to send the user to, the state, its expiry and the redirect URI.
    """
    resolved = resolve_provider(provider)
    endpoints = resolved.oauth_endpoints(settings or {})
    chosen = [scopes] if isinstance(scopes, str) else list(scopes or endpoints.default_scopes)
    state = secrets.token_urlsafe(32)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        **({"scope": " ".join(chosen)} if chosen else {}),
        "state": state,
        **endpoints.extra_authorize_params,
        **{key: str(value) for key, value in extra.items() if value is not None},
    }
    expires_at = (now or utcnow()) + state_lifetime
    record = {
        "provider": provider_name(provider),
        "client_id": client_id,
        "redirect_uri": redirect_uri,
    }
    with _store_or_default(state_store) as store:
        store.put_state(state, record, expires_at)
    _log.debug("authorization begun for provider %s", record["provider"])
    return AuthorizationRequest(
        url=_with_query(endpoints.authorize_url, params),
        state=state,
        expires_at=expires_at,
        redirect_uri=redirect_uri,
    )


def parse_callback(callback: str | Mapping[str, Any]) -> dict[str, str]:
    """Read the query of a callback: a full URL, a query string, or a mapping of parameters."""
    if isinstance(callback, Mapping):
        return {
            str(key): str(value[0] if isinstance(value, list | tuple) else value)
            for key, value in callback.items()
        }
    text = callback.strip()
    if "?" in text or "://" in text:
        text = urlsplit(text).query
    return dict(parse_qsl(text.lstrip("?"), keep_blank_values=True))


def _check_state(
    params: Mapping[str, str],
    store: TokenStore,
    *,
    provider: str,
    client_id: str,
    redirect_uri: str,
    now: datetime,
) -> None:
    state = params.get("state")
    if not state:
        raise OAuthStateError("the callback carries no state; refusing it", reason="missing")
    stored = store.consume_state(state)
    if stored is None:
        raise OAuthStateError(
            "the callback's state does not match any authorization begun here", reason="mismatch"
        )
    if stored.used:
        raise OAuthStateError("the callback's state was already used", reason="reused")
    if now >= stored.expires_at:
        raise OAuthStateError(
            "the authorization took too long: its state has expired; start again", reason="expired"
        )
    expected = {"provider": provider, "client_id": client_id, "redirect_uri": redirect_uri}
    for key, value in expected.items():
        if stored.data.get(key) != value:
            raise OAuthStateError(
                f"the callback's state was issued for a different {key.replace('_', ' ')}",
                reason="mismatch",
            )


def _code_exchange_form(
    params: Mapping[str, str], client_id: str, client_secret: str | Secret, redirect_uri: str
) -> dict[str, str]:
    """The token request for a callback's code (Sage: form fields, client secret included)."""
    if params.get("error"):
        error = params["error"][:100]
        raise AuthenticationError(f"the authorization was refused ({error})", code=error)
    code = params.get("code")
    if not code:
        raise AuthenticationError("the callback carries no authorization code")
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "client_secret": Secret(client_secret).reveal(),
    }


def complete_authorization(
    provider: OAuthProvider | str,
    callback_url_or_params: str | Mapping[str, Any],
    *,
    client_id: str,
    client_secret: str | Secret,
    redirect_uri: str,
    connection: str = "default",
    token_store: TokenStore | None = None,
    settings: Mapping[str, Any] | None = None,
    state_store: TokenStore | None = None,
    session: requests.Session | None = None,
    timeout: float = 10.0,
    now: datetime | None = None,
) -> ConnectionInfo:
    """Check the callback's state, exchange its code for tokens and store them.

    Args:
        provider: the provider object or name given to ``begin_authorization``.
        callback_url_or_params: the URL the provider redirected to, its query string, or
            its parameters.
        client_id: the OAuth client id.
        client_secret: the OAuth client secret.
        redirect_uri: the same redirect URI as in ``begin_authorization``.
        connection: the name to store the tokens under (replacing any earlier tokens).
        token_store: where to store them; default the default token store.
        settings: provider settings (token URL of a sandbox, for example).
        state_store: where ``begin_authorization`` kept the state; default ``token_store``.
        session: the HTTP session for the code exchange.
        timeout: seconds to wait for the token endpoint.
        now: the current time (for tests).

    Returns:
        The stored connection's metadata (no tokens).

    Raises:
        OAuthStateError: the state is missing, unknown, reused or expired (nothing was sent).
        AuthenticationError: the user refused, the callback has no code, or the provider
            refused the code (``TokenEndpointError``, code ``invalid_grant``).
        ProviderUnavailableError, RateLimitError: the token endpoint failed.
    """
    params = parse_callback(callback_url_or_params)
    moment = now or utcnow()
    resolved = resolve_provider(provider)
    name = provider_name(provider)
    with _store_or_default(token_store) as tokens_home:
        _check_state(
            params,
            state_store or tokens_home,
            provider=name,
            client_id=client_id,
            redirect_uri=redirect_uri,
            now=moment,
        )
        form = _code_exchange_form(params, client_id, client_secret, redirect_uri)
        endpoints = resolved.oauth_endpoints(settings or {})
        payload = post_form(endpoints.token_url, form, session=session, timeout=timeout, now=moment)
        tokens = resolved.parse_token_response(payload, moment)
        metadata = {key: params[key] for key in _CALLBACK_METADATA if params.get(key)}
        # Under the refresh lock, so a refresh in flight cannot mark the new grant as dead.
        with tokens_home.lock(connection):
            info = tokens_home.save(
                connection,
                tokens,
                provider=name,
                client_id=client_id,
                metadata=metadata,
                now=moment,
            )
    _log.info("connection %r authorized with provider %s", connection, name)
    return info


def revoke(
    provider: OAuthProvider | str | None = None,
    *,
    connection: str = "default",
    token_store: TokenStore | None = None,
    settings: Mapping[str, Any] | None = None,
    session: requests.Session | None = None,
    client_id: str | None = None,
    client_secret: str | Secret,
    timeout: float = 10.0,
) -> bool:
    """Revoke the connection's grant at the provider, then delete its stored tokens.

    The refresh token is revoked (as Sage expects: form fields ``token``, ``client_id``,
    ``client_secret``). Tokens are deleted locally when the provider confirms, when it says
    the token was already invalid, or when it has no revoke endpoint; when the provider
    cannot be reached they are kept so the call can be repeated.

    The arguments come in the order of :func:`~unified_accounting.connect`.

    Args:
        provider: the provider object or name (default: the one stored with the connection).
        connection: the connection name.
        token_store: where the tokens are; default the default token store.
        settings: provider settings (revoke URL of a sandbox, for example).
        session: the HTTP session.
        client_id: the OAuth client id (default: the one stored with the connection).
        client_secret: the OAuth client secret.
        timeout: seconds to wait for the provider.

    Returns:
        Whether the provider confirmed the revocation.

    Raises:
        NotFoundError: no such connection is stored.
        ProviderUnavailableError, RateLimitError, TokenEndpointError: the provider refused
            or failed; the tokens are kept.
    """
    with _store_or_default(token_store) as store, store.lock(connection) as _held:
        record = store.load(connection)
        if record is None:
            raise NotFoundError(f"no connection named {connection!r} is stored")
        resolved = resolve_provider(provider or record.info.provider)
        endpoints = resolved.oauth_endpoints(settings or {})
        revoked = _revoke_at_provider(
            endpoints,
            record.tokens.refresh_token or record.tokens.access_token,
            client_id=client_id or record.info.client_id or "",
            client_secret=client_secret,
            session=session,
            timeout=timeout,
        )
        store.delete(connection)
    _log.info("connection %r revoked and deleted", connection)
    return revoked


def _revoke_at_provider(
    endpoints: OAuthEndpoints,
    token: Secret,
    *,
    client_id: str,
    client_secret: str | Secret,
    session: requests.Session | None,
    timeout: float,
) -> bool:
    if not endpoints.revoke_url:
        _log.warning("the provider has no revoke endpoint; deleting the tokens locally only")
        return False
    form = {
        "token": token.reveal(),
        "client_id": client_id,
        "client_secret": Secret(client_secret).reveal(),
    }
    try:
        post_form(endpoints.revoke_url, form, session=session, timeout=timeout, expect_json=False)
    except TokenEndpointError as exc:
        if exc.code not in _ALREADY_INVALID:
            raise
        _log.info("the provider says the token was already invalid (%s)", exc.code)
        return False
    return True
