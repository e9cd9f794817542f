"""A click group that lists its commands without importing them.

``unified-accounting --help`` must answer at once, so the group knows each built-in command's
name and one-line summary from a table, and each plugin command's name from its entry point's
metadata; a command's module (and through it the library and ``requests``) is imported only
when that command runs or shows its own help.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click

from unified_accounting.cli.output import error_text
from unified_accounting.errors import AccountingError
from unified_accounting.plugins import CLI_ENTRY_POINT_GROUP, load_plugin, plugin_sources

__all__ = ["CLI_ENTRY_POINT_GROUP", "LazyCommand", "LazyGroup"]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LazyCommand:
    """Where a built-in command lives (module and attribute) and its one-line summary.

    The summary is what ``--help`` lists; a test checks it against the command's own help.
    """

    module: str
    attribute: str
    summary: str

    def load(self) -> click.Command:
        """Import the command's module and return the command."""
        command = getattr(importlib.import_module(self.module), self.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.module}.{self.attribute} is not a click command")
        return command


class LazyGroup(click.Group):
    """A click group of lazily imported commands, built-in and from plugins.

    Plugins register a ``click.Command`` (or group) under the entry-point group
    ``unified_accounting.cli``; a plugin cannot replace a built-in command, and a duplicate
    name is ignored with a warning. Any :class:`~unified_accounting.errors.AccountingError` a
    command raises becomes a clean ``Error: ...`` message on stderr and exit status 1.

    Args:
        lazy_commands: the built-in commands by name.
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def _plugin_sources(self) -> dict[str, str]:
        """Each plugin command's name and distribution; built-in names win."""
        found: dict[str, str] = {}
        for name, source in plugin_sources(CLI_ENTRY_POINT_GROUP).items():
            if name in self.commands or name in self.lazy_commands:
                _log.warning("ignoring duplicate CLI command %r from %s", name, source)
                continue
            found[name] = source
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands,
                       *self._plugin_sources()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        builtin = super().get_command(ctx, cmd_name)
        if builtin is not None:
            return builtin
        if cmd_name in self.lazy_commands:
            command = self.lazy_commands[cmd_name].load()
            self.add_command(command, cmd_name)
            return command
        if cmd_name not in plugin_sources(CLI_ENTRY_POINT_GROUP):
            return None
        # Only the command being run is imported (the shared loader names group and plugin
        # when it fails).
        plugin = load_plugin(CLI_ENTRY_POINT_GROUP, cmd_name)
        if not isinstance(plugin, click.Command):
            raise click.ClickException(f"plugin command {cmd_name!r} is not a click command")
        return plugin

    def _listed(self, ctx: click.Context) -> list[tuple[str, click.Command]]:
        """Each command to list: the command once loaded, else a stand-in with its summary."""
        plugins = self._plugin_sources()
        rows: list[tuple[str, click.Command]] = []
        for name in sorted({*self.commands, *self.lazy_commands, *plugins}):
            if name in self.commands:
                command = self.commands[name]
            elif name in self.lazy_commands:
                command = click.Command(name, help=self.lazy_commands[name].summary)
            else:
                # The plugin's own help would mean importing it; its distribution is metadata.
                command = click.Command(name, help=f"From {plugins[name]}.")
            if not command.hidden:
                rows.append((name, command))
        return rows

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands as click does, from summaries instead of imported commands."""
        rows = self._listed(ctx)
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        lines = [(name, command.get_short_help_str(limit)) for name, command in rows]
        with formatter.section("Commands"):
            formatter.write_dl(lines)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AccountingError as exc:
            raise click.ClickException(error_text(exc)) from exc
