"""A token endpoint that answers badly never replaces the stored tokens with broken ones.

A real OAuth server on loopback (``support.oauth_server``) answers one refresh, or one code
exchange, with HTML, nothing, a success without an access token, an unreadable lifetime, or a
refresh token that did not rotate. Each answer ends in an ``AuthenticationError`` with a clear
message, and the tokens in a real SQLite store are byte for byte what they were: the same
refresh token still works at the server afterwards. Only the connection's health columns
(``health``, ``last_failure_at``, ``last_error``) record the failure, which starts the cooldown
that keeps every worker from hammering the endpoint.

A huge ``expires_in`` is clamped (:data:`~unified_accounting.credentials.MAX_TOKEN_LIFETIME`),
not refused: the server has already spent the old refresh token by then.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support.connections import FakeClock, seed_connection
from support.oauth_server import OAuthTestServer

import unified_accounting as ua
from unified_accounting.credentials import MAX_TOKEN_LIFETIME
from unified_accounting.oauth import begin_authorization, complete_authorization
from unified_accounting.tokens import Health, RefreshPolicy, SQLiteTokenStore, TokenManager
from unified_accounting.tokens.endpoint import StandardOAuthProvider

HEALTH_COLUMNS = ("health", "last_failure_at", "last_error")
REDIRECT = "http://127.0.0.1/callback"


def stored_row(path: Path, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """The connection's row as SQLite holds it (text and numbers as stored)."""
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM connections WHERE connection = 'acme'").fetchone()
    return {key: row[key] for key in row.keys() if key not in leave_out}  # noqa: SIM118


def _json(text: str) -> Callable[[OAuthTestServer], None]:
    return lambda server: server.answer_next(200, text.encode())


def _not_rotated(server: OAuthTestServer) -> None:
    server.rotates = False


# (case, what the server does next, the error's code, words of its message)
BROKEN: list[tuple[str, Callable[[OAuthTestServer], None], str, str]] = [
    ("HTML page", lambda s: s.answer_next(200, b"<html><body>Sign in</body></html>",
                                          content_type="text/html"),
     "not_json", "without a JSON object"),
    ("empty body", lambda s: s.answer_next(200, b""), "no_access_token", "without an access"),
    ("two megabytes", lambda s: s.answer_next(200, b" " * (2 << 20)), "too_large",
     "more than 1,048,576 bytes"),
    ("JSON array", _json("[1, 2]"), "not_json", "without a JSON object"),
    ("no access_token", _json('{"token_type": "bearer", "refresh_token": "rt-new"}'),
     "no_access_token", "without an access token"),
    ("empty access_token", _json('{"access_token": "", "refresh_token": "rt-new"}'),
     "no_access_token", "without an access token"),
    ("expires_in text", _json('{"access_token": "at-new", "refresh_token": "rt-new", '
                              '"expires_in": "soon"}'), "bad_lifetime", "malformed lifetime"),
    ("expires_in negative", _json('{"access_token": "at-new", "refresh_token": "rt-new", '
                                  '"expires_in": -300}'), "bad_lifetime", "malformed lifetime"),
    ("expires_in infinite", _json('{"access_token": "at-new", "refresh_token": "rt-new", '
                                  '"expires_in": 1e999}'), "bad_lifetime", "malformed lifetime"),
    ("expires_in NaN", _json('{"access_token": "at-new", "refresh_token": "rt-new", '
                             '"expires_in": NaN}'), "bad_lifetime", "malformed lifetime"),
    ("refresh token not rotated", _not_rotated, "not_rotated", "did not rotate"),
    ("no refresh token", _json('{"access_token": "at-new", "expires_in": 300}'), "not_rotated",
     "did not rotate"),
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _manager(store: SQLiteTokenStore, server: OAuthTestServer, clock: FakeClock) -> TokenManager:
    # Sage's rule: every refresh must bring a new refresh token.
    provider = StandardOAuthProvider(server.endpoints, name="testauth",
                                     rotates_refresh_tokens=True)
    return TokenManager("acme", token_store=store, provider=provider,
                        client_id=server.client_id, client_secret=server.client_secret,
                        clock=clock, sleep=clock.sleep, jitter=lambda: 1.0,
                        policy=RefreshPolicy(max_attempts=1))


@pytest.mark.parametrize(("breaks", "code", "says"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_a_broken_refresh_answer_leaves_the_stored_tokens_byte_for_byte(
    oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore, clock: FakeClock,
    breaks: Callable[[OAuthTestServer], None], code: str, says: str,
) -> None:
    seeded = seed_connection(sqlite_store, oauth_server, access_lifetime=0, now=clock.now)
    before = stored_row(sqlite_store.path, leave_out=HEALTH_COLUMNS)
    manager = _manager(sqlite_store, oauth_server, clock)
    breaks(oauth_server)
    with pytest.raises(ua.AuthenticationError, match=says) as caught:
        manager.access_token()
    assert caught.value.code == code
    assert stored_row(sqlite_store.path, leave_out=HEALTH_COLUMNS) == before
    info = sqlite_store.describe("acme")
    assert info is not None
    assert (info.health, info.last_error) == (Health.REFRESH_FAILED, code)
    # The stored refresh token is the live one: once the server behaves, it refreshes.
    oauth_server.rotates = True
    clock.advance(RefreshPolicy().cooldown + 1)
    assert manager.access_token() != seeded.access_token
    record = sqlite_store.load("acme")
    assert record is not None
    assert record.tokens.refresh_token != seeded.refresh_token
    assert oauth_server.counters.invalid_grants == 0


def test_a_huge_lifetime_is_clamped_and_the_rotated_tokens_are_kept(
    oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore, clock: FakeClock,
) -> None:
    seeded = seed_connection(sqlite_store, oauth_server, access_lifetime=0, now=clock.now)
    manager = _manager(sqlite_store, oauth_server, clock)
    for announced in (10**12, "1e30", 10**400):
        oauth_server.next_lifetime = announced
        manager.refresh()
        record = sqlite_store.load("acme")
        assert record is not None
        assert record.tokens.expires_at == clock.now + timedelta(seconds=MAX_TOKEN_LIFETIME)
        assert record.tokens.refresh_token != seeded.refresh_token
        assert record.info.health is Health.OK
    assert oauth_server.counters.invalid_grants == 0


@pytest.mark.parametrize(("breaks", "code", "says"),
                         [case[1:] for case in BROKEN if case[3] != "did not rotate"],
                         ids=[case[0] for case in BROKEN if case[3] != "did not rotate"])
def test_a_broken_code_exchange_leaves_the_stored_connection_byte_for_byte(
    oauth_server: OAuthTestServer, sqlite_store: SQLiteTokenStore,
    breaks: Callable[[OAuthTestServer], None], code: str, says: str,
) -> None:
    """Authorizing an existing connection again with a bad answer keeps the old grant."""
    seed_connection(sqlite_store, oauth_server)
    before = stored_row(sqlite_store.path)
    provider = StandardOAuthProvider(oauth_server.endpoints, name="testauth")
    begun = begin_authorization(provider, client_id=oauth_server.client_id,
                                redirect_uri=REDIRECT, state_store=sqlite_store)
    callback = oauth_server.authorize({"redirect_uri": REDIRECT, "state": begun.state})
    breaks(oauth_server)
    with pytest.raises(ua.AuthenticationError, match=says) as caught:
        complete_authorization(provider, callback, client_id=oauth_server.client_id,
                               client_secret=oauth_server.client_secret,
                               redirect_uri=REDIRECT, connection="acme",
                               token_store=sqlite_store)
    assert caught.value.code == code
    assert stored_row(sqlite_store.path) == before
