"""``ua.connect`` over a token store: the default way a product connects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ua_example_provider import ExampleServer

import unified_accounting as ua
from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.tokens.manager import TokenManager

TOKEN = "stored-access-token-5e4d3c"


@pytest.fixture
def server() -> Iterator[ExampleServer]:
    with ExampleServer(tokens=(TOKEN,), businesses=(("biz-1", "First"),)) as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ua.SQLiteTokenStore]:
    with ua.SQLiteTokenStore(tmp_path / "tokens.sqlite3") as token_store:
        yield token_store


def _save(store: ua.SQLiteTokenStore, connection: str) -> None:
    tokens = TokenSet(access_token=Secret(TOKEN), refresh_token=Secret("stored-refresh-1"),
                      expires_at=datetime.now(UTC) + timedelta(hours=1))
    store.save(connection, tokens, provider="example", client_id="app-1")


def test_connect_uses_the_stored_tokens_of_the_connection(
    server: ExampleServer, store: ua.SQLiteTokenStore
) -> None:
    _save(store, "acme")
    client = ua.connect("example", connection="acme", settings=server.settings,
                        token_store=store, client_secret="app-secret")
    source = client.context.transport.token_source
    assert isinstance(source, TokenManager)
    assert source.connection == "acme"
    assert [b.id for b in client.businesses.list()] == ["biz-1"]


def test_connect_without_stored_tokens_asks_for_authorization(
    server: ExampleServer, store: ua.SQLiteTokenStore
) -> None:
    with pytest.raises(ua.ReauthorizationRequired) as caught:
        ua.connect("example", connection="nobody", settings=server.settings,
                   token_store=store, client_secret="app-secret")
    assert caught.value.connection == "nobody"
    assert "unified-accounting connect example" in str(caught.value)


def test_connect_through_a_store_needs_the_client_secret(
    server: ExampleServer, store: ua.SQLiteTokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNIFIED_ACCOUNTING_CLIENT_SECRET", raising=False)
    _save(store, "acme")
    with pytest.raises(ua.ConfigurationError, match="client_secret="):
        ua.connect("example", connection="acme", settings=server.settings, token_store=store)


def test_the_client_secret_may_come_from_the_environment(
    server: ExampleServer, store: ua.SQLiteTokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIFIED_ACCOUNTING_CLIENT_SECRET", "env-secret")
    _save(store, "acme")
    client = ua.connect("example", connection="acme", settings=server.settings,
                        token_store=store)
    assert client.businesses.get("biz-1").name == "First"
    assert "env-secret" not in repr(client.context.transport.token_source)
