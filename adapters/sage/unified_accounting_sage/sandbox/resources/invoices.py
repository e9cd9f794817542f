"""sales_invoices and purchase_invoices: lines, tax, totals, status, release, void, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from unified_accounting_sage.sandbox.amounts import LineAmounts, line_amounts, totals
from unified_accounting_sage.sandbox.errors import blank, invalid
from unified_accounting_sage.sandbox.ledger_rules import Posting, purchase_invoice, sales_invoice
from unified_accounting_sage.sandbox.listing import date_from, date_to, ref_is, search, since
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.messages import money, parse_date, path_for, ref_of, to_decimal
from unified_accounting_sage.sandbox.resources.common import (
    delete_record,
    getter,
    linked,
    looked_up,
    pick,
    touch,
)
from unified_accounting_sage.sandbox.resources.ledger_entries import (
    control_accounts,
    document_lines,
    post_transaction,
    update_transaction,
)
from unified_accounting_sage.sandbox.resources.lookups import lookup_ref
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate


@dataclass(frozen=True)
class Kind:
    """What differs between sales and purchase invoices."""

    collection: str
    wrapper: str
    contact_type: str
    transaction_type: str
    prefix: str
    void_on_delete: bool


SALES = Kind("sales_invoices", "sales_invoice", "CUSTOMER", "SALES_INVOICE", "SI-", True)
PURCHASE = Kind("purchase_invoices", "purchase_invoice", "VENDOR", "PURCHASE_INVOICE", "PI-",
                False)
_TEXT = ("reference", "notes", "terms_and_conditions", "contact_name", "contact_reference",
         "vendor_reference", "sent", "date", "due_date")
_ROLE = {"CUSTOMER": "a customer", "VENDOR": "a supplier"}


def status_ref(status_id: str) -> dict[str, str]:
    """The reference of an artefact status."""
    found = lookup_ref("artefact_statuses", status_id)
    assert found is not None
    return found


def adjust_balance(ctx: Ctx, contact_id: str, delta: Decimal) -> None:
    """Move a contact's balance by what it owes or is owed."""
    contact = ctx.get("contacts", contact_id)
    if contact is not None and delta:
        contact["balance"] = money(to_decimal(contact["balance"]) + delta)
        ctx.store.save(ctx.business_id, "contacts", contact)


def _contact(ctx: Ctx, kind: Kind, contact_id: Any) -> Record:
    contact = ctx.require("contacts", contact_id, "contact_id")
    if all(item["id"] != kind.contact_type for item in contact["contact_types"]):
        raise invalid("contact_id", f"The contact must be {_ROLE[kind.contact_type]}")
    return contact


def _line(ctx: Ctx, index: int, data: dict[str, Any]) -> tuple[Record, LineAmounts, Any]:
    source = f"invoice_lines.{index}"
    ledger = linked(ctx, "ledger_accounts", data["ledger_account_id"],
                    f"{source}.ledger_account_id")
    rate = ctx.require("tax_rates", data["tax_rate_id"], f"{source}.tax_rate_id") if (
        data.get("tax_rate_id") is not None) else None
    quantity = to_decimal(data.get("quantity") if data.get("quantity") is not None else 1)
    unit_price = to_decimal(data["unit_price"])
    discount = to_decimal(data.get("discount_amount") or 0)
    given_tax = data.get("tax_amount")
    amounts = line_amounts(
        quantity, unit_price, to_decimal(rate["percentage"]) if rate else Decimal(0),
        discount=discount, includes_tax=bool(data.get("unit_price_includes_tax")),
        tax_amount=to_decimal(given_tax) if given_tax is not None else None,
    )
    rate_ref = ref_of("tax_rates", rate) if rate else None
    line = {
        "id": new_id(), "displayed_as": data["description"], "description": data["description"],
        "product": None, "service": None, "ledger_account": ledger,
        "quantity": money(quantity), "unit_price": money(unit_price),
        "unit_price_includes_tax": bool(data.get("unit_price_includes_tax")),
        "discount_amount": money(discount), "net_amount": money(amounts.net),
        "tax_rate": rate_ref, "tax_amount": money(amounts.tax),
        "total_amount": money(amounts.total),
        "tax_breakdown": [{"tax_rate": rate_ref, "percentage": rate["percentage"],
                           "amount": money(amounts.tax)}] if rate else [],
    }
    return line, amounts, rate_ref


def _apply_lines(ctx: Ctx, record: Record, lines_data: list[dict[str, Any]]) -> None:
    built = [_line(ctx, index, data) for index, data in enumerate(lines_data)]
    analysis: dict[str | None, tuple[Any, list[LineAmounts]]] = {}
    for _, amounts, rate_ref in built:
        key = rate_ref["id"] if rate_ref else None
        analysis.setdefault(key, (rate_ref, []))[1].append(amounts)
    total = totals(amounts for _, amounts, _ in built)
    record["invoice_lines"] = [line for line, _, _ in built]
    record["tax_analysis"] = [
        {"tax_rate": rate_ref, "net_amount": money(t.net), "tax_amount": money(t.tax),
         "total_amount": money(t.total)}
        for rate_ref, group in analysis.values() for t in [totals(group)]
    ]
    record["net_amount"], record["tax_amount"] = money(total.net), money(total.tax)
    record["total_amount"] = money(total.total)
    record["total_quantity"] = money(sum((to_decimal(line["quantity"]) for line, _, _ in built),
                                         Decimal(0)))
    record["outstanding_amount"] = money(total.total - to_decimal(record["total_paid"]))


def _check_dates(record: Record) -> None:
    if record.get("due_date") and parse_date(record["due_date"]) < parse_date(record["date"]):
        raise invalid("due_date", "must be on or after the invoice date")


def new_invoice(ctx: Ctx, kind: Kind, data: dict[str, Any]) -> Record:
    """Validate a create body and store the invoice (also used by bulk seeding).

    Raises:
        SageError: 422 for invalid fields or a contact of the wrong type, 404 for unknown ids.
    """
    if not ctx.trusted:
        validate(kind.wrapper, data)
    contact = _contact(ctx, kind, data["contact_id"])
    status = data.get("status_id") or "UNPAID"
    if status not in ("DRAFT", "UNPAID"):
        raise invalid("status_id", "is not included in the list")
    settings = ctx.require("financial_settings", "financial_settings")
    currency = looked_up("currencies", data.get("currency_id") or
                         settings["base_currency"]["id"], "currency_id")
    record_id = new_id()
    record: Record = {
        "id": record_id, "$path": path_for(kind.collection, record_id),
        "created_at": ctx.stamp, "updated_at": ctx.stamp, "deleted_at": None, "links": [],
        "transaction": None, "transaction_type": lookup_ref("transaction_types",
                                                            kind.transaction_type),
        "contact": ref_of("contacts", contact), "contact_name": contact["name"],
        "contact_reference": contact.get("reference"), "reference": None, "notes": None,
        "currency": currency, "exchange_rate": money(to_decimal(data.get("exchange_rate") or 1)),
        "total_paid": "0.0", "payments_allocations": [], "last_paid": None,
        "status": status_ref(status), "sent": False, "void_reason": None, "editable": True,
    }
    pick(data, record, _TEXT)
    _name(ctx, kind, record, data)
    if not record.get("due_date"):
        days = contact.get("credit_days")
        due = parse_date(data["date"]) + timedelta(days=30 if days is None else int(days))
        record["due_date"] = due.isoformat()
    _check_dates(record)
    _apply_lines(ctx, record, data["invoice_lines"])
    if status != "DRAFT":
        _post(ctx, kind, record)
    ctx.store.insert(ctx.business_id, kind.collection, record)
    return record


def _name(ctx: Ctx, kind: Kind, record: Record, data: dict[str, Any]) -> None:
    """Number a sales invoice; show a purchase invoice by the supplier's reference."""
    if kind is SALES:
        number = ctx.store.next_number(f"{kind.collection}:{ctx.business_id}")
        prefix = data.get("invoice_number_prefix") or kind.prefix
        record["invoice_number"] = data.get("invoice_number") or f"{prefix}{number}"
        record["displayed_as"] = record["invoice_number"]
    else:
        # Only an invoice without a reference of its own takes (and so moves) the sequence.
        record["displayed_as"] = record.get("vendor_reference") or record.get("reference") or (
            f"{kind.prefix}{ctx.store.next_number(f'{kind.collection}:{ctx.business_id}')}")


def postings(ctx: Ctx, kind: Kind, record: Record) -> list[Posting]:
    """The double entry of a stored invoice: debtors (creditors) against its lines and tax."""
    rule = sales_invoice if kind is SALES else purchase_invoice
    return rule(control_accounts(ctx), document_lines(record, "invoice_lines"),
                record["displayed_as"])


def _post(ctx: Ctx, kind: Kind, record: Record) -> None:
    record["transaction"] = post_transaction(
        ctx, kind.transaction_type, kind.collection, record, postings(ctx, kind, record),
        total=to_decimal(record["total_amount"]))
    adjust_balance(ctx, record["contact"]["id"], to_decimal(record["outstanding_amount"]))


def _create(kind: Kind) -> Any:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        return 201, new_invoice(ctx, kind, ctx.wrapped(kind.wrapper))

    return handler


def _update(kind: Kind) -> Any:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        record = ctx.require(kind.collection, key)
        data = ctx.wrapped(kind.wrapper)
        validate(f"{kind.wrapper}.update", data)
        if record["status"]["id"] == "VOID" or to_decimal(record["total_paid"]) > 0:
            raise invalid("base", "A void or paid invoice cannot be edited")
        before = to_decimal(record["outstanding_amount"])
        contact = record["contact"]
        if data.get("contact_id") is not None:
            contact = ref_of("contacts", _contact(ctx, kind, data["contact_id"]))
        _check_dates({**record, **{k: v for k, v in data.items() if k in _TEXT}})
        if data.get("invoice_lines"):
            _apply_lines(ctx, record, data["invoice_lines"])
        changed = bool(data.get("invoice_lines")) or contact["id"] != record["contact"]["id"] or (
            data.get("date") not in (None, record["date"]))
        pick(data, record, _TEXT)
        if record["status"]["id"] != "DRAFT":
            _repost(ctx, kind, record, contact, before, changed)
        record["contact"] = contact
        touch(ctx, kind.collection, record)
        return 200, record

    return handler


def _repost(ctx: Ctx, kind: Kind, record: Record, contact: dict[str, str], before: Decimal,
            changed: bool) -> None:
    """Carry an edit of a posted invoice into its contact's balance and its ledger entries
    (reposted when its lines, contact or date changed)."""
    if contact["id"] != record["contact"]["id"]:
        adjust_balance(ctx, record["contact"]["id"], -before)
        adjust_balance(ctx, contact["id"], before)
    record["contact"] = contact
    update_transaction(ctx, record["transaction"], date=record["date"], contact=contact,
                       total=to_decimal(record["total_amount"]),
                       postings=postings(ctx, kind, record) if changed else None)
    adjust_balance(ctx, contact["id"], to_decimal(record["outstanding_amount"]) - before)


def _release(kind: Kind) -> Any:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        record = ctx.require(kind.collection, key)
        if record["status"]["id"] != "DRAFT":
            raise invalid("base", "Only a draft invoice can be released")
        record["status"] = status_ref("UNPAID")
        _post(ctx, kind, record)
        touch(ctx, kind.collection, record)
        return 201, record

    return handler


def _delete(kind: Kind) -> Any:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        record = ctx.require(kind.collection, key)
        status = record["status"]["id"]
        if to_decimal(record["total_paid"]) > 0:
            raise invalid("base", "An invoice with payments allocated cannot be deleted")
        if status == "VOID":
            raise invalid("base", "The invoice is already void")
        reason = _void_reason(ctx) if kind.void_on_delete and status != "DRAFT" else None
        if status != "DRAFT":
            update_transaction(ctx, record["transaction"], deleted=True)
            adjust_balance(ctx, record["contact"]["id"], -to_decimal(record["outstanding_amount"]))
        if reason is not None:
            record.update(status=status_ref("VOID"), void_reason=reason,
                          outstanding_amount="0.0", editable=False)
            touch(ctx, kind.collection, record)
            return 200, record
        delete_record(ctx, kind.collection, record)
        return 204, None

    return handler


def _void_reason(ctx: Ctx) -> str:
    reason = ctx.query.get("void_reason")
    if not reason:
        raise blank("void_reason")
    if len(reason) > 200:
        raise invalid("void_reason", "is too long (maximum is 200 characters)")
    return reason


def _list_for(kind: Kind) -> Any:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        filters = {
            "updated_or_created_since": since(),
            "contact_id": ref_is("contact"),
            "status_id": ref_is("status"),
            "from_date": date_from(),
            "to_date": date_to(),
            "search": search("invoice_number", "reference", "vendor_reference", "contact_name"),
        }
        return _list(ctx, kind.collection, filters, deletable=True,
                     sortable=("created_at", "updated_at", "date", "due_date"))

    return handler


def _routes(kind: Kind) -> list[Route]:
    base = f"/{kind.collection}"
    return [
        Route("GET", base, _list_for(kind)),
        Route("POST", base, _create(kind), wrapper=kind.wrapper),
        Route("GET", base + "/{key}", getter(kind.collection)),
        Route("PUT", base + "/{key}", _update(kind), wrapper=kind.wrapper),
        Route("DELETE", base + "/{key}", _delete(kind)),
        Route("POST", base + "/{key}/release", _release(kind)),
    ]


ROUTES = [*_routes(SALES), *_routes(PURCHASE)]
