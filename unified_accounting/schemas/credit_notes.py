"""Schemas for sales and purchase credit notes and their allocations to invoices.

A credit note's lines are invoice lines, and its amounts are checked by the very rule that
checks an invoice's (:func:`~unified_accounting.schemas.invoices.check_document_amounts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from marshmallow import validates_schema

from unified_accounting.models import CreditNote, CreditNoteAllocation, CreditNoteStatus
from unified_accounting.schemas.base import RecordSchema, holds_when
from unified_accounting.schemas.common import free_text, identifier, moment, raw_record, text
from unified_accounting.schemas.fields import (
    Amount,
    Flag,
    IsoDate,
    Money,
    Records,
    currency_code,
    one_of,
)
from unified_accounting.schemas.invoices import (
    EXCHANGE_RATE_PLACES,
    INVOICE_TYPES,
    InvoiceLineSchema,
    check_document_amounts,
    document_amounts_hold,
)
from unified_accounting.schemas.payments import allocations_within_hold, check_allocations_within

__all__ = ["CreditNoteAllocationSchema", "CreditNoteSchema"]

CREDIT_NOTE_STATUSES: tuple[str, ...] = get_args(CreditNoteStatus)


class CreditNoteAllocationSchema(RecordSchema):
    """The part of a credit note set against one invoice."""

    model = CreditNoteAllocation

    invoice_id = identifier(required=True, description="An open invoice of the same contact.")
    amount = Money(sign="positive", required=True)
    date = IsoDate(allow_none=True)


class CreditNoteSchema(RecordSchema):
    """A sales credit note (to a customer) or a purchase credit note (from a supplier)."""

    model = CreditNote
    currency_field = "currency"

    id = identifier()
    business_id = identifier()
    type = one_of(INVOICE_TYPES, required=True)
    number = text(50)
    reference = text(100)
    contact_id = identifier(required=True)
    issue_date = IsoDate(required=True)
    invoice_id = identifier(description="The invoice this credit note corrects.")
    currency = currency_code(allow_none=True)
    exchange_rate = Amount(sign="positive", max_places=EXCHANGE_RATE_PLACES, allow_none=True)
    status = one_of(CREDIT_NOTE_STATUSES, allow_none=True)
    tax_inclusive = Flag()
    notes = free_text()
    lines = Records(
        InvoiceLineSchema, required=True, min_items=1,
        too_few="a credit note needs at least one line",
    )
    net_amount = Money(allow_none=True)
    tax_amount = Money(allow_none=True)
    total_amount = Money(allow_none=True)
    amount_allocated = Money(sign="non_negative", allow_none=True)
    amount_remaining = Money(allow_none=True)
    allocations = Records(CreditNoteAllocationSchema)
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    @holds_when(document_amounts_hold)
    def _amounts_add_up(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        check_document_amounts(data, original)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    @holds_when(lambda data: allocations_within_hold(data, "total_amount"))
    def _allocations_within_total(self, data: Mapping[str, Any], original: Any,
                                  **_: Any) -> None:
        check_allocations_within(data, original, "total_amount")
