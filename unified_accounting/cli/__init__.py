"""The ``unified-accounting`` command line.

Each command group lives in its own module (``connections``, ``records``, ``reports``,
``sync``, ``proxy``, ``webhooks``, ``outbox``), imported only when one of its commands runs, so
``unified-accounting --help`` loads click and little else. Provider packages add commands
through the entry-point group ``unified_accounting.cli``; each entry point names a
``click.Command`` (or group) that is attached under its entry-point name. A provider's local
sandbox and demo are registered under the provider's name in ``unified_accounting.sandboxes``
and ``unified_accounting.demos`` and run by the core's ``sandbox serve --provider NAME`` and
``demo --provider NAME``.

Conventions: results go to stdout (``--json`` for scripts), progress and errors to stderr;
exit status 0 on success, 1 when the provider or the library refused (``Error: ...``), 2 for
a usage error.
"""

from __future__ import annotations

import click

from unified_accounting import __version__
from unified_accounting.cli.lazy_group import CLI_ENTRY_POINT_GROUP, LazyCommand, LazyGroup

__all__ = ["BUILTIN_COMMANDS", "CLI_ENTRY_POINT_GROUP", "main"]


def _records(resource: str) -> LazyCommand:
    return LazyCommand("unified_accounting.cli.records", resource,
                       f"List, show and create {resource.replace('_', ' ')}.")


BUILTIN_COMMANDS: dict[str, LazyCommand] = {
    "connect": LazyCommand(
        "unified_accounting.cli.connections", "connect",
        "Authorize PROVIDER in a browser and store the tokens as a connection."),
    "connections": LazyCommand(
        "unified_accounting.cli.connections", "connections",
        "List, inspect and revoke stored connections."),
    "businesses": LazyCommand(
        "unified_accounting.cli.records", "businesses",
        "List the businesses the connection's user can reach."),
    "sync": LazyCommand(
        "unified_accounting.cli.sync", "sync",
        "Sync records of one or more businesses into a local SQLite mirror."),
    "proxy": LazyCommand(
        "unified_accounting.cli.proxy", "proxy",
        "Send METHOD PATH to the provider's API and print the JSON answer."),
    "sandbox": LazyCommand(
        "unified_accounting.cli.provider_tools", "sandbox", "Run a provider's local sandbox."),
    "demo": LazyCommand(
        "unified_accounting.cli.provider_tools", "demo",
        "Show the library at work against a provider's local sandbox."),
    **{resource: _records(resource)
       for resource in ("contacts", "invoices", "payments", "journals")},
    "ledger_entries": LazyCommand("unified_accounting.cli.records", "ledger_entries",
                                  "List and show ledger entries."),
    "trial-balance": LazyCommand(
        "unified_accounting.cli.reports", "trial_balance",
        "Print every ledger account's balance at the end of a day."),
    "webhooks": LazyCommand(
        "unified_accounting.cli.webhooks", "webhooks",
        "Send change events to registered URLs, signed (Standard Webhooks)."),
    "outbox": LazyCommand(
        "unified_accounting.cli.outbox", "outbox",
        "Deliver queued writes, and inspect, retry or cancel them."),
    "credit-notes": _records("credit_notes"),
    "items": _records("items"),
    "attachments": LazyCommand(
        "unified_accounting.cli.attachments", "attachments",
        "List, show, upload, download and delete attachments."),
}


@click.group(cls=LazyGroup, lazy_commands=BUILTIN_COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unified-accounting")
def main() -> None:
    """Talk to your customers' accounting systems through one API."""
