"""Save rules of ``Item``: products (``Physical``) and services sold and bought on lines.

An item's code is unique in the company. ``PriceInclusive`` follows from ``PriceExclusive``
and the sales tax type (rounded to cents half away from zero). An item named on a document
line has activity and cannot be deleted (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from unified_accounting.sandbox_kit.wire import round_money
from unified_accounting_sage_za.sandbox.books import Books, Record, Shape, flag, money_of
from unified_accounting_sage_za.sandbox.errors import invalid

__all__ = ["ITEM_SHAPE", "save_item"]

_HUNDRED = Decimal("100")
ITEM_SHAPE = Shape(
    writable=("Code", "Description", "Active", "Physical", "PriceExclusive", "LastCost",
              "TaxTypeIdSales", "TaxTypeIdPurchases", "Unit", "Category"),
    required=("Description",),
    defaults={"Active": True, "Physical": False, "Unit": ""},
)


def _code_taken(books: Books, code: str, own_id: Any) -> bool:
    wanted = code.strip().lower()
    return any(str(item.get("Code") or "").strip().lower() == wanted and item["ID"] != own_id
               for item in books.records("Item"))


def save_item(books: Books, controller: str, body: Mapping[str, Any],
              params: Mapping[str, str]) -> tuple[Record, bool]:
    """``Item/Save``: tax types must exist; prices and costs are numbers."""
    code = str(body.get("Code") or "")
    if code and _code_taken(books, code, body.get("ID")):
        raise invalid("Code", f"An item with the code '{code}' already exists.")
    rate = Decimal("0")
    for name in ("TaxTypeIdSales", "TaxTypeIdPurchases"):
        if body.get(name):
            found = books.require("TaxType", body[name], name)
            if name == "TaxTypeIdSales":
                rate = money_of(found, "Percentage")
    price = money_of(body, "PriceExclusive")
    cost = money_of(body, "LastCost")
    record, created = books.save(controller, ITEM_SHAPE, body)
    record.update({"PriceExclusive": price, "LastCost": cost,
                   "PriceInclusive": round_money(price * (_HUNDRED + rate) / _HUNDRED),
                   "Physical": flag(record.get("Physical")), "Active": flag(record.get("Active")),
                   "QuantityOnHand": record.get("QuantityOnHand") or Decimal("0")})
    return record, created
