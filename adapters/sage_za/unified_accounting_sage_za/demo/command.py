"""The sage_za demo: a sandbox on loopback, a stored login, every step, two syncs."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

import unified_accounting as ua
from unified_accounting.login_credentials import LoginCredentials, save_credentials
from unified_accounting.syncing import SQLiteMirror, StreamResult, Syncer
from unified_accounting_sage_za.demo import steps
from unified_accounting_sage_za.demo.credit_notes import credit_note_allocated
from unified_accounting_sage_za.demo.steps import say, table
from unified_accounting_sage_za.sandbox import SageZASandbox

__all__ = ["demo", "run_demo"]

_COLUMNS = ("resource", "fetched", "inserted", "updated", "unchanged", "deleted", "pages")


def _streams(streams: list[StreamResult]) -> None:
    table(_COLUMNS, [[s.resource, s.fetched, s.inserted, s.updated, s.unchanged, s.deleted,
                      s.pages] for s in streams])


def sync_twice(client: ua.Client, sandbox: SageZASandbox, folder: Path,
               contact: ua.Contact) -> None:
    """Sync into a SQLite mirror, change the customer, and sync again."""
    resources = ["contacts", "ledger_accounts", "tax_rates", "invoices", "payments", "journals",
                 "items", "credit_notes"]
    with SQLiteMirror(folder / "mirror.sqlite3") as mirror:
        syncer = Syncer(mirror, resources=resources, max_workers=1)
        before = sandbox.counters().total_requests
        first = syncer.run(client)
        first.raise_for_errors()
        say(f"First sync into a SQLite mirror: {sandbox.counters().total_requests - before} "
            "requests (100 records a page):")
        _streams(first.streams)
        sandbox.advance_clock(2)
        client.contacts.update(contact.id or "", {"email": "billing@northwind.example"})
        say(f"Changed one record: the e-mail of customer {contact.id}.")
        before = sandbox.counters().total_requests
        second = syncer.run(client)
        second.raise_for_errors()
        say(f"Second sync: {sandbox.counters().total_requests - before} requests; v2 has no "
            "changed-since filter, so lists are read again and Modified compared:")
        _streams(second.streams)
    say(f"Only the change came back: {second.total('updated')} record updated, "
        f"{second.total('inserted')} inserted, {second.total('deleted')} deleted.")


def run_demo(sandbox: SageZASandbox, folder: Path) -> None:
    """Every step against a running sandbox; the login is kept in a SQLite token store."""
    store = ua.SQLiteTokenStore(folder / "tokens.sqlite3")
    save_credentials(store, "demo", "sage_za", LoginCredentials(sandbox.credentials))
    say("Stored the Sage One login (user name, password, API key) in a temporary SQLite "
        "token store; no OAuth in v2.")
    with ua.connect("sage_za", connection="demo", token_store=store,
                    settings=sandbox.settings()) as first:
        [business] = list(first.businesses.list())
        say(f"The login reaches one company (Company/Get): {business.name} ({business.id}, "
            f"{business.country}, {business.base_currency}).")
        mapping = first.extras.suggest_account_mapping()
    say(f"Account mapping suggested for a new ZA company: sales -> {mapping['sales']} "
        f"(Sales), vat -> {mapping['vat']} (VAT Control); connecting with it.")
    with ua.connect("sage_za", connection="demo", token_store=store, business_id=business.id,
                    settings=sandbox.settings(account_mapping=mapping)) as client:
        accounts = {a.name: a.id or "" for a in client.ledger_accounts.list()}
        contact = steps.customer(client)
        steps.invoice_and_receipt(client, contact, mapping)
        credit_note_allocated(client, contact)
        steps.journals(client, accounts, lambda: sandbox.counters().total_requests)
        steps.proxy_call(client)
        say()
        sync_twice(client, sandbox, folder, contact)
        usage = client.extras.daily_usage()
        say(f"Daily budget of the company: {usage['used']} of {usage['budget']} requests used.")
    store.close()


@click.command()
@click.option("--seed", default=0, show_default=True, help="Seed of the sandbox login.")
def demo(seed: int) -> None:
    """Show the sage_za provider at work against its sandbox: records, VAT, allocations,
    credit notes, two-sided journals, proxy and sync."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder, \
            SageZASandbox(seed=seed, limits={"per_minute": 10_000}).running() as sandbox:
        say(f"unified-accounting demo against the Sage ZA v2 sandbox at {sandbox.base_url}")
        run_demo(sandbox, Path(folder))
        say(f"{sandbox.counters().total_requests} requests in all.")
    say(f"Finished in {time.monotonic() - started:.1f} s.")
