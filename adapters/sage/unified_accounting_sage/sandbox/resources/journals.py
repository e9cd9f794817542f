"""journals: balanced multi-line entries, each posted as one transaction."""

from __future__ import annotations

from typing import Any

from unified_accounting_sage.sandbox.amounts import journal_totals
from unified_accounting_sage.sandbox.errors import invalid
from unified_accounting_sage.sandbox.ledger_rules import Posting, journal
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.listing import since
from unified_accounting_sage.sandbox.messages import money, path_for, to_decimal
from unified_accounting_sage.sandbox.resources.common import delete_record, getter, linked
from unified_accounting_sage.sandbox.resources.ledger_entries import (
    post_transaction,
    update_transaction,
)
from unified_accounting_sage.sandbox.resources.lookups import lookup_ref
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate


def _lines(ctx: Ctx, lines: list[dict[str, Any]]) -> list[Record]:
    built = []
    for index, line in enumerate(lines):
        source = f"journal_lines.{index}"
        debit, credit = to_decimal(line["debit"]), to_decimal(line["credit"])
        if debit < 0 or credit < 0:
            raise invalid(source, "Debit and credit must not be negative")
        if debit and credit:
            raise invalid(source, "A line is either a debit or a credit, not both")
        if not debit and not credit:
            raise invalid(source, "A line needs a debit or a credit")
        ledger = linked(ctx, "ledger_accounts", line["ledger_account_id"],
                        f"{source}.ledger_account_id")
        built.append({
            "id": new_id(), "displayed_as": line.get("details") or "", "ledger_account": ledger,
            "details": line.get("details"), "debit": money(debit), "credit": money(credit),
            "include_on_tax_return": bool(line.get("include_on_tax_return")),
            "tax_reconciled": False, "cleared": False, "bank_reconciled": False,
        })
    return built


def new_journal(ctx: Ctx, data: dict[str, Any]) -> Record:
    """Validate a create body and store a balanced journal.

    Raises:
        SageError: 422 when debits and credits differ (naming both totals) or a line is
            invalid; 404 for an unknown ledger account.
    """
    validate("journal", data)
    lines = _lines(ctx, data["journal_lines"])
    debits, credits = journal_totals(
        (to_decimal(line["debit"]), to_decimal(line["credit"])) for line in lines)
    if debits != credits:
        raise invalid("journal_lines", (
            f"The journal does not balance: debits {money(debits)}, credits {money(credits)}, "
            f"difference {money(debits - credits)}"))
    record_id = new_id()
    record: Record = {
        "id": record_id, "displayed_as": data["reference"],
        "$path": path_for("journals", record_id), "created_at": ctx.stamp,
        "updated_at": ctx.stamp, "deleted_at": None, "links": [],
        "transaction_type": lookup_ref("transaction_types", "JOURNAL"),
        "date": data["date"], "reference": data["reference"],
        "description": data.get("description"), "total": money(debits),
        "journal_code": None, "migrated": False, "journal_lines": lines,
    }
    record["transaction"] = post_transaction(ctx, "JOURNAL", "journals", record,
                                             postings(record), total=debits)
    ctx.store.insert(ctx.business_id, "journals", record)
    return record


def postings(journal_record: Record) -> list[Posting]:
    """The double entry of a stored journal: its own lines."""
    return journal(
        (line["ledger_account"]["id"], to_decimal(line["debit"]), to_decimal(line["credit"]),
         line.get("details") or journal_record["reference"])
        for line in journal_record["journal_lines"])


def _delete(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require("journals", key)
    update_transaction(ctx, record["transaction"], deleted=True)
    delete_record(ctx, "journals", record)
    return 204, None


ROUTES = [
    Route("GET", "/journals", lambda ctx, key: _list(
        ctx, "journals", {"updated_or_created_since": since()}, deletable=True)),
    Route("POST", "/journals", lambda ctx, key: (201, new_journal(ctx, ctx.wrapped("journal"))),
          wrapper="journal"),
    Route("GET", "/journals/{key}", getter("journals")),
    Route("DELETE", "/journals/{key}", _delete),
]
