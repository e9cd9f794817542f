"""Schemas for the general ledger: ledger entries and trial balances."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, get_args

from marshmallow import ValidationError, validates_schema

from unified_accounting.ledger_models import (
    LedgerEntry,
    TransactionType,
    TrialBalance,
    TrialBalanceLine,
)
from unified_accounting.schemas.base import (
    ErrorList,
    RecordSchema,
    failed,
    item_pairs,
    original_mapping,
    raise_at,
    unreadable,
)
from unified_accounting.schemas.common import free_text, identifier, moment, raw_record, text
from unified_accounting.schemas.fields import IsoDate, Money, Records, currency_code, one_of
from unified_accounting.schemas.rules import balance_error, mismatch_error

__all__ = ["LedgerEntrySchema", "TrialBalanceLineSchema", "TrialBalanceSchema"]

TRANSACTION_TYPES: tuple[str, ...] = get_args(TransactionType)
BOTH_SIDES = "has both a debit and a credit; a posting is one or the other"
_SIDES = ("debit", "credit")


def _both_sides(data: Mapping[str, Any], original: Any) -> bool:
    """Whether a posting's debit and credit are both above zero."""
    if unreadable(data, original, _SIDES):
        return False
    return bool(data.get("debit", Decimal(0)) > 0 and data.get("credit", Decimal(0)) > 0)


class LedgerEntrySchema(RecordSchema):
    """One posting of the general ledger."""

    model = LedgerEntry
    currency_field = "currency"

    id = identifier()
    business_id = identifier()
    date = IsoDate(required=True)
    ledger_account_id = identifier(required=True,
                                   description="The ledger account the entry posts to.")
    debit = Money(sign="non_negative")
    credit = Money(sign="non_negative")
    currency = currency_code(allow_none=True)
    description = free_text()
    transaction_id = identifier(
        description="The provider's transaction: every entry of one document shares it.")
    transaction_type = one_of(TRANSACTION_TYPES, allow_none=True)
    contact_id = identifier(description="The customer or supplier of the document, if any.")
    tax_rate_id = identifier()
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _one_side(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        if _both_sides(data, original):
            raise_at("credit", BOTH_SIDES)


class TrialBalanceLineSchema(RecordSchema):
    """One ledger account's netted balance."""

    model = TrialBalanceLine

    ledger_account_id = identifier(required=True)
    code = text(50)
    name = text(255)
    debit = Money(sign="non_negative")
    credit = Money(sign="non_negative")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _one_side(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        if _both_sides(data, original):
            raise ValidationError(BOTH_SIDES)


class TrialBalanceSchema(RecordSchema):
    """Every ledger account's balance at a date; the totals agree with the lines and balance."""

    model = TrialBalance
    currency_field = "currency"

    business_id = identifier()
    as_of = IsoDate(required=True)
    currency = currency_code(allow_none=True)
    lines = Records(TrialBalanceLineSchema)
    total_debit = Money(sign="non_negative")
    total_credit = Money(sign="non_negative")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _totals(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        # Absent lines or totals are what the dataclass defaults to: none, and zero.
        given = "lines" in original_mapping(original)
        lines = item_pairs(data, original, "lines") if given else []
        totals = ("total_debit", "total_credit")
        if lines is None or any(unreadable(line, raw, _SIDES) for line, raw in lines) or any(
                failed(data, original, name) for name in totals):
            return
        currency = data.get("currency")
        debits, credits = (data.get(name) or Decimal(0) for name in totals)
        errors = ErrorList()
        for side, total in zip(_SIDES, (debits, credits), strict=True):
            message = mismatch_error(f"total_{side}", [total], f"the lines' {side}s",
                                     [line.get(side, Decimal(0)) for line, _ in lines], currency)
            if message:
                errors.add((f"total_{side}",), message)
        message = balance_error([debits], [credits], currency)
        if message:
            errors.add(("total_credit",), message)
        errors.raise_if_any()
