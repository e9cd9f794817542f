"""The published JSON Schemas and ``ua.load`` agree.

* Generated valid records, dumped to JSON, pass the JSON Schema and load back equal.
* Breaking any one field of a valid document in a way JSON Schema can see (wrong type, null
  where not allowed, a missing required field, an unknown field) fails both, at that path.
* A hand-written corpus of invalid documents fails both.
* The rules JSON Schema cannot express (docs/models.md lists them) pass the JSON Schema and
  fail ``load``, so the list in the docs stays true.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, validate
from model_strategies import STRATEGIES, errors_of, schema_validator

import unified_accounting as ua
from unified_accounting.schemas import SCHEMAS
from unified_accounting.schemas.fields import (
    Amount,
    Flag,
    IsoDate,
    IsoDateTime,
    Records,
    WholeNumber,
)
from unified_accounting.schemas.paths import Path, join

KINDS = sorted(SCHEMAS)
VALIDATORS = {kind: schema_validator(kind) for kind in KINDS}
RELAXED = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
WRONG_VALUES: list[Any] = ["text", 7, 2.5, True, [], {"zz": 1}, None]


def as_json(model: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(ua.dump(model)))
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("kind", KINDS)
@RELAXED
@given(data=st.data())
def test_generated_valid_documents_pass_both(kind: str, data: st.DataObject) -> None:
    model = data.draw(STRATEGIES[kind]())
    document = as_json(model)
    assert [e.message for e in VALIDATORS[kind].iter_errors(document)] == []
    assert ua.load(kind, document) == model


def slots(schema: Schema, document: dict[str, Any], path: Path = ()) -> list[tuple[Path, str, Any]]:
    """Every (container path, field name, field) in a dumped document, nested ones included."""
    found = []
    for name, field in schema.fields.items():
        found.append((path, name, field))
        value = document.get(name)
        if isinstance(field, Records) and isinstance(value, list):
            for index, item in enumerate(value):
                found.extend(slots(field.schema, item, (*path, name, index)))
        elif isinstance(field, fields.Nested) and isinstance(value, dict):
            found.extend(slots(field.schema, value, (*path, name)))
    return found


def container(document: Any, path: Path) -> dict[str, Any]:
    for part in path:
        document = document[part]
    assert isinstance(document, dict)
    return document


@st.composite
def broken(draw: st.DrawFn, kind: str) -> tuple[dict[str, Any], str]:
    """A valid document with one JSON-Schema-visible fault, and the path of the fault."""
    document = as_json(draw(STRATEGIES[kind]()))
    path, name, field = draw(st.sampled_from(slots(SCHEMAS[kind](), document)))
    mutated = copy.deepcopy(document)
    target = container(mutated, path)
    action = draw(st.sampled_from(["value", "unknown", "delete"]))
    if action == "unknown":
        target["zz_unknown"] = 1
        return mutated, join((*path, "zz_unknown"))
    if action == "delete" and field.required:
        del target[name]
        return mutated, join((*path, name))
    candidates = [v for v in WRONG_VALUES if not _load_accepts_type(field, v)]
    target[name] = draw(st.sampled_from(candidates))
    return mutated, join((*path, name))


def _load_accepts_type(field: Any, value: Any) -> bool:
    """Whether ``value`` is no fault for ``field``, or not one JSON Schema can see."""
    if value is None:
        return bool(field.allow_none)
    if isinstance(field, Amount) and isinstance(value, int | float) and value is not True:
        return True  # load's documented leniency: numbers for amounts
    kind = _json_type(value)
    if isinstance(field, Flag):
        return kind == "boolean"
    if isinstance(field, WholeNumber):
        return kind == "integer"
    if isinstance(field, Records):
        return kind == "array" and field.min_items == 0
    if isinstance(field, fields.Nested):
        return False  # {"zz": 1} has an unknown field
    if isinstance(field, fields.Dict):
        return kind == "object"
    # The remaining fields are strings; free text takes "text", constrained strings do not.
    visible = (validate.OneOf, validate.Regexp, validate.Email)
    constrained = isinstance(field, Amount | IsoDate | IsoDateTime) or any(
        isinstance(v, visible) for v in field.validators
    )
    return kind == "string" and not constrained


def _json_type(value: Any) -> str:
    for python_type, name in ((bool, "boolean"), (int, "integer"), (float, "number"),
                              (str, "string"), (list, "array"), (dict, "object")):
        if isinstance(value, python_type):
            return name
    raise TypeError(value)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_visible_fault_fails_both_at_its_path(kind: str, data: st.DataObject) -> None:
    document, path = data.draw(broken(kind))
    assert not VALIDATORS[kind].is_valid(document), (path, document)
    errors = errors_of(kind, document)
    # A bad nested record may be reported inside it: bank_details.zz for {"zz": 1}.
    assert any(p == path or p.startswith((path + ".", path + "[")) for p in errors), errors


INVALID_CORPUS: list[tuple[str, dict[str, Any], str]] = [
    ("contact", {"name": "A"}, "is_customer"),
    ("contact", {"name": "A", "is_customer": False, "is_supplier": False}, "is_customer"),
    ("contact", {"name": "", "is_customer": True}, "name"),
    ("contact", {"name": "A" * 256, "is_customer": True}, "name"),
    ("contact", {"name": "A", "is_customer": True, "email": "no-at-sign"}, "email"),
    ("contact", {"name": "A", "is_customer": True, "credit_days": 366}, "credit_days"),
    ("contact", {"name": "A", "is_customer": True, "credit_days": -1}, "credit_days"),
    ("contact", {"name": "A", "is_customer": True, "credit_limit": "-0.01"}, "credit_limit"),
    ("contact", {"name": "A", "is_customer": True, "credit_limit": "1e3"}, "credit_limit"),
    ("contact", {"name": "A", "is_customer": True, "credit_limit": "1.00\n"}, "credit_limit"),
    ("contact", {"name": "A", "is_customer": True, "credit_limit": "007"}, "credit_limit"),
    ("contact", {"name": "A", "is_customer": True, "credit_limit": "1,000"}, "credit_limit"),
    ("contact", {"name": "A", "is_customer": True, "currency": "gbp"}, "currency"),
    ("contact", {"name": "A", "is_customer": True, "addresses": [{"country": "UK"}]},
     "addresses[0].country"),
    ("contact", {"name": "A", "is_customer": True, "bank_details": {"bic": "NWBK"}},
     "bank_details.bic"),
    ("contact", {"name": "A", "is_customer": True, "bank_details": {"iban": "GB29 NWBK"}},
     "bank_details.iban"),
    ("contact", {"name": "A", "is_customer": True, "created_at": "2026-01-31T09:30:00"},
     "created_at"),
    ("contact", {"name": "A", "is_customer": True, "created_at": "2026-01-31 09:30:00Z"},
     "created_at"),
    ("invoice", {"type": "sales", "contact_id": "c", "issue_date": "2026-01-31", "lines": []},
     "lines"),
    ("invoice", {"type": "sales", "contact_id": "c", "issue_date": "2026-02-30",
                 "lines": [{}]}, "issue_date"),
    ("invoice", {"type": "sales", "contact_id": "c", "issue_date": "2026-1-5",
                 "lines": [{}]}, "issue_date"),
    ("invoice", {"type": "sales", "contact_id": "c", "issue_date": "2026-01-31",
                 "exchange_rate": "0.000", "lines": [{}]}, "exchange_rate"),
    ("invoice", {"type": "sales", "contact_id": "c", "issue_date": "2026-01-31",
                 "lines": [{"quantity": "1.5.0"}]}, "lines[0].quantity"),
    ("payment", {"type": "customer_receipt", "contact_id": "c", "date": "2026-01-31",
                 "amount": "0.00"}, "amount"),
    ("payment", {"type": "customer_receipt", "contact_id": "c", "date": "2026-01-31",
                 "amount": "-5"}, "amount"),
    ("payment", {"type": "customer_receipt", "contact_id": "c", "date": "2026-01-31",
                 "amount": "5", "allocations": [{"invoice_id": "i", "amount": "0"}]},
     "allocations[0].amount"),
    ("journal_entry", {"date": "2026-01-31", "lines": [{"account_id": "a", "debit": "1"}]},
     "lines"),
    ("journal_entry", {"date": "2026-01-31", "lines": [{"debit": "1"},
                                                       {"account_id": "b", "credit": "1"}]},
     "lines[0].account_id"),
    ("journal_entry", {"date": "2026-01-31", "lines": [{"account_id": "a", "debit": "-1"},
                                                       {"account_id": "b", "credit": "1"}]},
     "lines[0].debit"),
    ("ledger_account", {"name": "Sales", "type": "sales"}, "type"),
    ("tax_rate", {"name": "Standard", "rate": "-20"}, "rate"),
    ("business", {"name": "Acme", "base_currency": "EURO"}, "base_currency"),
    ("contact_person", {"name": "Ann", "is_main": "yes"}, "is_main"),
]


@pytest.mark.parametrize(("kind", "document", "path"), INVALID_CORPUS)
def test_invalid_corpus_fails_both(kind: str, document: dict[str, Any], path: str) -> None:
    assert not VALIDATORS[kind].is_valid(document)
    assert path in errors_of(kind, document)


@pytest.mark.parametrize("kind", KINDS)
def test_documents_that_are_not_objects_fail_both(kind: str) -> None:
    for document in (["x"], "x", 1, None):
        assert not VALIDATORS[kind].is_valid(document)
        assert "_schema" in errors_of(kind, document)


def _journal(debit: str, credit: str, first_line: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"date": "2026-01-31", "currency": "GBP", "lines": [
        {"account_id": "a", "debit": debit, **(first_line or {})},
        {"account_id": "b", "credit": credit},
    ]}


def _invoice(**changes: Any) -> dict[str, Any]:
    return {"type": "sales", "contact_id": "c", "issue_date": "2026-01-31", "currency": "GBP",
            "lines": [{"net_amount": "10.00", "tax_amount": "2.00", "total_amount": "12.00"}],
            **changes}


LOAD_ONLY: list[tuple[str, dict[str, Any], str, str]] = [
    ("journal_entry", _journal("100.00", "99.99"), "lines",
     "debits 100.00 != credits 99.99 (difference 0.01)"),
    ("journal_entry", _journal("1", "2", {"credit": "1"}), "lines[0]",
     "has both a debit and a credit; use one line for each"),
    ("journal_entry", _journal("0", "0"), "lines[0]", "needs a debit or a credit above zero"),
    ("journal_entry", _journal("1.005", "1.005"), "lines[0].debit",
     "has more than 2 decimal places for GBP"),
    ("invoice", _invoice(total_amount="12.01"), "total_amount",
     "total_amount 12.01 != sum of line total_amount 12.00 (difference 0.01)"),
    ("invoice", _invoice(lines=[{"net_amount": "1", "tax_amount": "1", "total_amount": "3"}]),
     "lines[0].total_amount",
     "net_amount + tax_amount 2.00 != total_amount 3.00 (difference 1.00)"),
    ("invoice", _invoice(due_date="2026-01-01"), "due_date",
     "must not be before issue_date 2026-01-31"),
    ("invoice", _invoice(lines=[{"quantity": "1.0000001"}]), "lines[0].quantity",
     "must have at most 6 decimal places"),
    ("invoice", _invoice(exchange_rate="1.00000000001"), "exchange_rate",
     "must have at most 10 decimal places"),
    ("invoice", _invoice(currency="JPY", net_amount="10.5"), "net_amount",
     "has more than 0 decimal places for JPY"),
    ("payment", {"type": "customer_receipt", "contact_id": "c", "date": "2026-01-31",
                 "amount": "5", "allocations": [{"invoice_id": "i", "amount": "6"}]},
     "allocations", "allocations 6.00 exceed amount 5.00 (difference 1.00)"),
    ("contact", {"name": "   ", "is_customer": True}, "name", "must not be blank"),
    ("contact", {"name": "A", "is_customer": True, "credit_days": 30.0}, "credit_days",
     "must be a whole number"),
    ("contact", {"name": "A", "is_customer": True,
                 "bank_details": {"iban": "GB00NWBK60161331926819"}},
     "bank_details.iban", "has wrong IBAN check digits"),
    ("tax_rate", {"name": "x", "rate": "20.00001"}, "rate", "must have at most 4 decimal places"),
    ("tax_rate", {"name": "x", "valid_from": "2026-01-02", "valid_to": "2026-01-01"},
     "valid_to", "must not be before valid_from 2026-01-02"),
]


@pytest.mark.parametrize(("kind", "document", "path", "message"), LOAD_ONLY)
def test_rules_json_schema_cannot_express_are_enforced_by_load(
    kind: str, document: dict[str, Any], path: str, message: str
) -> None:
    assert [e.message for e in VALIDATORS[kind].iter_errors(document)] == []
    assert errors_of(kind, document)[path] == [message]


def test_load_refuses_a_date_time_that_is_not_on_the_calendar() -> None:
    # JSON Schema's "format": "date-time" checks this only where jsonschema finds an optional
    # RFC 3339 checker installed (the gateway's test tools bring one), so load must not rely
    # on it.
    document = {"name": "A", "is_customer": True, "created_at": "2026-02-30T10:00:00Z"}
    assert errors_of("contact", document)["created_at"] == [
        "is not a real calendar date and time"]


def test_load_also_takes_numbers_for_amounts_and_dumps_canonical_strings() -> None:
    lenient = {"type": "customer_receipt", "contact_id": "c", "date": "2026-01-31",
               "amount": 100, "currency": "GBP"}
    assert not VALIDATORS["payment"].is_valid(lenient)  # JSON money is a string
    canonical = ua.dump(ua.load("payment", lenient))
    assert canonical["amount"] == "100.00"
    assert VALIDATORS["payment"].is_valid(canonical)
