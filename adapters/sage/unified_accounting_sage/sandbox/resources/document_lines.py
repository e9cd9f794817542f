"""Lines of sales and purchase documents: amounts, tax, the item named, and header totals.

Invoices and credit notes keep the same line shape (under ``invoice_lines`` or
``credit_note_lines``). Each stored line carries its net, tax and total, its ledger account
and tax rate, and the product or service it names, so that a document's double entry can be
read off the stored record.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from unified_accounting_sage.sandbox.amounts import LineAmounts, line_amounts, totals
from unified_accounting_sage.sandbox.errors import invalid
from unified_accounting_sage.sandbox.messages import money, ref_of, to_decimal
from unified_accounting_sage.sandbox.resources.common import linked
from unified_accounting_sage.sandbox.routing import Ctx, new_id
from unified_accounting_sage.sandbox.store import Record

__all__ = ["apply_lines"]

#: Body field -> the collection of the item a line may name.
ITEM_FIELDS = (("product_id", "products"), ("service_id", "services"))


def _item_links(ctx: Ctx, source: str, data: dict[str, Any]) -> dict[str, Any]:
    """The line's ``product`` and ``service`` references."""
    named = [(field, collection) for field, collection in ITEM_FIELDS
             if data.get(field) is not None]
    if len(named) > 1:
        raise invalid(f"{source}.service_id", "A line names a product or a service, not both")
    links: dict[str, Any] = {"product": None, "service": None}
    for field, collection in named:
        item = ctx.require(collection, data[field], f"{source}.{field}")
        links[collection[:-1]] = ref_of(collection, item)
    return links


def _mark_used(ctx: Ctx, lines: list[Record]) -> None:
    """A named item is no longer deletable (Sage offers to deactivate a used item)."""
    for line in lines:
        for _, collection in ITEM_FIELDS:
            link = line.get(collection[:-1])
            item = ctx.get(collection, link["id"]) if link else None
            if item is not None and item.get("deletable"):
                item["deletable"] = False
                ctx.store.save(ctx.business_id, collection, item)


def _line(ctx: Ctx, key: str, index: int, data: dict[str, Any]
          ) -> tuple[Record, LineAmounts, Any]:
    source = f"{key}.{index}"
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
        **_item_links(ctx, source, data), "ledger_account": ledger,
        "quantity": money(quantity), "unit_price": money(unit_price),
        "unit_price_includes_tax": bool(data.get("unit_price_includes_tax")),
        "discount_amount": money(discount), "net_amount": money(amounts.net),
        "tax_rate": rate_ref, "tax_amount": money(amounts.tax),
        "total_amount": money(amounts.total),
        "tax_breakdown": [{"tax_rate": rate_ref, "percentage": rate["percentage"],
                           "amount": money(amounts.tax)}] if rate else [],
    }
    return line, amounts, rate_ref


def apply_lines(ctx: Ctx, record: Record, lines_data: list[dict[str, Any]],
                key: str = "invoice_lines") -> None:
    """Build a document's lines under ``key`` and set its tax analysis and totals.

    Raises:
        SageError: 404 for an unknown ledger account, tax rate or item (naming the line),
            422 for a line naming both a product and a service.
    """
    built = [_line(ctx, key, index, data) for index, data in enumerate(lines_data)]
    analysis: dict[str | None, tuple[Any, list[LineAmounts]]] = {}
    for _, amounts, rate_ref in built:
        group = rate_ref["id"] if rate_ref else None
        analysis.setdefault(group, (rate_ref, []))[1].append(amounts)
    total = totals(amounts for _, amounts, _ in built)
    record[key] = [line for line, _, _ in built]
    _mark_used(ctx, record[key])
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
