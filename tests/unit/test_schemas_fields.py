"""Each schema mirrors its dataclass, and the strict fields refuse what lenient ones take."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import ValidationError

from unified_accounting.schemas import SCHEMAS, RecordSchema
from unified_accounting.schemas.fields import (
    Amount,
    Flag,
    IsoDate,
    IsoDateTime,
    Money,
    Records,
    Text,
    WholeNumber,
)
from unified_accounting.validation import _SCHEMA_BY_MODEL

ALL_SCHEMAS = sorted(_SCHEMA_BY_MODEL.values(), key=lambda cls: cls.__name__)
# Lists that default to empty in the dataclass but that load requires (and counts).
REQUIRED_LISTS = {("Invoice", "lines"), ("JournalEntry", "lines"), ("CreditNote", "lines")}


def test_every_model_with_a_schema_is_reachable_from_a_kind() -> None:
    names = {cls.model.__name__ for cls in ALL_SCHEMAS}
    assert names == {
        "Address", "BankDetails", "Business", "Contact", "ContactPerson", "Invoice",
        "InvoiceLine", "JournalEntry", "JournalLine", "LedgerAccount", "Payment",
        "PaymentAllocation", "TaxRate", "LedgerEntry", "TrialBalance", "TrialBalanceLine",
        "CreditNote", "CreditNoteAllocation", "Item", "Attachment",
    }
    assert set(SCHEMAS) == {"contact", "contact_person", "invoice", "payment", "journal_entry",
                            "ledger_account", "tax_rate", "business", "ledger_entry",
                            "trial_balance", "credit_note", "item", "attachment"}


@pytest.mark.parametrize("schema_cls", ALL_SCHEMAS, ids=lambda cls: cls.__name__)
def test_schema_fields_mirror_the_dataclass(schema_cls: type[RecordSchema]) -> None:
    model = schema_cls.model
    hints = typing.get_type_hints(model)
    schema = schema_cls()
    assert list(schema.fields) == [f.name for f in dataclasses.fields(model)]
    for field in dataclasses.fields(model):
        declared = schema.fields[field.name]
        optional = _allows_none(hints[field.name])
        assert declared.allow_none is optional, field.name
        has_default = not (field.default is dataclasses.MISSING
                           and field.default_factory is dataclasses.MISSING)
        expected_required = not has_default or (model.__name__, field.name) in REQUIRED_LISTS
        assert declared.required is expected_required, field.name


def _allows_none(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)


@pytest.mark.parametrize("schema_cls", ALL_SCHEMAS, ids=lambda cls: cls.__name__)
def test_decimal_fields_are_amounts_and_money_sits_under_a_currency(
    schema_cls: type[RecordSchema],
) -> None:
    hints = typing.get_type_hints(schema_cls.model)
    for name, field in schema_cls().fields.items():
        if Decimal in (hints[name], *typing.get_args(hints[name])):
            assert isinstance(field, Amount), name


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (Flag(), 1), (Flag(), "true"), (Flag(), "yes"), (Flag(), None),
        (WholeNumber(), True), (WholeNumber(), 1.0), (WholeNumber(), "1"),
        (Text(max_length=5), b"bytes"), (Text(max_length=5), 5),
        (IsoDate(), datetime(2026, 1, 1, tzinfo=UTC)), (IsoDate(), "2026-1-1"),
        (IsoDate(), "2026-01-01T00:00:00Z"), (IsoDate(), 20260101),
        (IsoDateTime(), datetime(2026, 1, 1)), (IsoDateTime(), date(2026, 1, 1)),
        (IsoDateTime(), datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=30)))),
        (IsoDateTime(), "2026-01-01T00:00:00+0100"), (IsoDateTime(), "2026-01-01T24:00:00Z"),
        (Money(), True), (Money(), "ten"), (Money(), float("nan")), (Money(), [1]),
        (Amount(sign="positive"), "-0"), (Amount(sign="positive"), "0.000"),
        (Amount(sign="non_negative"), Decimal("-0")),
    ],
)
def test_strict_fields_refuse(field: Any, value: Any) -> None:
    with pytest.raises(ValidationError):
        field.deserialize(value)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (IsoDate(), date(2026, 1, 31), date(2026, 1, 31)),
        (IsoDateTime(), "2026-01-31T09:30:00Z", datetime(2026, 1, 31, 9, 30, tzinfo=UTC)),
        (Amount(max_places=2), 1.25, Decimal("1.25")),
        (Amount(sign="non_negative"), "0", Decimal(0)),
        (WholeNumber(), 12, 12),
    ],
)
def test_strict_fields_accept(field: Any, value: Any, expected: Any) -> None:
    assert field.deserialize(value) == expected


def test_amount_dump_refuses_floats_instead_of_formatting_them() -> None:
    with pytest.raises(TypeError, match="must be a Decimal, not float"):
        Money().serialize("amount", {"amount": 1.5})
    assert Money().serialize("amount", {"amount": Decimal("1E+3")}) == "1000"


def test_records_report_a_short_list_together_with_item_errors() -> None:
    from unified_accounting.schemas import JournalLineSchema

    field = Records(JournalLineSchema, min_items=2, too_few="two please")
    with pytest.raises(ValidationError) as caught:
        field.deserialize([{"account_id": "a", "debit": "x"}])
    assert caught.value.messages == {
        0: {"debit": ["must be a decimal number written like 1200.00"]},
        "_schema": ["two please"],
    }
