"""A Sage sandbox with a connection authorized into a SQLite token store, for CLI tests.

``cli_env`` holds the environment variables that point the CLI at them (token store, settings
file, client credentials, connection and the GB business), so commands stay short.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from unified_accounting_sage.demo.target import CONNECTION, authorize_headlessly
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.cli import main


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SageSandbox]:
    """A running sandbox (real HTTP on a free loopback port)."""
    with SageSandbox.running(port=0, seed=41) as sb:
        yield sb


@pytest.fixture(scope="module")
def cli_env(sandbox: SageSandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment that connects the CLI to the sandbox's GB business."""
    home = tmp_path_factory.mktemp("cli")
    store_path = home / "tokens.sqlite3"
    with ua.SQLiteTokenStore(store_path) as store:
        authorize_headlessly(sandbox, store)
    settings = home / "sandbox.json"
    settings.write_text(json.dumps(sandbox.settings), encoding="utf-8")
    return {
        "UNIFIED_ACCOUNTING_TOKEN_STORE": f"sqlite:///{store_path}",
        "UNIFIED_ACCOUNTING_SETTINGS": str(settings),
        "UNIFIED_ACCOUNTING_CLIENT_ID": sandbox.client_id,
        "UNIFIED_ACCOUNTING_CLIENT_SECRET": sandbox.client_secret,
        "UNIFIED_ACCOUNTING_CONNECTION": CONNECTION,
        "UNIFIED_ACCOUNTING_BUSINESS": sandbox.business_id("GB"),
    }


class Cli:
    """Runs ``unified-accounting`` commands in-process with the sandbox environment."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.runner = CliRunner(env=dict(env))
        self.folder = folder

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(main, list(args), input=input, catch_exceptions=False)

    def ok(self, *args: str, input: str | None = None) -> Result:
        """Run a command that must succeed."""
        result = self(*args, input=input)
        assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> object:
        """Run a command with ``--json`` and decode what it printed."""
        return json.loads(self.ok(*args, "--json").stdout)

    def json_plain(self, *args: str) -> Any:
        """Run a command that always prints JSON (``proxy``) and decode it."""
        return json.loads(self.ok(*args).stdout)

    def file(self, name: str, data: object) -> str:
        """Write ``data`` as JSON into a file and return its path."""
        path = self.folder / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return str(path)


@pytest.fixture
def cli(cli_env: dict[str, str], tmp_path: Path) -> Cli:
    """The CLI, pointed at the sandbox's GB business."""
    return Cli(cli_env, tmp_path)
