"""``sandbox serve --provider NAME`` and ``demo --provider NAME``: tools a provider brings.

A provider package registers its sandbox server and its demo as click commands under its
own name in the entry-point groups ``unified_accounting.sandboxes`` and
``unified_accounting.demos``. The core has one ``sandbox serve`` and one ``demo`` command; it
loads the chosen provider's command (through the one plugin loader) and hands it the
remaining arguments, so every option after ``--provider NAME`` is the provider's own
(``demo --provider sage_za --help`` shows them). Without ``--provider`` the first provider,
by name, that offers the tool is used.
"""

from __future__ import annotations

import click

from unified_accounting.plugins import (
    DEMO_ENTRY_POINT_GROUP,
    SANDBOX_ENTRY_POINT_GROUP,
    load_plugin,
    plugin_names,
)

__all__ = ["demo", "sandbox"]

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True,
                 "help_option_names": []}


def _provider_command(group: str, tool: str, provider: str | None) -> tuple[str, click.Command]:
    names = plugin_names(group)
    if not names:
        raise click.ClickException(f"no installed provider offers a {tool}")
    chosen = provider or names[0]
    if chosen not in names:
        raise click.BadParameter(f"{chosen!r} offers no {tool}; these do: {', '.join(names)}",
                                 param_hint="--provider")
    command = load_plugin(group, chosen)
    if not isinstance(command, click.Command):
        raise click.ClickException(f"the {tool} of {chosen!r} is not a click command")
    return chosen, command


def _run(ctx: click.Context, group: str, tool: str, provider: str | None, prog: str) -> None:
    chosen, command = _provider_command(group, tool, provider)
    command.main(args=list(ctx.args), prog_name=f"{prog} --provider {chosen}",
                 standalone_mode=False)


@click.command(context_settings=_PASS_THROUGH)
@click.option("--provider", metavar="NAME",
              help="Whose demo to run (default: the first provider, by name, that has one).")
@click.pass_context
def demo(ctx: click.Context, provider: str | None) -> None:
    """Show the library at work against a provider's local sandbox.

    Options after --provider NAME are the provider's (see demo --provider NAME --help).
    """
    _run(ctx, DEMO_ENTRY_POINT_GROUP, "demo", provider, "unified-accounting demo")


@click.group()
def sandbox() -> None:
    """Run a provider's local sandbox."""


@sandbox.command(context_settings=_PASS_THROUGH)
@click.option("--provider", metavar="NAME",
              help="Whose sandbox to serve (default: the first provider, by name, that has one).")
@click.pass_context
def serve(ctx: click.Context, provider: str | None) -> None:
    """Serve a provider's sandbox on loopback until interrupted.

    Options after --provider NAME are the provider's (see sandbox serve --provider NAME --help).
    """
    _run(ctx, SANDBOX_ENTRY_POINT_GROUP, "sandbox", provider, "unified-accounting sandbox serve")
