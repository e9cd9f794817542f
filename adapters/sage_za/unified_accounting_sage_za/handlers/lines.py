"""Document lines: unified invoice lines <-> v2 "commercial document lines".

A unified line names its ledger account (``account_id``, or ``account_concept`` through the
``account_mapping`` setting; an account line) or an item (``item_id``; an item line, which
posts to the item's own accounts, so it names no account), and its tax (``tax_rate_id``, or
``tax_code`` resolved against the company's tax types by name; a code the company has no tax
type for is refused, never guessed). v2 takes line discounts only as percentages, so a
discount amount is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import InvoiceLine
from unified_accounting.provider import ProviderContext
from unified_accounting_sage_za.country import tax_code_of
from unified_accounting_sage_za.wire import as_decimal

__all__ = ["ACCOUNT_LINE", "ITEM_LINE", "line_body", "line_from", "tax_types"]

ACCOUNT_LINE = 1
"""``LineType`` of a line posted to a ledger account."""
ITEM_LINE = 0
"""``LineType`` of a line that sells or buys an item."""


def tax_types(context: ProviderContext, fetch: Any) -> list[dict[str, Any]]:
    """The company's tax types, read once per connection and business."""
    key = f"sage_za.tax_types.{context.business_id}"
    found = context.cache.get(key)
    if not isinstance(found, list):
        found = list(fetch())
        context.cache[key] = found
    return found


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError({path: [message]}, provider="sage_za")


def _tax_type_id(line: InvoiceLine, where: str, types: Sequence[Mapping[str, Any]]) -> int | None:
    if line.tax_rate_id:
        return int(line.tax_rate_id) if line.tax_rate_id.isdigit() else None
    if line.tax_code is None:
        return None
    matching = [t for t in types if tax_code_of(t.get("Name")) == line.tax_code
                and t.get("Active", True)]
    if not matching:
        raise _fail(f"{where}.tax_code", f"the company has no tax type for {line.tax_code!r}")
    # The default type first (e.g. "Standard Rate" before its capital-goods twin).
    matching.sort(key=lambda t: (not t.get("IsDefault"), int(t["ID"])))
    return int(matching[0]["ID"])


def _account_id(line: InvoiceLine, where: str, mapping: Mapping[str, Any]) -> int:
    account = line.account_id
    if not account and line.account_concept:
        account = mapping.get(line.account_concept)
        if not account:
            raise _fail(f"{where}.account_concept",
                        f"no account is mapped for {line.account_concept!r} (setting "
                        "account_mapping)")
    if not account or not str(account).isdigit():
        raise _fail(f"{where}.account_id", "v2 lines need the id of a ledger account")
    return int(account)


def _selection(line: InvoiceLine, where: str, mapping: Mapping[str, Any]) -> tuple[int, int]:
    """The line's ``LineType`` and ``SelectionId``: its item, else its account."""
    if line.item_id is None:
        return ACCOUNT_LINE, _account_id(line, where, mapping)
    if line.account_id or line.account_concept:
        raise _fail(f"{where}.account_id", "a v2 item line posts to the item's own accounts; "
                                           "give item_id or an account, not both")
    if not line.item_id.isdigit():
        raise _fail(f"{where}.item_id", "v2 item ids are whole numbers")
    return ITEM_LINE, int(line.item_id)


def line_body(line: InvoiceLine, index: int, *, inclusive: bool,
              types: Sequence[Mapping[str, Any]], mapping: Mapping[str, Any]) -> dict[str, Any]:
    """One ``Lines`` entry of a Save body.

    Raises:
        ValidationError: naming ``lines[i].<field>``.
    """
    where = f"lines[{index}]"
    if line.discount_amount:
        raise _fail(f"{where}.discount_amount", "v2 takes line discounts as percentages only")
    if line.unit_price is None:
        raise _fail(f"{where}.unit_price", "v2 lines need a unit price")
    price_field = "UnitPriceInclusive" if inclusive else "UnitPriceExclusive"
    line_type, selection = _selection(line, where, mapping)
    return {"LineType": line_type, "SelectionId": selection,
            "TaxTypeId": _tax_type_id(line, where, types), "Description": line.description or "",
            "Quantity": line.quantity, price_field: line.unit_price, "DiscountPercentage": 0}


def line_from(raw: Mapping[str, Any], inclusive: bool,
              types: Sequence[Mapping[str, Any]]) -> InvoiceLine:
    """A unified line from a stored document line."""
    tax_id = raw.get("TaxTypeId")
    names = {int(t["ID"]): t.get("Name") for t in types}
    is_account = raw.get("LineType") == ACCOUNT_LINE
    is_item = raw.get("LineType") == ITEM_LINE
    return InvoiceLine(
        id=str(raw["ID"]) if raw.get("ID") else None, description=raw.get("Description") or None,
        quantity=as_decimal(raw.get("Quantity")) or as_decimal("1"),  # type: ignore[arg-type]
        unit_price=as_decimal(raw.get("UnitPriceInclusive" if inclusive else
                                      "UnitPriceExclusive")),
        account_id=str(raw["SelectionId"]) if is_account and raw.get("SelectionId") else None,
        tax_rate_id=str(tax_id) if tax_id else None,
        tax_code=tax_code_of(names.get(int(tax_id))) if tax_id else None,
        net_amount=as_decimal(raw.get("Exclusive")), tax_amount=as_decimal(raw.get("Tax")),
        total_amount=as_decimal(raw.get("Total")),
        item_id=str(raw["SelectionId"]) if is_item and raw.get("SelectionId") else None)
