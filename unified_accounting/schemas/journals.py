"""Schemas for manual journals: balanced debits and credits."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, validates_schema

from unified_accounting.models import JournalEntry, JournalLine
from unified_accounting.schemas.base import (
    RecordSchema,
    holds_when,
    item_pairs,
    raise_at,
    unreadable,
)
from unified_accounting.schemas.common import identifier, moment, raw_record, text
from unified_accounting.schemas.fields import IsoDate, Money, Records, currency_code
from unified_accounting.schemas.rules import balance_error, exact_sum

__all__ = ["JournalEntrySchema", "JournalLineSchema"]

ACCOUNT_REQUIRED = "account_id or account_concept is required"
BOTH_SIDES = "has both a debit and a credit; use one line for each"
NEITHER_SIDE = "needs a debit or a credit above zero"
TOO_FEW_LINES = "a journal entry needs at least two lines"
_ZERO = Decimal(0)


class JournalLineSchema(RecordSchema):
    """One side of a journal."""

    model = JournalLine
    json_schema_extra = {
        "anyOf": [
            {"properties": {"account_id": {"type": "string"}}, "required": ["account_id"]},
            {
                "properties": {"account_concept": {"type": "string"}},
                "required": ["account_concept"],
            },
        ]
    }

    account_id = identifier(description="The ledger account the line posts to.")
    account_concept = text(
        100, metadata={"description": "A product concept the provider maps to an account."}
    )
    description = text(255)
    debit = Money(sign="non_negative")
    credit = Money(sign="non_negative")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    @holds_when(lambda data: data.get("account_id") is not None
                or data.get("account_concept") is not None)
    def _names_an_account(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        if unreadable(data, original, ("account_id", "account_concept")):
            return
        if data.get("account_id") is None and data.get("account_concept") is None:
            raise_at("account_id", ACCOUNT_REQUIRED)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    @holds_when(lambda data: (data.get("debit", _ZERO) > 0) != (data.get("credit", _ZERO) > 0))
    def _one_side(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        if unreadable(data, original, ("debit", "credit")):
            return
        debit = data.get("debit", Decimal(0)) > 0
        credit = data.get("credit", Decimal(0)) > 0
        if debit and credit:
            raise ValidationError(BOTH_SIDES)
        if not (debit or credit):
            raise ValidationError(NEITHER_SIDE)


class JournalEntrySchema(RecordSchema):
    """A manual journal whose debits and credits balance exactly."""

    model = JournalEntry
    currency_field = "currency"

    id = identifier()
    business_id = identifier()
    date = IsoDate(required=True)
    reference = text(255)
    description = text(255)
    currency = currency_code(allow_none=True)
    lines = Records(JournalLineSchema, required=True, min_items=2, too_few=TOO_FEW_LINES)
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    @holds_when(lambda data: _balances_holds(data))
    def _balances(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        lines = item_pairs(data, original, "lines")
        if lines is None:
            return
        debits, credits = [], []
        for line, raw in lines:
            if unreadable(line, raw, ("debit", "credit")):
                return
            debits.append(line.get("debit", Decimal(0)))
            credits.append(line.get("credit", Decimal(0)))
        message = balance_error(debits, credits, data.get("currency"))
        if message:
            raise_at("lines", message)


def _balances_holds(data: Mapping[str, Any]) -> bool:
    """``_balances`` finds nothing (on a record whose every field loaded)."""
    lines = data.get("lines")
    if not isinstance(lines, list):
        return True
    debits = exact_sum(line.get("debit", _ZERO) for line in lines)
    return debits == exact_sum(line.get("credit", _ZERO) for line in lines)
