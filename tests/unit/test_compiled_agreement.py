"""The compiled converters and the marshmallow schemas agree, on valid and invalid records.

``ua.dump``/``ua.load``/``ua.validate_model`` take the compiled plans first; these tests hold
them to the schema of record: the same JSON for every generated model, the same loaded
values, and, for records with a fault (wrong JSON values, rule breaks such as a line total
that does not add up, wrong Python types in a model), the same refusal with the same paths
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
from unified_accounting.schemas import SCHEMAS
from unified_accounting.schemas.compiled import fast_dump, fast_load
from unified_accounting.schemas.paths import flatten

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
