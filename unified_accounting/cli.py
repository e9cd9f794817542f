"""The ``unified-accounting`` command line.

Provider packages add commands through the entry-point group ``unified_accounting.cli``; each
entry point names a ``click.Command`` (or group) that is attached under its entry-point name.
Provider packages bring their own tools this way (a local sandbox, a demo).

Conventions: results go to stdout (``--json`` for scripts), progress and errors to stderr;
exit status 0 on success, 1 when the provider or the library refused (``Error: ...``), 2 for
a usage error.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from unified_accounting import __version__
from unified_accounting.cli_common import error_text
from unified_accounting.cli_connections import connect, connections
from unified_accounting.cli_proxy import proxy
from unified_accounting.cli_records import RECORD_COMMANDS, businesses
from unified_accounting.cli_sync import sync
from unified_accounting.errors import AccountingError
from unified_accounting.plugins import CLI_ENTRY_POINT_GROUP, load_plugin, plugin_names

_log = logging.getLogger(__name__)


class PluginGroup(click.Group):
    """A click group that also offers the commands plugins register, loaded on demand.

    Any :class:`~unified_accounting.errors.AccountingError` a command raises becomes a clean
    ``Error: ...`` message on stderr and exit status 1.
    """

    def _plugin_names(self) -> list[str]:
        found: list[str] = []
        for name in plugin_names(CLI_ENTRY_POINT_GROUP):
            if name in self.commands:
                _log.warning("ignoring the CLI plugin %r: a built-in command has that name", name)
                continue
            found.append(name)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_names()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        builtin = super().get_command(ctx, cmd_name)
        if builtin is not None:
            return builtin
        if cmd_name not in plugin_names(CLI_ENTRY_POINT_GROUP):
            return None
        # Only the command being run is imported; --help lists names without importing any.
        command = load_plugin(CLI_ENTRY_POINT_GROUP, cmd_name)
        if not isinstance(command, click.Command):
            raise click.ClickException(f"plugin command {cmd_name!r} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AccountingError as exc:
            raise click.ClickException(error_text(exc)) from exc


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unified-accounting")
def main() -> None:
    """Talk to your customers' accounting systems through one API."""


for _command in (connect, connections, businesses, sync, proxy, *RECORD_COMMANDS):
    main.add_command(_command)
