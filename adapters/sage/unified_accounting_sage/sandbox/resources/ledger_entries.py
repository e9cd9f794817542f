"""The general ledger: transactions, their ledger entries, and ``/ledger_entries``.

Every posted document calls :func:`post_transaction` once with its double-entry lines (built
by a rule of :mod:`unified_accounting_sage.sandbox.ledger_rules`): it stores the document's
``/transactions`` record and one ``/ledger_entries`` record per line, refusing a set that does
not balance. :func:`update_transaction` follows the document's later life: a changed document
is reposted and a voided or deleted one reversed.

The ledger is append-only. A reversal never edits or removes an entry: it posts, per date,
ledger account and tax rate, the exact opposite of what the transaction still holds there, and
a repost then adds the new lines. So every transaction's entries, and the whole ledger, sum to
zero at every moment, and a reader that synced the entries once only ever receives new ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from unified_accounting_sage.sandbox.ledger_rules import (
    ControlAccounts,
    DocumentLine,
    Posting,
    imbalance,
    signed,
)
from unified_accounting_sage.sandbox.listing import date_from, date_to, ref_is, since
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.messages import money, path_for, ref, ref_of, to_decimal
from unified_accounting_sage.sandbox.resources.common import getter, touch, unique_index
from unified_accounting_sage.sandbox.resources.lookups import lookup_ref
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.store import Record

__all__ = [
    "ROUTES",
    "bank_ledger_id",
    "control_accounts",
    "document_lines",
    "post_transaction",
    "update_transaction",
]

ENTRIES = "ledger_entries"
ZERO = Decimal(0)


def control_accounts(ctx: Ctx) -> ControlAccounts:
    """The business's control accounts, found by their Sage control names.

    Raises:
        KeyError: the chart has no debtors, creditors or sales tax control account.
    """
    by_name = unique_index(ctx, "ledger_accounts", "control_name")
    return ControlAccounts(
        debtors=by_name["debtors"], creditors=by_name["creditors"],
        sales_tax=by_name["sales_tax"], purchase_tax=by_name.get("purchase_tax"),
        sales_discount=by_name.get("sales_discount"),
        purchase_discount=by_name.get("purchase_discount"),
    )


def bank_ledger_id(ctx: Ctx, bank_account_id: str) -> str:
    """The ledger account behind a bank account (what its money movements post to)."""
    return str(ctx.require("bank_accounts", bank_account_id)["ledger_account"]["id"])


def document_lines(record: Record, key: str) -> list[DocumentLine]:
    """The lines of a stored document (``invoice_lines``, ``credit_note_lines``, ...), as the
    posting rules read them: ledger account, net, tax, tax rate and description."""
    return [
        DocumentLine(
            ledger_account_id=str(line["ledger_account"]["id"]),
            net=to_decimal(line["net_amount"]), tax=to_decimal(line.get("tax_amount") or 0),
            tax_rate_id=(line.get("tax_rate") or {}).get("id"),
            description=line.get("description") or line.get("details"),
        )
        for line in record[key]
    ]


def post_transaction(
    ctx: Ctx, type_id: str, origin_collection: str, origin: Record,
    postings: Iterable[Posting], *, total: Decimal | None = None,
) -> dict[str, str]:
    """Record a posted document's transaction and its ledger entries; return the reference.

    Args:
        ctx: the request context (the business, the clock).
        type_id: the Sage transaction type (``SALES_INVOICE``, ``CUSTOMER_RECEIPT``, ...).
        origin_collection: the document's collection, for the transaction's ``origin``.
        origin: the stored document; its ``date``, ``contact`` and ``reference`` are copied.
        postings: the document's double-entry lines.
        total: the transaction's ``total``; the sum of the debits when not given.

    Raises:
        ValueError: the postings do not balance (a sandbox bug; the client sees a 500).
    """
    lines = _balanced(postings, f"{type_id} {origin.get('displayed_as')}")
    tx_id = new_id()
    type_ref = lookup_ref("transaction_types", type_id) or ref("transaction_types", type_id,
                                                                type_id)
    amount = total if total is not None else sum((p.debit for p in lines), ZERO)
    record: Record = {
        "id": tx_id, "displayed_as": origin.get("reference") or origin["displayed_as"],
        "$path": path_for("transactions", tx_id), "created_at": ctx.stamp,
        "updated_at": ctx.stamp, "date": origin["date"], "deleted": False,
        "reference": origin.get("reference"), "total": money(amount),
        "total_in_transaction_currency": money(amount), "contact": origin.get("contact"),
        "transaction_type": type_ref, "origin": ref_of(origin_collection, origin),
        "audit_trail_id": ctx.store.next_number(f"audit:{ctx.business_id}"),
        "number_of_attachments": 0,
    }
    ctx.store.insert(ctx.business_id, "transactions", record)
    _write_entries(ctx, record, lines, record["date"])
    return ref_of("transactions", record)


def update_transaction(
    ctx: Ctx, link: dict[str, str] | None, *, date: str | None = None,
    total: Decimal | None = None, postings: Iterable[Posting] | None = None,
    contact: dict[str, str] | None = None, deleted: bool = False,
) -> None:
    """Follow a change of a posted document in its transaction and ledger entries.

    Args:
        ctx: the request context.
        link: the document's ``transaction`` reference (nothing happens without one).
        date: the document's date now; a new date moves its postings there.
        total: the transaction's new ``total``.
        postings: the document's lines now; they replace the ones posted.
        contact: the document's contact now (its new postings carry it).
        deleted: the document was voided or deleted: its postings are reversed and the
            transaction marked ``deleted``.

    Raises:
        ValueError: the new postings do not balance.
    """
    record = ctx.get("transactions", link["id"]) if link else None
    if record is None:
        return
    new_date = date or record["date"]
    lines = None if postings is None else _balanced(postings, record["displayed_as"])
    repost = deleted or lines is not None or new_date != record["date"]
    held = _reverse(ctx, record) if repost else []
    if contact is not None:
        record["contact"] = contact  # after the reversal, which keeps the old contact
    if repost and not deleted:
        _write_entries(ctx, record, lines if lines is not None else held, new_date)
    record.update(date=new_date, deleted=record["deleted"] or deleted)
    if total is not None:
        record["total"] = record["total_in_transaction_currency"] = money(total)
    touch(ctx, "transactions", record)


def _balanced(postings: Iterable[Posting], what: str) -> list[Posting]:
    lines = list(postings)
    difference = imbalance(lines)
    if difference:
        raise ValueError(f"the postings of {what} do not balance (difference {difference})")
    return lines


def _entry_index(ctx: Ctx) -> dict[str, list[str]]:
    """Transaction id -> its entry ids, built from the store once, then kept by the writers."""
    indexes: dict[Any, Any] = ctx.caches.indexes
    key = (ctx.business_id, ENTRIES, "transaction")
    index: dict[str, list[str]] | None = indexes.get(key)
    if index is None:
        index = {}
        for entry in ctx.store.collection(ctx.business_id, ENTRIES).ordered():
            index.setdefault(entry["transaction"]["id"], []).append(entry["id"])
        indexes[key] = index
    return index


def _write_entries(ctx: Ctx, tx: Record, postings: Sequence[Posting], date: str) -> None:
    ids = _entry_index(ctx).setdefault(tx["id"], [])
    tx_ref = ref_of("transactions", tx)
    for posting in postings:
        entry = _entry(ctx, tx_ref, tx.get("contact"), posting, date)
        ctx.store.insert(ctx.business_id, ENTRIES, entry)
        ids.append(entry["id"])


def _entry(ctx: Ctx, tx_ref: dict[str, str], contact: Any, posting: Posting,
           date: str) -> Record:
    entry_id = new_id()
    description = posting.description or tx_ref["displayed_as"]
    return {
        "id": entry_id, "displayed_as": description, "$path": path_for(ENTRIES, entry_id),
        "created_at": ctx.stamp, "updated_at": ctx.stamp, "date": date,
        "debit": money(posting.debit), "credit": money(posting.credit),
        "ledger_account": _ref(ctx, "ledger_accounts", posting.ledger_account_id),
        "transaction": tx_ref, "contact": contact, "deleted": False,
        "tax_rate": _ref(ctx, "tax_rates", posting.tax_rate_id), "description": description,
        "journal_code": None,
    }


def _ref(ctx: Ctx, collection: str, record_id: str | None) -> dict[str, str] | None:
    if record_id is None:
        return None
    found = ctx.get(collection, record_id)
    return ref_of(collection, found) if found else ref(collection, record_id, record_id)


def _reverse(ctx: Ctx, tx: Record) -> list[Posting]:
    """Post the opposite of what ``tx`` still holds per date, account and tax rate.

    Returns:
        What was held, summed over dates (the lines a move to another date posts again).
    """
    held: dict[tuple[str, str, str | None], Decimal] = {}
    for entry_id in _entry_index(ctx).get(tx["id"], []):
        entry = ctx.get(ENTRIES, entry_id)
        if entry is None:
            continue
        key = (entry["date"], entry["ledger_account"]["id"],
               (entry.get("tax_rate") or {}).get("id"))
        held[key] = held.get(key, ZERO) + to_decimal(entry["debit"]) - to_decimal(
            entry["credit"])
    label = f"Reversal of {tx['displayed_as']}"
    per_account: dict[tuple[str, str | None], Decimal] = {}
    for (day, account, rate), amount in held.items():
        _write_entries(ctx, tx, signed(account, -amount, label, rate), day)
        per_account[(account, rate)] = per_account.get((account, rate), ZERO) + amount
    return [line for (account, rate), amount in per_account.items()
            for line in signed(account, amount, tx["displayed_as"], rate)]


def _list_entries(ctx: Ctx, key: str | None) -> Reply:
    filters = {
        "updated_or_created_since": since(),
        "from_date": date_from(),
        "to_date": date_to(),
        "ledger_account_id": ref_is("ledger_account"),
        "transaction_id": ref_is("transaction"),
        "transaction_type_id": lambda value: _of_type(ctx, value),
    }
    return _list(ctx, ENTRIES, filters)


def _of_type(ctx: Ctx, type_id: str) -> Any:
    transactions = ctx.store.collection(ctx.business_id, "transactions").by_id
    wanted = {tx_id for tx_id, tx in transactions.items()
              if tx["transaction_type"]["id"] == type_id}
    return lambda entry: entry["transaction"]["id"] in wanted


ROUTES = [
    Route("GET", f"/{ENTRIES}", _list_entries),
    Route("GET", f"/{ENTRIES}/{{key}}", getter(ENTRIES)),
]
