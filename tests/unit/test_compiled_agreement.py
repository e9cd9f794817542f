"""The compiled converters and the marshmallow schemas agree, on valid and invalid records.

``ua.dump``/``ua.load``/``ua.validate_model`` take the compiled functions first; these tests
hold them to the schema of record: the same JSON for every generated model, the same loaded
values, and, for records with a fault (wrong JSON values, rule breaks such as a line total
that does not add up or a price that does not make the line amount, amounts in a model that
do not fit the currency, wrong Python types in a model), the same refusal with the same paths
and messages as marshmallow alone gives.
"""

from __future__ import annotations

import copy
import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError as SchemaError
from model_strategies import STRATEGIES
from test_schemas_agreement import WRONG_VALUES, as_json, container, slots

import unified_accounting as ua
from unified_accounting import validation
from unified_accounting.money import minor_units
from unified_accounting.schemas import SCHEMAS
from unified_accounting.schemas.compiled import (
    compiled_operations,
    fast_check,
    fast_dump,
    fast_load,
)
from unified_accounting.schemas.paths import flatten
from unified_accounting.schemas.rules import line_amount

KINDS = sorted(SCHEMAS)
RELAXED = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def marshmallow_errors(kind: str, document: Any) -> dict[str, list[str]] | None:
    try:
        SCHEMAS[kind]().load(document)
    except SchemaError as exc:
        return flatten(exc.messages)
    return None


def load_errors(kind: str, document: Any) -> dict[str, list[str]] | None:
    try:
        ua.load(kind, document)
    except ua.ValidationError as exc:
        return exc.errors
    return None


@pytest.mark.parametrize("kind", KINDS)
@RELAXED
@given(data=st.data())
def test_valid_models_dump_and_load_the_same_both_ways(kind: str, data: st.DataObject) -> None:
    model = data.draw(STRATEGIES[kind]())
    schema = SCHEMAS[kind]()
    dumped = fast_dump(SCHEMAS[kind], model)
    assert dumped == schema.dump(model)
    document = as_json(model)
    assert fast_load(SCHEMAS[kind], document) == schema.load(document)
    ua.validate_model(model)  # no error on either path


@st.composite
def faulty(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A valid document with one value replaced by a wrong one, or an amount changed."""
    document = as_json(draw(STRATEGIES[kind]()))
    path, name, _field = draw(st.sampled_from(slots(SCHEMAS[kind](), document)))
    mutated = copy.deepcopy(document)
    target = container(mutated, path)
    if isinstance(target.get(name), str) and draw(st.booleans()):
        # Nudging a number breaks a cross-field rule (sums, places) rather than a field.
        try:
            step = Decimal(draw(st.sampled_from(["0.01", "1", "0.001"])))
            target[name] = str(Decimal(target[name]) + step)
        except ArithmeticError:
            target[name] = draw(st.sampled_from(WRONG_VALUES))
    else:
        target[name] = draw(st.sampled_from([*WRONG_VALUES, "", "x" * 300, "-1"]))
    return mutated


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_faulty_documents_give_the_same_errors(kind: str, data: st.DataObject) -> None:
    document = data.draw(faulty(kind))
    expected = marshmallow_errors(kind, document)
    assert load_errors(kind, document) == expected
    # The compiled plans never accept what the schema refuses.
    assert (fast_load(SCHEMAS[kind], document) is None) == (expected is not None)


@pytest.mark.parametrize("kind", KINDS)
@RELAXED
@given(data=st.data())
def test_models_with_a_wrong_python_type_give_the_same_errors(
    kind: str, data: st.DataObject
) -> None:
    model = data.draw(STRATEGIES[kind]())
    field = data.draw(st.sampled_from(dataclasses.fields(model)))
    wrong = data.draw(st.sampled_from([2.5, "text", 7, True, [], None]))
    broken = dataclasses.replace(model, **{field.name: wrong})
    assert validate_errors(broken, ua.validate_model) == validate_errors(
        broken, lambda m: validation._check_with_marshmallow(SCHEMAS[kind], m)
    )
    assert dump_errors(broken) == dump_slow_errors(kind, broken)


def validate_errors(model: Any, check: Any) -> dict[str, list[str]] | None:
    try:
        check(model)
    except ua.ValidationError as exc:
        return exc.errors
    return None


def dump_errors(model: Any) -> Any:
    try:
        return ua.dump(model)
    except ua.ValidationError as exc:
        return exc.errors


def dump_slow_errors(kind: str, model: Any) -> Any:
    _native, type_errors = validation._to_native(model, ())
    return type_errors or SCHEMAS[kind]().dump(model)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_mirror_dump_is_the_dump_without_remote_data(kind: str, data: st.DataObject) -> None:
    model = data.draw(STRATEGIES[kind]())
    expected = ua.dump(model)
    expected.pop("remote_data", None)
    assert validation.dump_without_remote(model) == expected


def decimal_slots(model: Any) -> list[tuple[Any, str]]:
    """Every (record, attribute) of ``model`` holding a Decimal, nested records included."""
    found = []
    for field in dataclasses.fields(model):
        value = getattr(model, field.name)
        if isinstance(value, Decimal):
            found.append((model, field.name))
        items = value if isinstance(value, list) else [value]
        for item in items:
            if dataclasses.is_dataclass(item) and not isinstance(item, type):
                found.extend(decimal_slots(item))
    return found


NUDGES = ["0.01", "1", "0.001", "-5", "1E+3", "-0", "NaN", "0.0000001"]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_models_that_break_a_rule_give_the_same_errors(kind: str, data: st.DataObject) -> None:
    model = copy.deepcopy(data.draw(STRATEGIES[kind]()))
    slots_found = decimal_slots(model)
    if slots_found:
        record, name = data.draw(st.sampled_from(slots_found))
        nudge = Decimal(data.draw(st.sampled_from(NUDGES)))
        changed = nudge if not nudge.is_finite() or "E" in str(nudge) or data.draw(
            st.booleans()) else getattr(record, name) + nudge
        setattr(record, name, changed)
    expected = validate_errors(model, lambda m: validation._check_with_marshmallow(
        SCHEMAS[kind], m))
    assert validate_errors(model, ua.validate_model) == expected
    # Amounts that str() writes with an exponent are left to marshmallow, valid or not.
    exponent = any("E" in str(getattr(r, n)) for r, n in decimal_slots(model))
    assert fast_check(SCHEMAS[kind], model) == (expected is None and not exponent)
    assert dump_errors(model) == dump_slow_errors(kind, model)


@st.composite
def priced_invoices(draw: st.DrawFn) -> ua.Invoice:
    """Invoices whose lines carry a price and the amounts it implies (the price rule holds)."""
    invoice = draw(STRATEGIES["invoice"]())
    lines = []
    for line in invoice.lines:
        price = draw(st.integers(0, 10**8).map(lambda u: Decimal(u).scaleb(-4)))
        discount = draw(st.none() | st.just(Decimal(0)) | st.just(Decimal("1")))
        implied = line_amount(line.quantity, price, discount, invoice.currency)
        tax = Decimal(draw(st.integers(0, 999))).scaleb(-minor_units(invoice.currency))
        net, total = ((implied - tax, implied) if invoice.tax_inclusive
                      else (implied, implied + tax))
        lines.append(dataclasses.replace(line, unit_price=price, discount_amount=discount,
                                         net_amount=net, tax_amount=tax, total_amount=total))
    totals = {name: sum((getattr(line, name) for line in lines), Decimal(0))
              for name in ("net_amount", "tax_amount", "total_amount")}
    return dataclasses.replace(invoice, lines=lines, **totals)


@RELAXED
@given(invoice=priced_invoices(), nudge=st.sampled_from([None, "0.01", "-1"]))
def test_priced_invoices_agree_on_both_paths(invoice: ua.Invoice, nudge: str | None) -> None:
    if nudge is not None:
        line = invoice.lines[0]
        invoice.lines[0] = dataclasses.replace(line, net_amount=line.net_amount + Decimal(nudge))
    schema = SCHEMAS["invoice"]()
    expected = validate_errors(invoice, lambda m: validation._check_with_marshmallow(
        SCHEMAS["invoice"], m))
    assert validate_errors(invoice, ua.validate_model) == expected
    document = as_json(invoice)
    assert load_errors("invoice", document) == marshmallow_errors("invoice", document)
    if expected is None:
        assert fast_load(SCHEMAS["invoice"], document) == schema.load(document)


@pytest.mark.parametrize("kind", KINDS)
def test_every_schema_is_compiled(kind: str) -> None:
    assert compiled_operations(SCHEMAS[kind]) == {"load", "check", "dump", "build"}


def test_money_written_in_code_dumps_as_marshmallow_writes_it() -> None:
    contact = ua.Contact(name="A", is_customer=True, currency="GBP",
                         credit_limit=Decimal("-0.0"))
    for value in ["-0.0", "1E+3", "1.234", "251.0", "NaN"]:
        contact.credit_limit = Decimal(value)
        assert ua.dump(contact) == SCHEMAS["contact"]().dump(contact)
    assert ua.dump(dataclasses.replace(contact, credit_limit=Decimal("-0.0")))[
        "credit_limit"] == "0.00"
