"""Items: unified ``Item`` <-> Sage ``/products`` (type ``product``) and ``/services``
(type ``service``).

``code`` <-> ``item_code``; ``purchase_price`` <-> ``cost_price``; the accounts and tax rates
<-> ``sales_``/``purchase_ledger_account`` and ``sales_``/``purchase_tax_rate``;
``is_active`` <-> ``active``. ``sales_price`` is a product's first ``sales_prices`` entry
(Sage's "Selling Price") or a service's first ``sales_rates`` entry; it is written as that one
entry, net of tax. A Sage price that includes tax is read as it stands (the raw record keeps
the flag). Sage needs a sales ledger account on both, and a purchase ledger account on
products.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.models import Item, ItemType
from unified_accounting_sage.json_values import format_money, parse_bool, parse_money, ref_id
from unified_accounting_sage.mappers._common import compact, finish, objects, remote, stamps

__all__ = [
    "ATTRIBUTES_BY_TYPE",
    "COLLECTIONS",
    "WRAPPER_KEYS",
    "to_sage",
    "to_unified",
    "wrapper_key",
]

#: Item type -> the Sage collection it lives in.
COLLECTIONS: Mapping[ItemType, str] = {"product": "products", "service": "services"}
WRAPPER_KEYS: Mapping[ItemType, str] = {"product": "product", "service": "service"}
# Where each type keeps its selling price, and the names inside an entry.
_PRICES: Mapping[ItemType, tuple[str, str, str, str]] = {
    "product": ("sales_prices", "price_name", "price", "price_includes_tax"),
    "service": ("sales_rates", "rate_name", "rate", "rate_includes_tax"),
}
_PRICE_NAMES: Mapping[ItemType, str] = {"product": "Selling Price", "service": "Rate"}

_COMMON_ATTRIBUTES = (
    "item_code", "description", "sales_ledger_account", "purchase_ledger_account",
    "sales_tax_rate", "purchase_tax_rate", "cost_price", "active", "created_at", "updated_at",
)
#: Sage fields the mapper reads, per type (the ``attributes`` query of a list).
ATTRIBUTES_BY_TYPE: Mapping[ItemType, tuple[str, ...]] = {
    kind: (*_COMMON_ATTRIBUTES, prices[0]) for kind, prices in _PRICES.items()
}


def wrapper_key(item: Item) -> str:
    """Return ``"product"`` or ``"service"``."""
    return WRAPPER_KEYS[item.type]


def _sales_price(raw: Mapping[str, Any], kind: ItemType) -> Any:
    key, _, amount, _ = _PRICES[kind]
    entries = objects(raw, key)
    return parse_money(entries[0].get(amount)) if entries else None


def to_unified(raw: Mapping[str, Any], *, item_type: ItemType, business_id: str | None = None,
               include_remote: bool = False) -> Item:
    """Map a Sage product or service to an ``Item``."""
    return Item(
        id=raw.get("id"), business_id=business_id, type=item_type,
        code=raw.get("item_code"), description=raw.get("description") or "",
        sales_price=_sales_price(raw, item_type),
        purchase_price=parse_money(raw.get("cost_price")),
        sales_account_id=ref_id(raw, "sales_ledger_account"),
        purchase_account_id=ref_id(raw, "purchase_ledger_account"),
        sales_tax_rate_id=ref_id(raw, "sales_tax_rate"),
        purchase_tax_rate_id=ref_id(raw, "purchase_tax_rate"),
        is_active=parse_bool(raw.get("active"), True),
        **stamps(raw),
        remote_data=remote(raw, include_remote),
    )


def _price_entry(item: Item) -> list[dict[str, Any]] | None:
    if item.sales_price is None:
        return None
    _, name, amount, includes_tax = _PRICES[item.type]
    return [{name: _PRICE_NAMES[item.type], amount: format_money(item.sales_price),
             includes_tax: False}]


def to_sage(item: Item, *, provider_fields: Mapping[str, Any] | None = None,
            partial: bool = False) -> dict[str, Any]:
    """Build the inner body of ``POST /products`` or ``POST /services``.

    Raises:
        ValidationError: a field Sage requires is missing (unless ``partial``) or a string is
            too long; paths are unified.
    """
    body = compact({
        "item_code": item.code,
        "description": item.description or None,
        "sales_ledger_account_id": item.sales_account_id,
        "purchase_ledger_account_id": item.purchase_account_id,
        "sales_tax_rate_id": item.sales_tax_rate_id,
        "purchase_tax_rate_id": item.purchase_tax_rate_id,
        "cost_price": format_money(item.purchase_price),
        _PRICES[item.type][0]: _price_entry(item),
        "active": item.is_active,
    })
    return finish(WRAPPER_KEYS[item.type], body, provider_fields, partial)
