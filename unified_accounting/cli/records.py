"""Record commands: ``businesses``, ``contacts|invoices|payments|journals|credit-notes|items
list|get|create``, ``credit-notes allocate`` and ``ledger_entries list|get`` (read-only).

They are for quick work at a terminal; products use the Python API. ``create`` reads a JSON
file (or ``-`` for stdin), checks it against the published JSON Schema and reads it through
``ua.load``, so a record is validated before any request. The resources with commands are
the keys of :data:`COLUMNS`, each with the table its ``list`` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

import click

from unified_accounting.cli.options import ClientOptions, client_options, json_option, open_client
from unified_accounting.cli.output import echo_json, echo_table
from unified_accounting.cli.parsing import parse_pairs, read_json_file
from unified_accounting.client import Resource
from unified_accounting.json_validation import validate_json
from unified_accounting.models import CreditNoteAllocation, Model
from unified_accounting.provider import RESOURCE_KINDS
from unified_accounting.validation import dump, load

__all__ = ["attachments", "businesses", "contacts", "credit_notes", "invoices", "items",
           "journals", "ledger_entries", "payments"]

Row = Callable[[dict[str, Any]], list[Any]]


def _debits(doc: dict[str, Any]) -> Decimal:
    return sum((Decimal(str(line["debit"])) for line in doc["lines"]), Decimal("0"))


def _roles(doc: dict[str, Any]) -> str:
    roles = [name for name in ("customer", "supplier") if doc.get(f"is_{name}")]
    return ",".join(roles)


# Resource -> (table headers, how a dumped record fills a row).
COLUMNS: Mapping[str, tuple[tuple[str, ...], Row]] = {
    "contacts": (("id", "name", "reference", "roles", "email", "updated"),
                 lambda d: [d["id"], d["name"], d["reference"], _roles(d), d["email"],
                            d["updated_at"]]),
    "invoices": (("id", "type", "number", "contact", "date", "total", "due", "status"),
                 lambda d: [d["id"], d["type"], d["number"], d["contact_id"], d["issue_date"],
                            d["total_amount"], d["amount_due"], d["status"]]),
    "payments": (("id", "type", "contact", "date", "amount", "allocations"),
                 lambda d: [d["id"], d["type"], d["contact_id"], d["date"], d["amount"],
                            len(d["allocations"])]),
    "journals": (("id", "date", "reference", "lines", "debits", "description"),
                 lambda d: [d["id"], d["date"], d["reference"], len(d["lines"]), _debits(d),
                            d["description"]]),
    "ledger_entries": (("id", "date", "account", "debit", "credit", "type", "description"),
                       lambda d: [d["id"], d["date"], d["ledger_account_id"], d["debit"],
                                  d["credit"], d["transaction_type"], d["description"]]),
    "credit_notes": (("id", "type", "number", "contact", "date", "total", "remaining",
                      "status"),
                     lambda d: [d["id"], d["type"], d["number"], d["contact_id"],
                                d["issue_date"], d["total_amount"], d["amount_remaining"],
                                d["status"]]),
    "items": (("id", "type", "code", "description", "sales price", "purchase price", "active"),
              lambda d: [d["id"], d["type"], d["code"], d["description"], d["sales_price"],
                         d["purchase_price"], "yes" if d["is_active"] else "no"]),
    "attachments": (("id", "file name", "type", "bytes", "attached to", "description"),
                    lambda d: [d["id"], d["file_name"], d["mime_type"], d["size"],
                               f"{d['attached_to_kind']} {d['attached_to_id']}",
                               d["description"]]),
}


def _trimmed(document: Any) -> Any:
    """Drop empty values so that a record printed for a person shows what it holds."""
    if isinstance(document, dict):
        return {k: _trimmed(v) for k, v in document.items()
                if v not in (None, [], {}) and k != "remote_data"}
    if isinstance(document, list):
        return [_trimmed(item) for item in document]
    return document


def _filters(pairs: tuple[str, ...], updated_since: datetime | None) -> dict[str, Any]:
    filters: dict[str, Any] = dict(parse_pairs(pairs, "--filter"))
    if updated_since is not None:
        # click reads a naive time; the option says UTC.
        filters["updated_since"] = updated_since.replace(tzinfo=UTC)
    return filters


def _show(model: Model, as_json: bool) -> None:
    document = dump(model)
    echo_json(document if as_json else _trimmed(document))


def _record_group(resource: str, *, writable: bool = True,
                  name: str | None = None) -> click.Group:
    """``name`` is the command's name when it is not the resource's with dashes."""
    kind = RESOURCE_KINDS[resource]
    headers, row = COLUMNS[resource]
    words = resource.replace("_", " ")
    verbs = "List, show and create" if writable else "List and show"

    @click.group(name=name or resource.replace("_", "-"), help=f"{verbs} {words}.")
    def group() -> None:
        pass

    def target(client: Any) -> Resource[Any]:
        found: Resource[Any] = getattr(client, resource)
        return found

    @group.command("list")
    @client_options()
    @click.option("--updated-since", type=click.DateTime(), default=None,
                  help="Only records created or changed since then (UTC).")
    @click.option("--filter", "pairs", multiple=True, metavar="NAME=VALUE",
                  help="A provider-supported filter (repeatable).")
    @click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N records.")
    @json_option
    def list_records(conn: ClientOptions, updated_since: datetime | None,
                     pairs: tuple[str, ...], limit: int | None, as_json: bool) -> None:
        """List records; pages are fetched as they are needed."""
        filters = _filters(pairs, updated_since)
        with open_client(conn) as client:
            documents = [dump(m) for m in islice(target(client).list(**filters), limit)]
        if as_json:
            echo_json(documents)
        else:
            echo_table(headers, [row(d) for d in documents], empty=f"No {words}.")

    @group.command("get")
    @click.argument("record_id", metavar="ID")
    @client_options()
    @json_option
    def get_record(record_id: str, conn: ClientOptions, as_json: bool) -> None:
        """Show one record by its provider id."""
        with open_client(conn) as client:
            _show(target(client).get(record_id), as_json)

    if writable:
        group.add_command(_create_command(kind, target))
    return group


def _create_command(kind: str, target: Callable[[Any], Resource[Any]]) -> click.Command:
    @click.command("create")
    @click.argument("file", metavar="FILE")
    @client_options()
    @json_option
    def create_record(file: str, conn: ClientOptions, as_json: bool) -> None:
        """Create a record from a JSON FILE (``-``: stdin), validated before it is sent."""
        model = load(kind, validate_json(kind, read_json_file(file, "FILE")))
        with open_client(conn) as client:
            created = target(client).create(model)
        if as_json:
            echo_json(dump(created))
        else:
            click.echo(f"Created {kind.replace('_', ' ')} {created.id}.")

    return create_record


contacts = _record_group("contacts")
invoices = _record_group("invoices")
payments = _record_group("payments")
journals = _record_group("journals")
ledger_entries = _record_group("ledger_entries", writable=False, name="ledger_entries")
credit_notes = _record_group("credit_notes")
items = _record_group("items")
# Uploads need a file, not a JSON record: see unified_accounting.cli.attachments.
attachments = _record_group("attachments", writable=False)


def _allocation(invoice_id: str, amount: str) -> CreditNoteAllocation:
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise click.BadParameter(f"{amount!r} is not an amount", param_hint="ALLOCATION") from None
    return CreditNoteAllocation(invoice_id=invoice_id, amount=value)


@credit_notes.command("allocate")
@click.argument("credit_note_id", metavar="ID")
@click.argument("pairs", nargs=-1, required=True, metavar="INVOICE_ID=AMOUNT...")
@client_options()
@json_option
def allocate_credit_note(credit_note_id: str, pairs: tuple[str, ...], conn: ClientOptions,
                         as_json: bool) -> None:
    """Set credit note ID against invoices of its contact, AMOUNT (e.g. 30.00) each.

    Every allocation is checked against the credit note and the invoices before anything is
    written; the credit note as the provider then stores it is shown.
    """
    allocations = [_allocation(key, value) for key, value in parse_pairs(pairs, "ALLOCATION")]
    with open_client(conn) as client:
        note = client.credit_notes.allocate(credit_note_id, allocations)
    if as_json:
        echo_json(dump(note))
    else:
        shown = dump(note)
        click.echo(f"Allocated; credit note {note.id} has {shown['amount_remaining']} left "
                   f"({note.status}).")


@click.command()
@client_options()
@json_option
def businesses(conn: ClientOptions, as_json: bool) -> None:
    """List the businesses the connection's user can reach."""
    with open_client(conn, select_business=False) as client:
        found = [dump(b) for b in client.businesses.list()]
    if as_json:
        echo_json(found)
        return
    rows = [[b["id"], b["name"], b["country"], b["base_currency"], "yes" if b["is_lead"] else ""]
            for b in found]
    echo_table(("id", "name", "country", "currency", "lead"), rows, empty="No businesses.")
