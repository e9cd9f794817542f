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
    item_pairs,
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
        lines = item_pairs(data, original, "lines")
        if lines is None or any(unreadable(line, raw, _SIDES) for line, raw in lines):
            return
        errors = ErrorList()
        for side in _SIDES:
            total = data.get(f"total_{side}")
            message = total is not None and mismatch_error(
                f"total_{side}", [total], f"the lines' {side}s",
                [line.get(side, Decimal(0)) for line, _ in lines], data.get("currency"))
            if message:
                errors.add((f"total_{side}",), message)
        debits, credits = data.get("total_debit"), data.get("total_credit")
        if debits is not None and credits is not None:
            message = balance_error([debits], [credits], data.get("currency"))
            if message:
                errors.add(("total_credit",), message)
        errors.raise_if_any()
