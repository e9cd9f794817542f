"""The ``unified-accounting`` command line.

Provider packages add commands through the entry-point group ``unified_accounting.cli``; each
entry point names a ``click.Command`` (or group) that is attached under its entry-point name.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import click

from unified_accounting import __version__
from unified_accounting.cli_connections import connect, connections

CLI_ENTRY_POINT_GROUP = "unified_accounting.cli"
_log = logging.getLogger(__name__)


class PluginGroup(click.Group):
    """A click group that also offers the commands plugins register, loaded on demand."""

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


@click.group(cls=PluginGroup)
@click.version_option(__version__, prog_name="unified-accounting")
def main() -> None:
    """Talk to your customers' accounting systems through one API."""


main.add_command(connect)
main.add_command(connections)


@main.command()
def demo() -> None:
    """Show the library at work."""
    from unified_accounting.demo import run_demo

    run_demo(click.echo)
