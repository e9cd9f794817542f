"""Schemas for the reference records: ledger accounts, tax rates and businesses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from marshmallow import validates_schema

from unified_accounting.models import (
    Business,
    Classification,
    LedgerAccount,
    LedgerAccountType,
    TaxRate,
)
from unified_accounting.schemas.base import RecordSchema, holds_when, in_order, not_before
from unified_accounting.schemas.common import display_name, identifier, moment, raw_record, text
from unified_accounting.schemas.fields import (
    Amount,
    Flag,
    IsoDate,
    country_code,
    currency_code,
    one_of,
)
from unified_accounting.schemas.invoices import TAX_CODES

__all__ = ["BusinessSchema", "LedgerAccountSchema", "TaxRateSchema"]

CLASSIFICATIONS: tuple[str, ...] = get_args(Classification)
LEDGER_ACCOUNT_TYPES: tuple[str, ...] = get_args(LedgerAccountType)
RATE_PLACES = 4


class LedgerAccountSchema(RecordSchema):
    """An account of the chart of accounts."""

    model = LedgerAccount

    id = identifier()
    business_id = identifier()
    code = text(50)
    name = display_name()
    classification = one_of(CLASSIFICATIONS, allow_none=True)
    type = one_of(LEDGER_ACCOUNT_TYPES, allow_none=True)
    tax_rate_id = identifier(description="The tax rate used by default on this account.")
    is_active = Flag()
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()


class TaxRateSchema(RecordSchema):
    """A tax rate of one business."""

    model = TaxRate

    id = identifier()
    business_id = identifier()
    name = display_name()
    code = one_of(TAX_CODES, allow_none=True)
    rate = Amount(
        sign="non_negative",
        max_places=RATE_PLACES,
        allow_none=True,
        metadata={"description": "A percentage: 20 means 20 %."},
    )
    country = country_code(allow_none=True)
    valid_from = IsoDate(allow_none=True)
    valid_to = IsoDate(allow_none=True)
    is_active = Flag()
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()

    @validates_schema(skip_on_field_errors=False)
    @holds_when(lambda data: in_order(data, "valid_from", "valid_to"))
    def _valid_period(self, data: Mapping[str, Any], **_: Any) -> None:
        not_before(data, "valid_from", "valid_to")


class BusinessSchema(RecordSchema):
    """One set of books the connected user can reach."""

    model = Business

    id = identifier()
    name = display_name()
    country = country_code(allow_none=True)
    base_currency = currency_code(allow_none=True)
    is_lead = Flag()
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()
