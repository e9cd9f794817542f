"""Schemas for payments and the invoices they settle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from marshmallow import validates_schema

from unified_accounting.models import Payment, PaymentAllocation, PaymentType
from unified_accounting.schemas.base import (
    RecordSchema,
    holds_when,
    item_pairs,
    raise_at,
    unreadable,
)
from unified_accounting.schemas.common import identifier, moment, raw_record, text
from unified_accounting.schemas.fields import Amount, IsoDate, Money, Records, currency_code, one_of
from unified_accounting.schemas.invoices import EXCHANGE_RATE_PLACES
from unified_accounting.schemas.rules import exact_sum, excess_error

__all__ = ["PaymentAllocationSchema", "PaymentSchema"]

PAYMENT_TYPES: tuple[str, ...] = get_args(PaymentType)


class PaymentAllocationSchema(RecordSchema):
    """The part of a payment that settles one invoice."""

    model = PaymentAllocation

    invoice_id = identifier(required=True)
    amount = Money(sign="positive", required=True)
    discount = Money(sign="non_negative", allow_none=True)


class PaymentSchema(RecordSchema):
    """Money received from a customer or paid to a supplier."""

    model = Payment
    currency_field = "currency"

    id = identifier()
    business_id = identifier()
    type = one_of(PAYMENT_TYPES, required=True)
    contact_id = identifier(required=True)
    date = IsoDate(required=True)
    amount = Money(sign="positive", required=True)
    currency = currency_code(allow_none=True)
    exchange_rate = Amount(sign="positive", max_places=EXCHANGE_RATE_PLACES, allow_none=True)
    bank_account_id = identifier(description="The bank account the money moved through.")
    payment_method = text(50)
    reference = text(100)
    allocations = Records(PaymentAllocationSchema)
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    @holds_when(lambda data: _allocations_within_amount_holds(data))
    def _allocations_within_amount(
        self, data: Mapping[str, Any], original: Any, **_: Any
    ) -> None:
        amount = data.get("amount")
        allocations = item_pairs(data, original, "allocations")
        if amount is None or allocations is None:
            return
        parts = []
        for item, raw_item in allocations:
            if unreadable(item, raw_item, ("amount",)) or item.get("amount") is None:
                return
            parts.append(item["amount"])
        message = excess_error("allocations", parts, "amount", amount, data.get("currency"))
        if message:
            raise_at("allocations", message)


def _allocations_within_amount_holds(data: Mapping[str, Any]) -> bool:
    """``_allocations_within_amount`` finds nothing (on a record whose every field loaded)."""
    amount, allocations = data.get("amount"), data.get("allocations")
    if amount is None or not isinstance(allocations, list):
        return True
    parts = [item.get("amount") for item in allocations]
    return None in parts or exact_sum(parts) <= amount
