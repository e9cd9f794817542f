"""DEBUG logs, exceptions and reprs of every connection flow contain no token or secret."""

from __future__ import annotations

import logging

import pytest
import requests
from support.connections import FakeClock
from support.oauth_server import OAuthTestServer

import unified_accounting as ua
from unified_accounting.tokens import SQLiteTokenStore, TokenManager
from unified_accounting.tokens.endpoint import StandardOAuthProvider

REDIRECT = "http://127.0.0.1:8765/callback"


def test_no_secret_reaches_logs_errors_or_reprs(
    oauth_server: OAuthTestServer,
    provider: StandardOAuthProvider,
    sqlite_store: SQLiteTokenStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    shown: list[str] = []
    caplog.set_level(logging.DEBUG)

    request = ua.begin_authorization(
        provider, client_id=oauth_server.client_id, redirect_uri=REDIRECT, state_store=sqlite_store
    )
    callback = requests.get(request.url, allow_redirects=False, timeout=10).headers["Location"]
    info = ua.complete_authorization(
        provider,
        callback,
        client_id=oauth_server.client_id,
        client_secret=oauth_server.client_secret,
        redirect_uri=REDIRECT,
        connection="acme",
        token_store=sqlite_store,
        now=clock.now,
    )
    manager = TokenManager(
        "acme",
        token_store=sqlite_store,
        provider=provider,
        client_secret=oauth_server.client_secret,
        clock=clock,
        sleep=clock.sleep,
    )
    first = manager.access_token()
    clock.advance(290)
    second = manager.access_token()  # proactive refresh
    third = manager.refresh_after_unauthorized(second)  # reactive refresh
    clock.advance(290)
    oauth_server.fail_next(503, count=3)
    manager.access_token()  # failed refresh, falls back to the current token
    clock.advance(60)
    oauth_server.fail_next(400, error="invalid_grant")
    with pytest.raises(ua.ReauthorizationRequired) as caught:
        manager.access_token()
    shown += [str(caught.value), repr(caught.value)]
    record = sqlite_store.load("acme")
    shown += [repr(record), repr(info), repr(manager), repr(sqlite_store), repr(first)]
    shown += [repr(third), str(third), f"{third}"]
    ua.revoke(
        connection="acme",
        client_secret=oauth_server.client_secret,
        token_store=sqlite_store,
        provider=provider,
    )

    assert oauth_server.counters.refreshes == 2
    # (The state is not among them: it travels in the browser's URL by design.)
    secrets_seen = [*oauth_server.issued, oauth_server.client_secret]
    assert len(secrets_seen) > 6
    assert "acme" in caplog.text  # the flows did log
    text = caplog.text + "\n".join(shown)
    leaked = [secret for secret in secrets_seen if secret in text]
    assert leaked == []
