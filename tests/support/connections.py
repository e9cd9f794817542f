"""Fixtures and tools for the connection tests: an OAuth server, stores, a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.oauth_server import OAuthTestServer

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.oauth import parse_token_response
from unified_accounting.tokens import RedisTokenStore, SQLiteTokenStore, TokenStore
from unified_accounting.tokens.endpoint import StandardOAuthProvider

PROVIDER_NAME = "testauth"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_tokens(
    access: str, refresh: str | None, *, lifetime: int = 300, size: int = 0
) -> TokenSet:
    pad = "x" * size
    return TokenSet(
        access_token=Secret(access + pad),
        refresh_token=None if refresh is None else Secret(refresh + pad),
        expires_at=NOW + timedelta(seconds=lifetime),
        scope="full_access",
        refresh_token_expires_at=NOW + timedelta(days=31),
        extra={"requested_by_id": "user-1"},
    )


class FakeClock:
    """A clock that moves only when told to; also records the sleeps asked of it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)
        self.sleeps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)


@pytest.fixture
def oauth_server() -> Iterator[OAuthTestServer]:
    with OAuthTestServer() as server:
        yield server


@pytest.fixture
def provider(oauth_server: OAuthTestServer) -> StandardOAuthProvider:
    return StandardOAuthProvider(oauth_server.endpoints, name=PROVIDER_NAME)


@pytest.fixture
def sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteTokenStore]:
    monkeypatch.delenv("UNIFIED_ACCOUNTING_TOKEN_KEY", raising=False)
    store = SQLiteTokenStore(tmp_path / "tokens.sqlite3")
    yield store
    store.close()


@pytest.fixture
def redis_store(
    redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RedisTokenStore]:
    monkeypatch.delenv("UNIFIED_ACCOUNTING_TOKEN_KEY", raising=False)
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def any_store(request: pytest.FixtureRequest) -> TokenStore:
    """Each test using it runs once with SQLite and once with Redis."""
    store: TokenStore = request.getfixturevalue(f"{request.param}_store")
    return store


def seed_connection(
    store: TokenStore,
    server: OAuthTestServer,
    *,
    connection: str = "acme",
    access_lifetime: int | None = None,
    now: datetime | None = None,
) -> TokenSet:
    """Store a token pair the server really issued, as a finished authorization would."""
    moment = now or datetime.now(UTC)
    payload: dict[str, Any] = server.issue_tokens(access_lifetime=access_lifetime)
    tokens = parse_token_response(payload, moment)
    store.save(connection, tokens, provider=PROVIDER_NAME, client_id=server.client_id, now=moment)
    return tokens
