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
from importlib.metadata import entry_points
from typing import Any

import click

from unified_accounting import __version__
from unified_accounting.cli.connections import connect, connections
from unified_accounting.cli.output import error_text
from unified_accounting.cli.proxy import proxy
from unified_accounting.cli.records import RECORD_COMMANDS, businesses
from unified_accounting.cli.sync import sync
from unified_accounting.errors import AccountingError

CLI_ENTRY_POINT_GROUP = "unified_accounting.cli"
_log = logging.getLogger(__name__)


class PluginGroup(click.Group):
    """A click group that also offers the commands plugins register, loaded on demand.

    Any :class:`~unified_accounting.errors.AccountingError` a command raises becomes a clean
    ``Error: ...`` message on stderr and exit status 1.
    """

    def _plugin_names(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for ep in entry_points(group=CLI_ENTRY_POINT_GROUP):
            if ep.name in self.commands or ep.name in found:
                _log.warning("ignoring duplicate CLI command %r from %s", ep.name, ep.value)
                continue
            found[ep.name] = ep.value
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_names()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        builtin = super().get_command(ctx, cmd_name)
        if builtin is not None:
            return builtin
        for ep in entry_points(group=CLI_ENTRY_POINT_GROUP, name=cmd_name):
            command = ep.load()
            if not isinstance(command, click.Command):
                raise click.ClickException(f"plugin command {cmd_name!r} is not a click command")
            return command
        return None

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
