"""Every command line in docs/cli.md names commands and options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from unified_accounting.cli import main
from unified_accounting.plugins import (
    DEMO_ENTRY_POINT_GROUP,
    SANDBOX_ENTRY_POINT_GROUP,
    load_plugin,
)

# The core's ``sandbox serve`` and ``demo`` hand every option but --provider to the chosen
# provider's own command, so the doc's options are checked against that command.
PROVIDER_TOOLS = {"serve": SANDBOX_ENTRY_POINT_GROUP, "demo": DEMO_ENTRY_POINT_GROUP}

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def documented_lines() -> list[list[str]]:
    """The ``unified-accounting ...`` lines of the doc's shell blocks, as words."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    joined = "\n".join(block.replace("\\\n", " ") for block in blocks)
    found = []
    for line in joined.splitlines():
        line = line.split("#", 1)[0].strip()
        if "unified-accounting " in line:
            words = shlex.split(line.split("unified-accounting ", 1)[1])
            found.append(words)
    return found


def _resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = main
    rest = list(words)
    with click.Context(main) as ctx:
        while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
            found = command.get_command(ctx, rest[0])
            assert found is not None, f"no command {rest[0]!r} in {words}"
            command, rest = found, rest[1:]
    if command.name in PROVIDER_TOOLS:
        provider = rest[rest.index("--provider") + 1] if "--provider" in rest else "sage"
        rest = [w for w in rest if w not in ("--provider", provider)]
        tool = load_plugin(PROVIDER_TOOLS[command.name], provider)
        assert isinstance(tool, click.Command)
        command = tool
    return command, rest


def _option_names(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        names.update(getattr(param, "opts", []))
    return names


def test_the_doc_has_command_lines() -> None:
    assert len(documented_lines()) > 20


def test_documented_commands_and_options_exist() -> None:
    for words in documented_lines():
        command, rest = _resolve(words)
        options = {w.split("=", 1)[0] for w in rest if w.startswith("-") and w != "-"}
        unknown = options - _option_names(command) - {"--version"}
        assert not unknown, f"{' '.join(words)}: unknown options {sorted(unknown)}"
