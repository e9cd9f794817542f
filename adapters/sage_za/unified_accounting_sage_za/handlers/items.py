"""Items: v2 ``Item`` records (plain numeric ids).

``type`` is ``product`` for a physical item (``Physical``: stock is tracked) and ``service``
otherwise. ``sales_price`` <-> ``PriceExclusive`` (v2 works out ``PriceInclusive`` from the
sales tax type); ``purchase_price`` <-> ``LastCost``; the tax rates <-> ``TaxTypeIdSales`` and
``TaxTypeIdPurchases``. v2 items have no ledger accounts of their own (they post through the
company's item reporting groups), so ``sales_account_id`` and ``purchase_account_id`` are
refused on writes and read as ``None``. An item used on a document cannot be deleted (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import Item
from unified_accounting_sage_za.handlers.reference import _SimpleHandler as SimpleHandler
from unified_accounting_sage_za.wire import as_decimal, parse_stamp

__all__ = ["ItemsHandler"]


def _tax_type(value: str | None, field: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise ValidationError({field: ["v2 tax type ids are whole numbers"]}, provider="sage_za")
    return int(value)


class ItemsHandler(SimpleHandler):
    """``Item/*`` (see the module docstring)."""

    resource = "items"
    controller = "Item"

    def to_model(self, raw: Mapping[str, Any], remote: bool = False) -> Item:
        """A unified item from a stored one."""
        created = parse_stamp(raw.get("Created"))
        sales_tax, purchase_tax = raw.get("TaxTypeIdSales"), raw.get("TaxTypeIdPurchases")
        return Item(
            id=str(raw["ID"]), business_id=self.context.business_id,
            type="product" if raw.get("Physical") else "service",
            code=raw.get("Code") or None, description=str(raw.get("Description") or ""),
            sales_price=as_decimal(raw.get("PriceExclusive")),
            purchase_price=as_decimal(raw.get("LastCost")),
            sales_tax_rate_id=str(sales_tax) if sales_tax else None,
            purchase_tax_rate_id=str(purchase_tax) if purchase_tax else None,
            is_active=bool(raw.get("Active", True)), created_at=created,
            updated_at=parse_stamp(raw.get("Modified")) or created,
            remote_data=dict(raw) if remote else None)

    def body(self, model: Item, current: Mapping[str, Any] | None) -> dict[str, Any]:
        """The Save body.

        Raises:
            ValidationError: ledger accounts are given, or a tax rate id is not a number.
        """
        refused = {name: ["v2 items have no ledger accounts of their own; leave it empty"]
                   for name in ("sales_account_id", "purchase_account_id")
                   if getattr(model, name) is not None}
        if refused:
            raise ValidationError(refused, provider="sage_za")
        return {**(current or {}), "Code": model.code or "", "Description": model.description,
                "Physical": model.type == "product", "Active": model.is_active,
                "PriceExclusive": model.sales_price,
                "LastCost": model.purchase_price,
                "TaxTypeIdSales": _tax_type(model.sales_tax_rate_id, "sales_tax_rate_id"),
                "TaxTypeIdPurchases": _tax_type(model.purchase_tax_rate_id,
                                                "purchase_tax_rate_id")}
