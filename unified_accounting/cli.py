"""The ``unified-accounting`` command line."""

from __future__ import annotations

import click

from unified_accounting import __version__


@click.group()
@click.version_option(__version__, prog_name="unified-accounting")
def main() -> None:
    """Talk to your customers' accounting systems through one API."""


@main.command()
def demo() -> None:
    """Show the library at work."""
    from unified_accounting.demo import run_demo

    run_demo(click.echo)
