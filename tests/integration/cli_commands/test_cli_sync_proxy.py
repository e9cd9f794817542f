"""``sync`` and ``proxy`` on the sandbox, and ``--help`` on every command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner
from unified_accounting_sage.sandbox import SageSandbox

from unified_accounting.cli import main

from .conftest import Cli


def _streams(cli: Cli, *args: str) -> list[dict[str, Any]]:
    answer = cli.json("sync", *args)
    assert isinstance(answer, dict)
    assert answer["requests"] >= len(answer["streams"])
    streams: list[dict[str, Any]] = answer["streams"]
    return streams


def test_sync_reads_everything_then_only_changes(
    cli: Cli, sandbox: SageSandbox, tmp_path: Path
) -> None:
    mirror = str(tmp_path / "mirror.sqlite3")
    ids = sandbox.seed_contacts(3)
    first = _streams(cli, "--mirror", mirror, "--resources", "contacts,invoices")
    assert [(s["resource"], s["mode"], s["error"]) for s in first] == [
        ("contacts", "full", None), ("invoices", "full", None)]
    assert first[0]["inserted"] >= 3

    cli.ok("proxy", "PUT", f"/contacts/{ids[0]}", "--json",
           cli.file("change.json", {"contact": {"notes": "changed"}}))
    second = _streams(cli, "--mirror", mirror, "--resources", "contacts")
    # Records of the overlap window may be read again; only the change writes to the mirror.
    assert [(s["mode"], s["inserted"], s["updated"], s["pages"]) for s in second] == [
        ("changes", 0, 1, 1)]

    table = cli.ok("sync", "--mirror", mirror, "--resources", "contacts", "--full")
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["RESOURCE", "MODE", "FETCHED", "INSERTED", "UPDATED",
                                "UNCHANGED", "DELETED", "PAGES", "STATUS"]
    assert lines[1].split()[:2] == ["contacts", "full"]
    assert lines[1].split()[-1] == "ok"
    assert lines[-1].endswith(" requests.")
    assert "contacts" in table.stderr  # the progress bar's label


def test_sync_of_several_businesses_and_its_refusals(
    cli: Cli, sandbox: SageSandbox, tmp_path: Path
) -> None:
    mirror = str(tmp_path / "mirror.sqlite3")
    result = cli.ok("sync", "--mirror", mirror, "--resources", "tax_rates", "--quiet",
                    "--business", sandbox.business_id("GB"),
                    "--business", sandbox.business_id("FR"))
    rows = result.stdout.splitlines()
    assert rows[0].split()[:2] == ["BUSINESS_ID", "RESOURCE"]
    assert {row.split()[0] for row in rows[1:-1]} == {sandbox.business_id("GB"),
                                                      sandbox.business_id("FR")}
    assert result.stderr == ""  # --quiet: no progress bars

    unknown = cli("sync", "--mirror", mirror, "--resources", "contacts,widgets")
    assert unknown.exit_code == 2
    assert "unknown resources widgets" in unknown.stderr
    cli.runner.env.pop("UNIFIED_ACCOUNTING_BUSINESS")
    unchosen = cli("sync", "--mirror", mirror)
    assert unchosen.exit_code == 1
    assert "pass business_id= one of" in unchosen.stderr


def test_proxy_prints_json_and_follows_pages(cli: Cli, sandbox: SageSandbox) -> None:
    settings = cli.json_plain("proxy", "GET", "/financial_settings")
    assert settings["base_currency"]["id"] == "GBP"
    rates = cli.json_plain("proxy", "GET", "/tax_rates", "--param", "items_per_page=2")
    assert len(rates["$items"]) == 2
    assert rates["$total"] > 2
    every = cli.json_plain("proxy", "GET", "/tax_rates", "--all", "--param", "items_per_page=2")
    assert len(every) == rates["$total"]

    body = cli.file("contact.json", {"contact": {
        "name": "Proxy Ltd", "reference": "PROXY1", "contact_type_ids": ["CUSTOMER"]}})
    key = "1" * 32
    created = cli.json_plain("proxy", "POST", "/contacts", "--json", body,
                             "--idempotency-key", key)
    again = cli.json_plain("proxy", "post", "/contacts", "--json", body,
                           "--idempotency-key", key)
    assert created["id"] == again["id"]  # the repeat was answered from the first write


def test_proxy_refusals(cli: Cli) -> None:
    missing = cli("proxy", "GET", "/contacts/" + "0" * 32)
    assert missing.exit_code == 1
    assert "(status 404)" in missing.stderr
    escape = cli("proxy", "GET", "//elsewhere.example/steal")
    assert escape.exit_code == 1
    assert escape.stderr.startswith("Error: ")
    assert cli("proxy", "FETCH", "/contacts").exit_code == 2
    assert cli("proxy", "POST", "/contacts", "--all").exit_code == 2


def _commands(group: click.Group, ctx: click.Context, prefix: tuple[str, ...]
              ) -> list[tuple[str, ...]]:
    found = [prefix]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += _commands(command, ctx, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_every_command_has_help() -> None:
    with click.Context(main) as ctx:
        paths = _commands(main, ctx, ())
    assert {("demo",), ("sync",), ("proxy",), ("businesses",), ("contacts", "create"),
            ("journals", "get"), ("sandbox", "serve"), ("connections", "list")} <= set(paths)
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert result.stdout.startswith("Usage: "), path
