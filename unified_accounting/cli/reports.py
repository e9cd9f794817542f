"""Report commands: ``trial-balance``."""

from __future__ import annotations

from datetime import datetime

import click

from unified_accounting.cli.options import ClientOptions, client_options, json_option, open_client
from unified_accounting.cli.output import echo_json, echo_table
from unified_accounting.validation import dump

__all__ = ["trial_balance"]


@click.command("trial-balance")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="The last day counted (YYYY-MM-DD).")
@client_options()
@json_option
def trial_balance(as_of: datetime, conn: ClientOptions, as_json: bool) -> None:
    """Print every ledger account's balance at the end of a day."""
    with open_client(conn) as client:
        document = dump(client.reports.trial_balance(as_of=as_of.date()))
    if as_json:
        echo_json(document)
        return
    rows = [[line["code"], line["name"], line["debit"], line["credit"]]
            for line in document["lines"]]
    if rows:
        rows.append(["", "Total", document["total_debit"], document["total_credit"]])
    echo_table(("code", "account", "debit", "credit"), rows,
               empty=f"No balances at {document['as_of']}.")
