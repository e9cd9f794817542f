"""Document lines: unified ``InvoiceLine`` <-> Sage invoice and credit note lines.

Sales and purchase invoices and credit notes share one line shape in Sage (under
``invoice_lines`` or ``credit_note_lines``). ``tax_inclusive`` is one flag of the document
here and ``unit_price_includes_tax`` on every Sage line. A line's ``item_id`` is sent as
``product_id`` or ``service_id``, by the item's type, which the caller's resolver tells.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import InvoiceLine, InvoiceType, ItemType
from unified_accounting_sage.json_values import format_money, parse_money, ref_id
from unified_accounting_sage.mappers._common import (
    Resolver,
    compact,
    refuse,
    reraise_at,
    resolve_code,
)

__all__ = ["ItemKinds", "line_to_sage", "line_to_unified"]

#: Item id -> ``"product"`` or ``"service"``; raises ``ValidationError`` for an unknown item.
ItemKinds = Callable[[str], ItemType]


def line_to_unified(raw: Any) -> InvoiceLine:
    """Map one Sage document line (the item is its ``product`` or ``service`` link)."""
    return InvoiceLine(
        id=raw.get("id"),
        description=raw.get("description"),
        quantity=parse_money(raw.get("quantity")) or Decimal("1"),
        unit_price=parse_money(raw.get("unit_price")),
        discount_amount=parse_money(raw.get("discount_amount")),
        account_id=ref_id(raw, "ledger_account"),
        tax_rate_id=ref_id(raw, "tax_rate"),
        net_amount=parse_money(raw.get("net_amount")),
        tax_amount=parse_money(raw.get("tax_amount")),
        total_amount=parse_money(raw.get("total_amount")),
        item_id=ref_id(raw, "product") or ref_id(raw, "service"),
    )


def _item_field(line: InvoiceLine, kinds: ItemKinds | None, here: str) -> dict[str, str]:
    if line.item_id is None:
        return {}
    if kinds is None:
        raise refuse(f"{here}.item_id", "an item needs its type looked up; none was given")
    try:
        kind = kinds(line.item_id)
    except ValidationError as err:
        raise reraise_at(err, f"{here}.item_id") from None
    return {f"{kind}_id": line.item_id}


def line_to_sage(kind: InvoiceType, tax_inclusive: bool, index: int, line: InvoiceLine, *,
                 tax: Resolver | None, account: Resolver | None,
                 items: ItemKinds | None = None) -> dict[str, Any]:
    """Build one Sage line of a sales or purchase document.

    Raises:
        ValidationError: at ``lines[i].<field>``: a purchase line with a discount, a tax
            code or account concept that cannot be resolved, an unknown item.
    """
    here = f"lines[{index}]"
    if kind == "purchase" and line.discount_amount:
        raise refuse(f"{here}.discount_amount", "Sage purchase lines take no discount")
    return compact(
        {
            "description": line.description,
            "ledger_account_id": resolve_code(
                line.account_id, line.account_concept, account, f"{here}.account_concept",
                "account concept"),
            "tax_rate_id": resolve_code(
                line.tax_rate_id, line.tax_code, tax, f"{here}.tax_code", "tax code"),
            "quantity": format_money(line.quantity),
            "unit_price": format_money(line.unit_price),
            # Purchase lines have no discount field (a non-zero one was refused above).
            "discount_amount": None if kind == "purchase" else format_money(line.discount_amount),
            "net_amount": format_money(line.net_amount),
            "tax_amount": format_money(line.tax_amount),
            "total_amount": format_money(line.total_amount),
            "unit_price_includes_tax": tax_inclusive,
            **_item_field(line, items, here),
        }
    )
