"""A record schema added later is compiled with no code of its own, and never gives other answers.

The schemas here are written the way a new unified record would be: a document with
currency, lines of the invoice kind, a cross-field rule with no ``holds_when`` test (called
as it is), and, in the second one, field classes the generator does not know (a marshmallow
``List`` and a subclass of ``Money``), which it hands to marshmallow field by field or, where
it cannot, for the whole operation. Both paths must agree on valid and broken documents.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError as SchemaError
from marshmallow import fields, validates_schema
from model_strategies import STRATEGIES
from test_schemas_agreement import WRONG_VALUES, container, slots

from unified_accounting.models import InvoiceLine
from unified_accounting.money import minor_units
from unified_accounting.schemas import InvoiceLineSchema
from unified_accounting.schemas.base import RecordSchema, item_pairs, raise_at
from unified_accounting.schemas.common import identifier
from unified_accounting.schemas.compiled import (
    compiled_operations,
    fast_check,
    fast_dump,
    fast_load,
    fast_load_model,
)
from unified_accounting.schemas.fields import IsoDate, Money, Records, Text, currency_code
from unified_accounting.schemas.rules import mismatch_error

CHECKED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(kw_only=True)
class Refund:
    id: str | None = None
    currency: str | None = None
    issue_date: date
    lines: list[InvoiceLine] = field(default_factory=list)
    total_amount: Decimal | None = None


class RefundSchema(RecordSchema):
    model = Refund
    currency_field = "currency"

    id = identifier()
    currency = currency_code(allow_none=True)
    issue_date = IsoDate(required=True)
    lines = Records(InvoiceLineSchema, required=True, min_items=1)
    total_amount = Money(allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _total_is_sum(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        pairs = item_pairs(data, original, "lines")
        if pairs is None or data.get("total_amount") is None:
            return
        totals = [line.get("total_amount") for line, _raw in pairs]
        if any(total is None for total in totals):
            return
        message = mismatch_error("total_amount", [data["total_amount"]], "sum of lines",
                                 totals, data.get("currency"))
        if message:
            raise_at("total_amount", message)


class Fee(Money):
    """A Money field of a class the generator does not know."""


@dataclass(kw_only=True)
class TaggedRefund(Refund):
    tags: list[str] = field(default_factory=list)
    fee: Decimal | None = None


class TaggedRefundSchema(RefundSchema):
    model = TaggedRefund

    tags = fields.List(Text(max_length=5))
    fee = Fee(sign="non_negative", allow_none=True)


@st.composite
def refunds(draw: st.DrawFn, tagged: bool) -> Refund:
    invoice = draw(STRATEGIES["invoice"]())
    totals = [line.total_amount for line in invoice.lines]
    total = None if None in totals else sum(totals, Decimal(0))
    common = {"currency": invoice.currency, "issue_date": invoice.issue_date,
              "lines": invoice.lines, "total_amount": total}
    if not tagged:
        return Refund(**common)
    places = minor_units(invoice.currency)
    fee = draw(st.none() | st.integers(0, 10**6).map(lambda u: Decimal(u).scaleb(-places)))
    return TaggedRefund(**common, tags=draw(st.lists(st.text(max_size=5), max_size=2)), fee=fee)


def document_of(schema_cls: type[RecordSchema], model: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(schema_cls().dump(model)))
    assert isinstance(document, dict)
    return document


def marshmallow_load(schema_cls: type[RecordSchema], document: Any) -> Any:
    try:
        return schema_cls().load(document)
    except SchemaError as exc:
        return ("errors", exc.messages)


SCHEMA_CASES = [(RefundSchema, False), (TaggedRefundSchema, True)]


def test_a_schema_of_known_fields_is_compiled_whole() -> None:
    assert compiled_operations(RefundSchema) == {"load", "check", "dump", "build"}


def test_unknown_field_classes_are_left_to_marshmallow_where_needed() -> None:
    # Loading calls the unknown fields' own deserialize; the model check and the dump,
    # which cannot, stay with marshmallow for this schema.
    assert compiled_operations(TaggedRefundSchema) == {"load", "build"}


@pytest.mark.parametrize(("schema_cls", "tagged"), SCHEMA_CASES)
@CHECKED
@given(data=st.data())
def test_valid_documents_load_the_same(
    schema_cls: type[RecordSchema], tagged: bool, data: st.DataObject
) -> None:
    model = data.draw(refunds(tagged))
    document = document_of(schema_cls, model)
    loaded = fast_load(schema_cls, document)
    assert loaded is not None
    assert loaded == schema_cls().load(document)
    assert fast_load_model(schema_cls, document) == model
    if not tagged:
        assert fast_dump(schema_cls, model) == schema_cls().dump(model)
        assert fast_check(schema_cls, model)


@pytest.mark.parametrize(("schema_cls", "tagged"), SCHEMA_CASES)
@CHECKED
@given(data=st.data())
def test_broken_documents_are_refused_as_marshmallow_refuses_them(
    schema_cls: type[RecordSchema], tagged: bool, data: st.DataObject
) -> None:
    document = document_of(schema_cls, data.draw(refunds(tagged)))
    path, name, _field = data.draw(st.sampled_from(slots(schema_cls(), document)))
    broken = copy.deepcopy(document)
    target = container(broken, path)
    if isinstance(target.get(name), str) and data.draw(st.booleans()):
        try:
            target[name] = str(Decimal(target[name]) + Decimal("0.01"))
        except ArithmeticError:
            target[name] = "x" * 7
    else:
        target[name] = data.draw(st.sampled_from([*WRONG_VALUES, "", "x" * 7, "-1"]))
    expected = marshmallow_load(schema_cls, broken)
    got = fast_load(schema_cls, broken)
    if isinstance(expected, tuple):
        assert got is None
    else:
        assert got == expected


def test_a_rule_without_a_test_is_run_as_it_is() -> None:
    line = {"total_amount": "10.00"}
    good = {"issue_date": "2026-01-31", "currency": "GBP", "lines": [line],
            "total_amount": "10"}
    assert fast_load(RefundSchema, good) == RefundSchema().load(good)
    assert fast_load(RefundSchema, {**good, "total_amount": "10.01"}) is None
