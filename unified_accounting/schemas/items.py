"""Schema for items: the products and services that document lines can name."""

from __future__ import annotations

from typing import get_args

from unified_accounting.models import Item, ItemType
from unified_accounting.schemas.base import RecordSchema
from unified_accounting.schemas.common import display_name, identifier, moment, raw_record, text
from unified_accounting.schemas.fields import Amount, Flag, one_of
from unified_accounting.schemas.invoices import UNIT_PRICE_PLACES

__all__ = ["ItemSchema"]

ITEM_TYPES: tuple[str, ...] = get_args(ItemType)


def _price(description: str) -> Amount:
    # A unit price, like an invoice line's: it may be finer than the currency's unit, so a
    # line can take it as it is.
    return Amount(sign="non_negative", max_places=UNIT_PRICE_PLACES, allow_none=True,
                  metadata={"description": description})


class ItemSchema(RecordSchema):
    """A product or a service; prices are per unit, net of tax, in the base currency."""

    model = Item

    id = identifier()
    business_id = identifier()
    type = one_of(ITEM_TYPES, required=True)
    code = text(100)
    description = display_name()
    sales_price = _price("Price of one unit sold, net of tax.")
    purchase_price = _price("Price of one unit bought (its cost), net of tax.")
    sales_account_id = identifier(description="The ledger account sales of the item post to.")
    purchase_account_id = identifier(
        description="The ledger account purchases of the item post to.")
    sales_tax_rate_id = identifier(description="The tax rate used when the item is sold.")
    purchase_tax_rate_id = identifier(description="The tax rate used when the item is bought.")
    is_active = Flag()
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()
