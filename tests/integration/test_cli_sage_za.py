"""The CLI with the sage_za provider: connect with a login, the demo, the sandbox command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from unified_accounting_sage_za.sandbox import SageZASandbox

from unified_accounting.cli import main
from unified_accounting.tokens import SQLiteTokenStore
from unified_accounting.tokens.base import Health


@pytest.fixture
def sandbox() -> Iterator[SageZASandbox]:
    with SageZASandbox(seed=51).running() as running:
        yield running


def _connect(sandbox: SageZASandbox, db: Path, password: str,
             monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("SAGE_ZA_API_KEY", sandbox.credentials["api_key"])
    monkeypatch.delenv("SAGE_ZA_PASSWORD", raising=False)
    return CliRunner().invoke(main, [
        "connect", "sage_za", "--connection", "shop", "--store", f"sqlite:///{db}",
        "--setting", f"base_url={sandbox.base_url}",
        # The first client of the app in a process sets its pace for all (LimiterRegistry).
        "--setting", "requests_per_minute=6000",
        "--credential", f"username={sandbox.credentials['username']}",
    ], input=password + "\n", catch_exceptions=False)


def test_connect_prompts_for_the_password_hidden_and_stores_the_login(
        sandbox: SageZASandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _connect(sandbox, tmp_path / "t.db", sandbox.credentials["password"], monkeypatch)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    output: str = result.output  # type: ignore[attr-defined]
    assert "Sage One password" in output
    assert "Connected 'shop' (sage_za)" in output
    assert sandbox.credentials["password"] not in output  # not echoed
    assert sandbox.credentials["api_key"] not in output
    with SQLiteTokenStore(tmp_path / "t.db") as store:
        info = store.describe("shop")
    assert info is not None
    assert info.health is Health.OK


def test_a_refused_login_is_not_stored(sandbox: SageZASandbox, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    result = _connect(sandbox, tmp_path / "t.db", "wrong-password", monkeypatch)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "refused the login; nothing was stored" in result.output  # type: ignore[attr-defined]
    with SQLiteTokenStore(tmp_path / "t.db") as store:
        assert store.describe("shop") is None


def test_an_unknown_login_field_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["connect", "sage_za", "--credential", "token=x",
                                       "--store", f"sqlite:///{tmp_path / 't.db'}"])
    assert result.exit_code == 2
    assert "unknown field(s) token" in result.output


def test_demo_with_provider_sage_za_tells_the_whole_story() -> None:
    result = CliRunner().invoke(main, ["demo", "--provider", "sage_za"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for expected in ("Customer Northwind", "Tax invoice", "is now paid",
                     "outstanding 1380.00 -> 920.00 (partially_paid); credit note allocated",
                     "two-sided entries",
                     "Unbalanced journal refused", "through the proxy", "First sync",
                     "Second sync", "Only the change came back: 1 record updated"):
        assert expected in result.output, expected


def test_sandbox_serve_hands_its_options_to_the_provider() -> None:
    result = CliRunner().invoke(main, ["sandbox", "serve", "--provider", "sage_za", "--help"])
    assert result.exit_code == 0
    assert "--per-minute" in result.output
    assert "sandbox serve --provider sage_za" in result.output
    refused = CliRunner().invoke(main, ["demo", "--provider", "nope"])
    assert refused.exit_code == 2
    assert "these do: sage, sage_za" in refused.output
