"""products and services: what document lines can sell or buy.

Both keep an item code (unique per collection), a description, sales and purchase ledger
accounts and tax rates, a cost price and their selling prices (``sales_prices`` on products,
``sales_rates`` on services). An item named on a document line is no longer ``deletable``;
deleting it then is refused (deactivate it instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unified_accounting_sage.sandbox.errors import invalid
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.listing import search, since
from unified_accounting_sage.sandbox.messages import money, path_for, to_decimal
from unified_accounting_sage.sandbox.resources.common import (
    delete_record,
    getter,
    linked,
    unique_index,
    updater,
)
from unified_accounting_sage.sandbox.resources.lookups import lookup_ref
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate

__all__ = ["PRODUCTS", "ROUTES", "SERVICES"]


@dataclass(frozen=True)
class ItemKind:
    """What differs between products and services."""

    collection: str
    wrapper: str
    catalog_type: str
    prices: str  # the list of selling prices
    price_fields: tuple[str, str, str]  # name, amount, includes-tax flag


PRODUCTS = ItemKind("products", "product", "NON_STOCK_ITEM", "sales_prices",
                    ("price_name", "price", "price_includes_tax"))
SERVICES = ItemKind("services", "service", "SERVICE", "sales_rates",
                    ("rate_name", "rate", "rate_includes_tax"))
_PLAIN = ("description", "item_code", "notes", "purchase_description", "source_guid", "active")
_LINKS = (("sales_ledger_account", "ledger_accounts"), ("purchase_ledger_account",
                                                       "ledger_accounts"),
          ("sales_tax_rate", "tax_rates"), ("purchase_tax_rate", "tax_rates"),
          ("usual_supplier", "contacts"))


def _prices(kind: ItemKind, entries: list[dict[str, Any]], stamp: str) -> list[Record]:
    name, amount, includes_tax = kind.price_fields
    built = []
    for index, entry in enumerate(entries):
        label = entry.get(name) or f"Price {index + 1}"
        built.append({"id": new_id(), "displayed_as": label, "created_at": stamp,
                      "updated_at": stamp, name: label,
                      amount: money(to_decimal(entry.get(amount) or 0)),
                      includes_tax: bool(entry.get(includes_tax))})
    return built


def _apply(kind: ItemKind) -> Any:
    """Check every link and the item code first, then change the record."""

    def apply(ctx: Ctx, record: Record, data: dict[str, Any]) -> None:
        links = {field: linked(ctx, collection, data[f"{field}_id"], f"{field}_id")
                 for field, collection in _LINKS if f"{field}_id" in data}
        code = data.get("item_code")
        index = unique_index(ctx, kind.collection, "item_code")
        owner = index.get(str(code).lower()) if code is not None else None
        if owner not in (None, record["id"]):
            raise invalid("item_code", "has already been taken")
        if "item_code" in data and record.get("item_code") is not None:
            index.pop(str(record["item_code"]).lower(), None)
        if code is not None:
            index[str(code).lower()] = record["id"]
        for name in _PLAIN:
            if name in data and data[name] is not None:
                record[name] = data[name]
        record.update(links)
        if data.get("cost_price") is not None:
            record["cost_price"] = money(to_decimal(data["cost_price"]))
        if data.get(kind.prices) is not None:
            record[kind.prices] = _prices(kind, data[kind.prices], ctx.stamp)
        record["displayed_as"] = record["description"]

    return apply


def _create(kind: ItemKind) -> Any:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        data = ctx.wrapped(kind.wrapper)
        validate(kind.wrapper, data)
        record_id = new_id()
        record: Record = {
            "id": record_id, "$path": path_for(kind.collection, record_id),
            "created_at": ctx.stamp, "updated_at": ctx.stamp, "deleted_at": None,
            "deletable": True, "deactivatable": True, "used_on_recurring_invoice": False,
            "item_code": None, "notes": None, "purchase_description": None,
            "source_guid": None, "active": True, "cost_price": "0.0",
            "sales_ledger_account": None, "purchase_ledger_account": None,
            "sales_tax_rate": None, "purchase_tax_rate": None, "usual_supplier": None,
            kind.prices: [], "catalog_item_type": lookup_ref("catalog_item_types",
                                                             kind.catalog_type),
        }
        _apply(kind)(ctx, record, data)
        ctx.store.insert(ctx.business_id, kind.collection, record)
        return 201, record

    return handler


def _delete(kind: ItemKind) -> Any:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        record = ctx.require(kind.collection, key)
        if not record.get("deletable"):
            raise invalid("base", f"The {kind.wrapper} is used on documents and cannot be "
                                  "deleted; deactivate it instead")
        if record.get("item_code") is not None:
            unique_index(ctx, kind.collection, "item_code").pop(
                str(record["item_code"]).lower(), None)
        delete_record(ctx, kind.collection, record)
        return 204, None

    return handler


def _active(value: str) -> Any:
    wanted = value.strip().lower()
    if wanted not in ("true", "false"):
        raise ValueError(value)
    return lambda record: bool(record.get("active")) == (wanted == "true")


def _list_for(kind: ItemKind) -> Any:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        filters = {"updated_or_created_since": since(),
                   "search": search("item_code", "description"), "active": _active}
        return _list(ctx, kind.collection, filters, deletable=True,
                     sortable=("created_at", "updated_at"))

    return handler


def _routes(kind: ItemKind) -> list[Route]:
    base = f"/{kind.collection}"
    return [
        Route("GET", base, _list_for(kind)),
        Route("POST", base, _create(kind), wrapper=kind.wrapper),
        Route("GET", base + "/{key}", getter(kind.collection)),
        Route("PUT", base + "/{key}", updater(kind.collection, kind.wrapper, _apply(kind)),
              wrapper=kind.wrapper),
        Route("DELETE", base + "/{key}", _delete(kind)),
    ]


ROUTES = [*_routes(PRODUCTS), *_routes(SERVICES)]
