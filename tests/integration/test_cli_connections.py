"""`unified-accounting connect` and `connections list|show|revoke`, through click's CliRunner."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from support.connections import seed_connection
from support.oauth_server import OAuthTestServer

from unified_accounting import plugins
from unified_accounting.cli import main
from unified_accounting.credentials import OAuthEndpoints, TokenSet
from unified_accounting.oauth import parse_token_response
from unified_accounting.tokens import Health, SQLiteTokenStore


class SettingsProvider:
    """A provider plugin whose OAuth URLs come from its settings, as Sage's do."""

    name = "fakesage"

    def oauth_endpoints(self, settings: Mapping[str, Any]) -> OAuthEndpoints:
        return OAuthEndpoints(
            authorize_url=settings["authorize_url"],
            token_url=settings["token_url"],
            revoke_url=settings.get("revoke_url"),
            default_scopes=("full_access",),
        )

    def parse_token_response(self, payload: Mapping[str, Any], now: datetime) -> TokenSet:
        return parse_token_response(payload, now)


@pytest.fixture(autouse=True)
def plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "load_provider", lambda name: SettingsProvider())
    for name in ("UNIFIED_ACCOUNTING_TOKEN_KEY", "UNIFIED_ACCOUNTING_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite://{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("UNIFIED_ACCOUNTING_TOKEN_STORE", url)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[SQLiteTokenStore]:
    opened = SQLiteTokenStore.from_url(store_url)
    yield opened
    opened.close()


def settings_args(server: OAuthTestServer) -> list[str]:
    return [
        "--setting",
        f"authorize_url={server.endpoints.authorize_url}",
        "--setting",
        f"token_url={server.endpoints.token_url}",
        "--setting",
        f"revoke_url={server.endpoints.revoke_url}",
    ]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A browser whose user approves at once: it follows the redirect to the callback."""
    opened: list[str] = []

    def open_url(url: str) -> bool:
        opened.append(url)
        threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 10}).start()
        return True

    monkeypatch.setattr("webbrowser.open", open_url)
    return opened


def connect(server: OAuthTestServer, *extra: str, **kwargs: Any) -> Result:
    args = [
        "connect",
        "fakesage",
        "--client-id",
        server.client_id,
        "--connection",
        "acme",
        "--redirect-port",
        "0",
        "--timeout",
        "20",
        *settings_args(server),
        *extra,
    ]
    return CliRunner().invoke(main, args, catch_exceptions=False, **kwargs)


def test_connect_runs_the_browser_flow_and_stores_the_connection(
    oauth_server: OAuthTestServer, store: SQLiteTokenStore, browser: list[str]
) -> None:
    result = connect(oauth_server, "--country", "gb", input=f"{oauth_server.client_secret}\n")
    assert result.exit_code == 0, result.output
    assert "Connected 'acme' (fakesage)" in result.output
    assert browser
    assert browser[0] in result.output
    assert "country=gb" in browser[0]
    assert oauth_server.client_secret not in result.output
    record = store.load("acme")
    assert record is not None
    assert record.info.metadata == {"country": "GB"}
    assert record.tokens.access_token.reveal() not in result.output
    assert oauth_server.counters.code_exchanges == 1


def test_connect_reads_the_secret_from_the_environment(
    oauth_server: OAuthTestServer,
    store: SQLiteTokenStore,
    browser: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNIFIED_ACCOUNTING_CLIENT_SECRET", oauth_server.client_secret)
    result = connect(oauth_server)
    assert result.exit_code == 0, result.output
    assert "Client secret" not in result.output
    assert store.describe("acme") is not None


def test_connect_without_a_browser_prints_the_url_and_times_out(
    oauth_server: OAuthTestServer, store: SQLiteTokenStore, browser: list[str]
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "connect",
            "fakesage",
            "--client-id",
            "cid",
            "--client-secret",
            "shh-1234",
            "--redirect-port",
            "0",
            "--no-browser",
            "--timeout",
            "0.2",
            *settings_args(oauth_server),
        ],
    )
    assert result.exit_code == 1
    assert "Open this URL to authorize access" in result.output
    assert f"{oauth_server.base_url}/authorize?filter=apiv3.1" in result.output
    assert "no authorization arrived" in result.output
    assert "shh-1234" not in result.output
    assert browser == []


def test_list_and_show_never_print_tokens(
    oauth_server: OAuthTestServer, store: SQLiteTokenStore
) -> None:
    tokens = seed_connection(store, oauth_server, connection="acme")
    seed_connection(store, oauth_server, connection="beta")
    store.record_health("beta", Health.NEEDS_REAUTHORIZATION, error="invalid_grant")
    listing = CliRunner().invoke(main, ["connections", "list"])
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split()[:3] == ["NAME", "PROVIDER", "HEALTH"]
    assert lines[1].split()[:3] == ["acme", "testauth", "ok"]
    assert lines[2].split()[:3] == ["beta", "testauth", "needs_reauthorization"]
    shown = CliRunner().invoke(main, ["connections", "show", "beta"])
    assert shown.exit_code == 0
    assert "last error             invalid_grant" in shown.output
    assert f"client id              {oauth_server.client_id}" in shown.output
    for token in oauth_server.issued:
        assert token not in listing.output + shown.output
    assert tokens.access_token.reveal() not in shown.output


def test_show_unknown_connection_fails(store: SQLiteTokenStore) -> None:
    result = CliRunner().invoke(main, ["connections", "show", "ghost"])
    assert result.exit_code == 1
    assert "no connection named 'ghost'" in result.output


def test_list_when_empty(store: SQLiteTokenStore) -> None:
    result = CliRunner().invoke(main, ["connections", "list"])
    assert result.output == "No connections stored.\n"


def test_revoke_asks_for_the_secret_hidden_and_deletes(
    oauth_server: OAuthTestServer, store: SQLiteTokenStore
) -> None:
    seed_connection(store, oauth_server, connection="acme")
    result = CliRunner().invoke(
        main,
        ["connections", "revoke", "acme", "--yes", *settings_args(oauth_server)],
        input=f"{oauth_server.client_secret}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Client secret:" in result.output
    assert oauth_server.client_secret not in result.output
    assert "Revoked 'acme' at the provider" in result.output
    assert oauth_server.counters.revocations == 1
    assert store.describe("acme") is None


def test_revoke_of_unknown_connection_fails_cleanly(
    oauth_server: OAuthTestServer, store: SQLiteTokenStore
) -> None:
    result = CliRunner().invoke(
        main,
        ["connections", "revoke", "ghost", "--yes", "--client-secret", "x"],
    )
    assert result.exit_code == 1
    assert "no connection named 'ghost'" in result.output
