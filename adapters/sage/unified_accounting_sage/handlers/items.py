"""``client.items``: Sage ``/products`` and ``/services``, chosen by ``type``.

Sage ids are unique across both collections; an item whose type the handler has not seen yet
is looked up in products first, then in services. An item keeps its type: Sage has no way to
turn a product into a service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import Item, ItemType
from unified_accounting_sage.handlers.base import CRUD, check_options, path_of
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.handlers.documents import item_kind_key
from unified_accounting_sage.handlers.query import (
    FieldAttributes,
    Filter,
    boolean,
    text,
    timestamp,
)
from unified_accounting_sage.handlers.split import SplitHandler
from unified_accounting_sage.mappers import items

__all__ = ["ItemHandler"]


def _attributes(kind: ItemType) -> FieldAttributes:
    prices = "sales_prices" if kind == "product" else "sales_rates"
    return FieldAttributes(
        items.ATTRIBUTES_BY_TYPE[kind], Item,
        {"type": (), "code": ("item_code",), "sales_price": (prices,),
         "purchase_price": ("cost_price",), "sales_account_id": ("sales_ledger_account",),
         "purchase_account_id": ("purchase_ledger_account",),
         "sales_tax_rate_id": ("sales_tax_rate",),
         "purchase_tax_rate_id": ("purchase_tax_rate",), "is_active": ("active",)},
        always=("description",),
    )


class ItemHandler(SplitHandler[Item]):
    """Products and services.

    Filters: ``type``, ``updated_since``, ``search`` (code or description), ``is_active``.
    """

    resource = "items"
    operations = CRUD | {"list_deleted"}
    collections = items.COLLECTIONS
    kind_attributes = {kind: _attributes(kind) for kind in items.COLLECTIONS}
    filters = {
        "updated_since": Filter("updated_or_created_since", timestamp),
        "search": Filter("search", text),
        "is_active": Filter("active", boolean),
    }

    def map_one(self, raw: Mapping[str, Any], kind: ItemType, remote: bool) -> Item:
        """Map one Sage product or service."""
        return items.to_unified(raw, item_type=kind, business_id=self.business_id,
                                include_remote=remote)

    def create(self, model: Item, **options: Any) -> Item:
        """``POST /products`` or ``POST /services`` with an ``idempotency_id``; options:
        ``provider_fields``.

        Raises:
            ValidationError: a field Sage requires is missing (a sales ledger account, and a
                purchase ledger account for a product), or Sage refuses the body.
        """
        check_options(options, {"provider_fields"}, "items.create")
        body = items.to_sage(model, provider_fields=options.get("provider_fields"))
        raw = self.send("POST", path_of(self.collections[model.type]),
                        items.WRAPPER_KEYS[model.type], body)
        created = self.to_model(raw, model.type, self.tenant.include_remote())
        if created.id:
            # Document lines naming the new item need not ask Sage what it is.
            self.tenant.reference_cache.get(self.business_id, item_kind_key(created.id),
                                            lambda: model.type)
        return created

    def update(self, id: str, changes: Item | Mapping[str, Any], **options: Any) -> Item:
        """``PUT /products/{id}`` or ``/services/{id}`` with the changed fields.

        Raises:
            ValidationError: the change would turn a product into a service or back.
        """
        check_options(options, {"provider_fields"}, "items.update")
        kind = self.kind_of(id)
        wanted = changes.type if isinstance(changes, Item) else changes.get("type", kind)
        if wanted != kind:
            raise ValidationError({"type": [f"a Sage {kind} cannot become a {wanted}"]},
                                  provider="sage")
        if not isinstance(changes, Item):
            changes = {name: value for name, value in changes.items() if name != "type"}
        body = update_body(
            changes, model=Item, wrapper=items.WRAPPER_KEYS[kind],
            placeholders={"type": kind, "description": "unchanged"},
            to_sage=lambda m: items.to_sage(m, partial=True),
            provider_fields=options.get("provider_fields"),
        )
        raw = self.send("PUT", path_of(self.collections[kind], id), items.WRAPPER_KEYS[kind],
                        body)
        return self.to_model(raw, kind, self.tenant.include_remote())
