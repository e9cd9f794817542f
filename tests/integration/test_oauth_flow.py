"""The authorization-code flow and revocation against a real OAuth server on loopback."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from support.connections import PROVIDER_NAME, seed_connection
from support.oauth_server import OAuthTestServer

import unified_accounting as ua
from unified_accounting import plugins
from unified_accounting.credentials import OAuthEndpoints
from unified_accounting.errors import (
    AuthenticationError,
    NotFoundError,
    ProviderUnavailableError,
)
from unified_accounting.oauth import OAuthStateError, TokenEndpointError, parse_callback
from unified_accounting.tokens import Health, SQLiteTokenStore
from unified_accounting.tokens.endpoint import StandardOAuthProvider

REDIRECT = "http://127.0.0.1:8765/callback"


def authorize(url: str) -> str:
    """Play the user who approves: return the callback URL the provider redirects to."""
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return response.headers["Location"]


def begin(
    provider: StandardOAuthProvider, server: OAuthTestServer, store: SQLiteTokenStore, **kw: str
) -> ua.AuthorizationRequest:
    return ua.begin_authorization(
        provider, client_id=server.client_id, redirect_uri=REDIRECT, state_store=store, **kw
    )


def complete(
    provider: StandardOAuthProvider,
    server: OAuthTestServer,
    store: SQLiteTokenStore,
    callback: str,
    **kw: object,
) -> ua.ConnectionInfo:
    options: dict[str, object] = {
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "redirect_uri": REDIRECT,
        "connection": "acme",
        "token_store": store,
        **kw,
    }
    return ua.complete_authorization(provider, callback, **options)  # type: ignore[arg-type]


def test_authorize_url_carries_state_scope_and_passthrough_parameters(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    request = begin(provider, oauth_server, sqlite_store, country="gb", locale="en-GB")
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert query == {
        "filter": "apiv3.1",
        "response_type": "code",
        "client_id": oauth_server.client_id,
        "redirect_uri": REDIRECT,
        "scope": "full_access",
        "state": request.state,
        "country": "gb",
        "locale": "en-GB",
    }
    assert len(request.state) >= 32
    assert begin(provider, oauth_server, sqlite_store).state != request.state


def test_full_flow_stores_tokens_under_the_connection(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    request = begin(provider, oauth_server, sqlite_store)
    info = complete(provider, oauth_server, sqlite_store, authorize(request.url))
    assert (info.connection, info.provider, info.client_id) == (
        "acme",
        PROVIDER_NAME,
        oauth_server.client_id,
    )
    assert info.metadata == {"country": "GB"}
    record = sqlite_store.load("acme")
    assert record is not None
    assert record.tokens.access_token.reveal() in oauth_server.issued
    assert record.tokens.extra == {"requested_by_id": "5f0c7b3e9a1d4c2e8b6a7d9e0f1a2b3c"}
    assert oauth_server.counters.code_exchanges == 1


def test_reused_state_is_refused(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    callback = authorize(begin(provider, oauth_server, sqlite_store).url)
    complete(provider, oauth_server, sqlite_store, callback)
    with pytest.raises(OAuthStateError, match="already used") as caught:
        complete(provider, oauth_server, sqlite_store, callback)
    assert caught.value.reason == "reused"
    assert oauth_server.counters.code_exchanges == 1


def test_unknown_state_is_refused_before_anything_is_sent(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    callback = authorize(begin(provider, oauth_server, sqlite_store).url)
    params = parse_callback(callback)
    params["state"] = "forged-" + params["state"]
    with pytest.raises(OAuthStateError, match="does not match") as caught:
        complete(provider, oauth_server, sqlite_store, params)
    assert caught.value.reason == "mismatch"
    assert oauth_server.counters.code_exchanges == 0
    assert sqlite_store.load("acme") is None


def test_missing_state_is_refused(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    with pytest.raises(OAuthStateError) as caught:
        complete(provider, oauth_server, sqlite_store, "?code=abc")
    assert caught.value.reason == "missing"


def test_expired_state_is_refused(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    request = begin(provider, oauth_server, sqlite_store)
    callback = authorize(request.url)
    later = request.expires_at + timedelta(seconds=1)
    with pytest.raises(OAuthStateError, match="expired") as caught:
        complete(provider, oauth_server, sqlite_store, callback, now=later)
    assert caught.value.reason == "expired"
    assert oauth_server.counters.code_exchanges == 0


def test_state_issued_for_another_redirect_uri_is_refused(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    callback = authorize(begin(provider, oauth_server, sqlite_store).url)
    with pytest.raises(OAuthStateError, match="different redirect uri") as caught:
        complete(
            provider,
            oauth_server,
            sqlite_store,
            callback,
            redirect_uri="http://127.0.0.1:9999/callback",
        )
    assert caught.value.reason == "mismatch"


def test_refused_consent_is_reported(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    request = begin(provider, oauth_server, sqlite_store)
    callback = f"{REDIRECT}?error=access_denied&state={request.state}"
    with pytest.raises(AuthenticationError, match="refused \\(access_denied\\)"):
        complete(provider, oauth_server, sqlite_store, callback)


def test_code_refused_by_the_provider(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    request = begin(provider, oauth_server, sqlite_store)
    with pytest.raises(TokenEndpointError) as caught:
        complete(provider, oauth_server, sqlite_store, {"code": "made-up", "state": request.state})
    assert (caught.value.status, caught.value.code) == (400, "invalid_grant")


def test_reauthorization_replaces_tokens_and_health(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    seed_connection(sqlite_store, oauth_server)
    sqlite_store.record_health("acme", Health.NEEDS_REAUTHORIZATION, error="invalid_grant")
    info = complete(
        provider,
        oauth_server,
        sqlite_store,
        authorize(begin(provider, oauth_server, sqlite_store).url),
    )
    assert (info.health, info.version) == (Health.OK, 2)


def test_provider_given_by_name_is_loaded_from_the_plugins(
    provider: StandardOAuthProvider,
    oauth_server: OAuthTestServer,
    sqlite_store: SQLiteTokenStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plugins, "load_provider",
                        lambda name: provider if name == PROVIDER_NAME else None)
    request = ua.begin_authorization(
        PROVIDER_NAME,
        client_id=oauth_server.client_id,
        redirect_uri=REDIRECT,
        state_store=sqlite_store,
    )
    info = ua.complete_authorization(
        PROVIDER_NAME,
        authorize(request.url),
        client_id=oauth_server.client_id,
        client_secret=oauth_server.client_secret,
        redirect_uri=REDIRECT,
        connection="by-name",
        token_store=sqlite_store,
    )
    assert info.provider == PROVIDER_NAME


def test_revoke_revokes_at_the_provider_and_deletes(
    provider: StandardOAuthProvider, oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    seed = seed_connection(sqlite_store, oauth_server)
    assert ua.revoke(
        connection="acme",
        provider=provider,
        client_secret=oauth_server.client_secret,
        token_store=sqlite_store,
    )
    assert oauth_server.counters.revocations == 1
    assert seed.refresh_token is not None
    assert not oauth_server.refresh_token_is_valid(seed.refresh_token.reveal())
    assert sqlite_store.load("acme") is None


def test_revoke_keeps_tokens_when_the_provider_is_unreachable(
    oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore
) -> None:
    seed_connection(sqlite_store, oauth_server)
    unreachable = StandardOAuthProvider(
        OAuthEndpoints(
            authorize_url="http://127.0.0.1:9/authorize",
            token_url="http://127.0.0.1:9/token",
            revoke_url="http://127.0.0.1:9/revoke",
        )
    )
    with pytest.raises(ProviderUnavailableError):
        ua.revoke(
            connection="acme",
            provider=unreachable,
            client_secret=oauth_server.client_secret,
            token_store=sqlite_store,
        )
    assert sqlite_store.load("acme") is not None


def test_revoke_of_unknown_connection(
    provider: StandardOAuthProvider, sqlite_store: SQLiteTokenStore
) -> None:
    with pytest.raises(NotFoundError, match="ghost"):
        ua.revoke(provider, connection="ghost", client_secret="x", token_store=sqlite_store)
