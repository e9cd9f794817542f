"""``unified-accounting --help`` lists every command without importing any of them.

The import sets are read from real subprocesses (never timed here; the figures are in
docs/performance.md): ``--help`` may load click, the CLI package's entry and the error types,
but no command module, no plugin, and none of the library's heavy parts.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from stevedore import ExtensionManager

from unified_accounting.cli import BUILTIN_COMMANDS, main
from unified_accounting.cli.lazy_group import CLI_ENTRY_POINT_GROUP, LazyCommand
from unified_accounting.cli.records import COLUMNS

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "unified_accounting"
HEAVY = ("requests", "marshmallow", "stevedore", "jsonschema", "unified_accounting.client",
         "unified_accounting.connection", "unified_accounting.models", "unified_accounting_sage")
COMMAND_MODULES = {f"unified_accounting.cli.{name}"
                   for name in ("options", "parsing", "connections", "proxy", "records", "sync")}

_PRINT_MODULES = "print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
_RUN_HELP = (
    "from unified_accounting.cli import main\n"
    "try:\n    main(['--help'], prog_name='unified-accounting')\n"
    "except SystemExit:\n    pass\n"
)
# A package root that holds nothing but its version, as a lazy root would load: what is then
# imported is what the command line itself asks for.
_BARE_ROOT = (
    "import types\n"
    "root = types.ModuleType('unified_accounting')\n"
    f"root.__path__ = [{str(PACKAGE_DIR)!r}]\n"
    "root.__version__ = '0.0.0'\n"
    "sys.modules['unified_accounting'] = root\n"
)


def _modules_after(code: str) -> tuple[set[str], str]:
    """Run ``code`` in a fresh interpreter; the modules it loaded, and what it printed."""
    done = subprocess.run([sys.executable, "-c", f"import json, sys\n{code}\n{_PRINT_MODULES}"],
                          capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1])), done.stdout


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.startswith(HEAVY) or m in COMMAND_MODULES}


def test_help_imports_nothing_beyond_the_package_root_but_click_and_the_cli_entry() -> None:
    root, _ = _modules_after("import unified_accounting")
    after_help, shown = _modules_after(_RUN_HELP)
    added = after_help - root
    assert _heavy(added) == set()
    assert {"click", "unified_accounting.cli", "unified_accounting.cli.lazy_group"} <= added
    for name in (*BUILTIN_COMMANDS, "demo", "sandbox"):
        assert f"\n  {name} " in shown, name


def test_with_a_bare_package_root_help_loads_only_the_cli_entry_and_the_errors() -> None:
    modules, shown = _modules_after(_BARE_ROOT + _RUN_HELP)
    assert "Commands:" in shown
    assert _heavy(modules) == set()
    assert {m for m in modules if m.startswith("unified_accounting")} == {
        "unified_accounting", "unified_accounting.cli", "unified_accounting.cli.lazy_group",
        "unified_accounting.cli.output", "unified_accounting.errors", "unified_accounting.plugins"}


def test_each_summary_in_the_table_is_the_commands_own_short_help() -> None:
    for name, lazy in BUILTIN_COMMANDS.items():
        command = lazy.load()
        stand_in = click.Command(name, help=lazy.summary)
        assert stand_in.get_short_help_str(200) == command.get_short_help_str(200), name


def test_every_record_resource_has_a_command() -> None:
    # Commands spell the resource with hyphens (credit_notes -> credit-notes), except
    # ledger_entries, which keeps the name it was published with.
    for resource in COLUMNS:
        command = resource if resource == "ledger_entries" else resource.replace("_", "-")
        assert command in BUILTIN_COMMANDS, resource
        assert BUILTIN_COMMANDS[command].load().name == command


def test_a_command_shows_its_full_help_once_asked() -> None:
    result = CliRunner().invoke(main, ["sync", "--help"])
    assert result.exit_code == 0, result.output
    assert "--mirror" in result.stdout
    assert "resumes safely" in result.stdout
    assert "--client-secret" in result.stdout


def test_sandbox_and_demo_are_one_command_each_that_runs_the_chosen_providers_tool() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["--help"])
    assert re.search(r"\n  demo +Show the library at work against a provider's", listing.stdout)
    sandbox = runner.invoke(main, ["sandbox", "--help"])
    assert sandbox.exit_code == 0
    assert "serve  Serve a provider's sandbox on loopback" in sandbox.stdout
    demo = runner.invoke(main, ["demo", "--provider", "sage", "--help"])
    assert demo.exit_code == 0, demo.output
    assert "embedded Sage sandbox" in demo.stdout


def test_a_target_that_is_not_a_command_is_refused() -> None:
    lazy = LazyCommand("unified_accounting.cli.records", "COLUMNS", "Not a command.")
    with pytest.raises(TypeError, match=r"records.COLUMNS is not a click command"):
        lazy.load()


def test_the_package_runs_as_a_module() -> None:
    done = subprocess.run([sys.executable, "-m", "unified_accounting.cli", "--version"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.startswith("unified-accounting, version ")


@pytest.fixture
def cli_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install a test distribution with a new command, a clash with ``sync`` and a non-command."""
    dist = tmp_path / "ua_test_cli_plugins-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ua-test-cli-plugins\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text(textwrap.dedent(f"""\
        [{CLI_ENTRY_POINT_GROUP}]
        hello = ua_test_cli_plugin:hello
        sync = ua_test_cli_plugin:hello
        not-a-command = ua_test_cli_plugin:NOT_A_COMMAND
        """))
    (tmp_path / "ua_test_cli_plugin.py").write_text(textwrap.dedent("""\
        import click
        NOT_A_COMMAND = 42
        @click.command()
        def hello():
            \"\"\"Say hello from a plugin.\"\"\"
            click.echo("hello from the plugin")
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    # stevedore keeps each group's entry points for the life of the process; a plugin
    # installed after the first load of its group is seen by a new process, as users see it.
    monkeypatch.setattr(ExtensionManager, "ENTRY_POINT_CACHE", {})


@pytest.mark.usefixtures("cli_plugins")
def test_a_plugin_command_is_listed_unimported_and_runs(caplog: pytest.LogCaptureFixture) -> None:
    runner = CliRunner()
    with caplog.at_level(logging.WARNING, logger="unified_accounting.cli.lazy_group"):
        listing = runner.invoke(main, ["--help"])
    assert re.search(r"\n  hello +From ua-test-cli-plugins\.\n", listing.stdout)
    assert "ua_test_cli_plugin" not in sys.modules
    assert caplog.text.count("ignoring duplicate CLI command 'sync'") == 1
    assert runner.invoke(main, ["hello"]).stdout == "hello from the plugin\n"
    sync_help = runner.invoke(main, ["sync", "--help"])
    assert "--mirror" in sync_help.stdout


@pytest.mark.usefixtures("cli_plugins")
def test_a_plugin_that_is_not_a_command_is_an_error() -> None:
    result = CliRunner().invoke(main, ["not-a-command"])
    assert result.exit_code == 1
    assert "plugin command 'not-a-command' is not a click command" in result.output
