"""The ``demo`` command: where to run, then every step in order."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from datetime import date

import click

import unified_accounting as ua
from unified_accounting.cli.options import RequestCounter
from unified_accounting.cli.parsing import read_json_file
from unified_accounting.credentials import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from unified_accounting.tokens.registry import STORE_ENV
from unified_accounting_sage.demo import steps
from unified_accounting_sage.demo.steps import say
from unified_accounting_sage.demo.syncing import sync_twice
from unified_accounting_sage.demo.target import DemoTarget, embedded_sandbox, stored_connection

__all__ = ["demo", "run_demo"]


def run_demo(target: DemoTarget) -> None:
    """Run every step against ``target``, printing what happens."""
    counter = RequestCounter()
    try:
        with ua.connect("sage", connection=target.connection, token_store=target.token_store,
                        settings=target.settings, client_id=target.client_id,
                        client_secret=target.client_secret, select_business=False,
                        session=counter.session) as user:
            business = steps.choose_business(user, target.business_id)
            client = user.for_business(business.id or "")
            _steps(client, target, counter)
    finally:
        counter.session.close()
    say(f"{counter.count} requests in all.")


def _steps(client: ua.Client, target: DemoTarget, counter: RequestCounter) -> None:
    say()
    contact = steps.customer(client)
    steps.standard_rate(client)
    steps.map_accounts(client)
    steps.invoice_and_receipt(client, contact)
    steps.journals(client, counter, target)
    steps.financial_settings(client)
    say()
    sync_twice(client, target, contact, counter)
    say()
    steps.trial_balance(client, date.today())


def _target(connection: str | None, store: str | None, business: str | None,
            settings_file: str | None, client_id: str | None,
            client_secret: str | None) -> AbstractContextManager[DemoTarget]:
    if connection is None:
        if store or business or settings_file:
            raise click.UsageError("--store, --business and --settings need --connection")
        return embedded_sandbox()
    settings = read_json_file(settings_file, "--settings") if settings_file else {}
    if not isinstance(settings, dict):
        raise click.BadParameter("must hold a JSON object", param_hint="--settings")
    return stored_connection(connection=connection, store_url=store, business_id=business,
                             settings=settings, client_id=client_id,
                             client_secret=client_secret)


@click.command()
@click.option("--connection", metavar="NAME",
              help="Run against the Sage business this stored connection reaches instead of "
              "the embedded sandbox (authorize it first: unified-accounting connect sage).")
@click.option("--store", envvar=STORE_ENV, metavar="URL",
              help="Token store holding the connection (default: local SQLite).")
@click.option("--business", metavar="ID", help="Business to use (default: the GB one).")
@click.option("--settings", "settings_file", metavar="FILE",
              help="JSON file of Sage settings (default: Sage's public URLs).")
@click.option("--client-id", envvar=CLIENT_ID_ENV, help="OAuth client id.")
@click.option("--client-secret", envvar=CLIENT_SECRET_ENV, help="OAuth client secret.")
def demo(connection: str | None, store: str | None, business: str | None,
         settings_file: str | None, client_id: str | None, client_secret: str | None) -> None:
    """Show the library at work: OAuth, records, tax, mappings, proxy and sync.

    Without options it starts the embedded Sage sandbox on a free loopback port and creates
    data there. With --connection it does the same in a real Sage business: use a trial
    business, as it creates a customer, an invoice, a receipt and a journal.
    """
    started = time.monotonic()
    with _target(connection, store, business, settings_file, client_id,
                 client_secret) as target:
        say(f"unified-accounting demo against {target.description}")
        if target.sandbox is not None:
            say("Authorized the connection with the OAuth code flow (consent followed without "
                "a browser); tokens are in a temporary SQLite token store.")
        say()
        run_demo(target)
    say(f"Finished in {time.monotonic() - started:.1f} s.")
