"""The OAuth client's variable names are defined once and every reader uses them."""

from __future__ import annotations

from pathlib import Path

import click

from unified_accounting.cli import main
from unified_accounting.credentials import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from unified_accounting.plugins import DEMO_ENTRY_POINT_GROUP, load_plugin

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands_with_client_options() -> list[click.Command]:
    found: list[click.Command] = []
    with click.Context(main) as ctx:
        pending = [main.get_command(ctx, name) for name in main.list_commands(ctx)]
        while pending:
            command = pending.pop()
            if isinstance(command, click.Group):
                pending += [command.get_command(ctx, n) for n in command.list_commands(ctx)]
            elif command is not None and any(p.name == "client_secret" for p in command.params):
                found.append(command)
    return found


def test_the_names_are_the_documented_ones() -> None:
    assert CLIENT_ID_ENV == "UNIFIED_ACCOUNTING_CLIENT_ID"
    assert CLIENT_SECRET_ENV == "UNIFIED_ACCOUNTING_CLIENT_SECRET"
    for page in ("cli.md", "connections.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        assert CLIENT_ID_ENV in text, page
        assert CLIENT_SECRET_ENV in text, page


def test_every_command_reads_the_client_from_those_variables() -> None:
    commands = _commands_with_client_options()
    names = {command.name for command in commands}
    assert {"connect", "revoke", "businesses", "sync", "proxy", "list"} <= names
    assert {"get", "create"} <= names
    for command in commands:
        envvars = {p.name: p.envvar for p in command.params if isinstance(p, click.Option)}
        assert envvars["client_secret"] == CLIENT_SECRET_ENV, command.name
        assert envvars["client_id"] == CLIENT_ID_ENV, command.name


def test_the_sage_demo_reads_the_client_from_those_variables() -> None:
    demo = load_plugin(DEMO_ENTRY_POINT_GROUP, "sage")
    assert isinstance(demo, click.Command)
    envvars = {p.name: p.envvar for p in demo.params if isinstance(p, click.Option)}
    assert (envvars["client_id"], envvars["client_secret"]) == (CLIENT_ID_ENV, CLIENT_SECRET_ENV)
