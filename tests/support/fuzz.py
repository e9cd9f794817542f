"""Hypothesis strategies for fuzzing: random documents and random model objects.

``documents(kind)`` follows the committed JSON Schema of a unified model (``schemas/``), so a
good share of its output is valid or nearly so, and now and then puts any JSON value where a
field belongs, drops a required field or adds an unknown one. ``models(cls)`` builds the
dataclass itself with values of the hinted types, plausible ones first, and sometimes a value
of the wrong type. Neither knows any rule of the models beyond their schemas and type hints.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union

from hypothesis import strategies as st

import unified_accounting as ua
from unified_accounting.json_validation import schema_directory

SCHEMAS = Path(str(schema_directory()))

JUNK: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                               max_size=3),
    max_leaves=6,
)
SMALL_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
AMOUNTS = st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False)
ANY_DECIMAL = st.decimals(allow_nan=True, allow_infinity=True)
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), None])


#: One valid document per kind, the starting point of most fuzzed documents.
VALID_DOCUMENTS: dict[str, dict[str, Any]] = {
    "business": {"name": "Northwind Ltd", "country": "GB", "base_currency": "GBP"},
    "contact": {"name": "Northwind", "is_customer": True, "reference": "NW1",
                "email": "ap@northwind.example", "currency": "GBP", "credit_limit": "5000",
                "addresses": [{"type": "billing", "line1": "1 High St", "city": "Leeds",
                               "postal_code": "LS1 1AA", "country": "GB"}]},
    "contact_person": {"name": "Jane Smith", "email": "jane@northwind.example",
                       "is_main": True},
    "invoice": {"type": "sales", "contact_id": "c1", "issue_date": "2025-03-01",
                "due_date": "2025-03-31", "currency": "GBP", "reference": "PO-1",
                "lines": [{"description": "Consulting", "quantity": "2",
                           "unit_price": "125.50", "account_id": "4000",
                           "tax_rate_id": "GB_STANDARD"}]},
    "journal_entry": {"date": "2025-03-31", "reference": "ACC-1", "currency": "GBP",
                      "lines": [{"account_id": "7000", "debit": "250.00"},
                                {"account_id": "2109", "credit": "250.00"}]},
    "ledger_account": {"name": "Consulting income", "code": "4010",
                       "classification": "revenue", "type": "revenue"},
    "payment": {"type": "customer_receipt", "contact_id": "c1", "date": "2025-03-02",
                "amount": "251.00", "currency": "GBP", "reference": "R-1",
                "allocations": [{"invoice_id": "i1", "amount": "251.00"}]},
    "tax_rate": {"name": "Standard 20%", "code": "standard", "rate": "20", "country": "GB"},
    "ledger_entry": {"date": "2025-03-01", "ledger_account_id": "la1100", "debit": "120.00",
                     "currency": "GBP", "transaction_id": "t1",
                     "transaction_type": "sales_invoice", "contact_id": "c1"},
    "trial_balance": {"as_of": "2025-03-31", "currency": "GBP", "lines": [
        {"ledger_account_id": "la1100", "code": "1100", "debit": "120.00"},
        {"ledger_account_id": "la4000", "code": "4000", "credit": "120.00"}],
        "total_debit": "120.00", "total_credit": "120.00"},
    "credit_note": {"type": "sales", "contact_id": "c1", "issue_date": "2025-03-05",
                    "invoice_id": "i1", "currency": "GBP", "total_amount": "60.00",
                    "lines": [{"description": "Goodwill", "unit_price": "50.00",
                               "net_amount": "50.00", "tax_amount": "10.00",
                               "total_amount": "60.00", "item_id": "p1"}],
                    "allocations": [{"invoice_id": "i1", "amount": "60.00"}]},
    "item": {"type": "product", "code": "W-1", "description": "Widget",
             "sales_price": "12.345", "purchase_price": "7.5", "sales_account_id": "4000",
             "purchase_account_id": "5000", "is_active": True},
    "attachment": {"file_name": "receipt.pdf", "mime_type": "application/pdf", "size": 2048,
                   "description": "Scanned receipt", "attached_to_kind": "invoice",
                   "attached_to_id": "i1"},
}


@cache
def _schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))
    return loaded


def documents(kind: str) -> st.SearchStrategy[Any]:
    """Documents for ``ua.load(kind, ...)``: a valid one changed in a few places, one shaped
    by the schema alone, or any JSON value."""
    root = _schema(kind)
    return st.one_of(_mutated_document(kind), _for(root, root, depth=0), JUNK)


@st.composite
def _mutated_document(draw: st.DrawFn, kind: str) -> Any:
    """A valid document with up to three fields replaced, dropped or added."""
    root = _schema(kind)
    document = json.loads(json.dumps(VALID_DOCUMENTS[kind]))
    names = sorted(root["properties"])
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(names))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "replace":
            document[name] = draw(_for(root["properties"][name], root, depth=1))
        elif action == "drop":
            document.pop(name, None)
        else:
            document[draw(st.text(min_size=1, max_size=6))] = draw(JUNK)
    return document


def rarely(strategy: st.SearchStrategy[Any], other: st.SearchStrategy[Any],
           one_in: int = 8) -> st.SearchStrategy[Any]:
    """``strategy`` mostly, ``other`` about once in ``one_in`` draws."""
    return st.integers(1, one_in).flatmap(lambda n: other if n == 1 else strategy)


def _for(node: dict[str, Any], root: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    """A strategy for one schema node, now and then replaced by junk."""
    shaped = _shaped(node, root, depth)
    return rarely(shaped, JUNK) if depth else shaped


def _shaped(node: dict[str, Any], root: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "$ref" in node:
        return _for(root["$defs"][node["$ref"].rsplit("/", 1)[1]], root, depth)
    if "anyOf" in node and "properties" not in node:
        return st.one_of([_for(option, root, depth) for option in node["anyOf"]])
    if "enum" in node:
        return st.sampled_from(node["enum"]) | SMALL_TEXT
    if "const" in node:
        return st.just(node["const"])
    types = node.get("type", "object")
    options = [types] if isinstance(types, str) else list(types)
    return st.one_of([_typed(kind, node, root, depth) for kind in options])


def _typed(kind: str, node: dict[str, Any], root: dict[str, Any],
           depth: int) -> st.SearchStrategy[Any]:
    if kind == "object":
        return _object(node, root, depth)
    if kind == "array":
        items = node.get("items", {})
        return st.lists(_for(items, root, depth + 1), max_size=4 if depth < 2 else 1)
    if kind == "string":
        return _string(node)
    simple: dict[str, st.SearchStrategy[Any]] = {
        "integer": st.integers(-10, 400) | st.integers(), "number": st.floats() | st.integers(),
        "boolean": st.booleans(), "null": st.none(),
    }
    return simple[kind]


def _string(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    fmt = node.get("format")
    if fmt == "date":
        return rarely(st.dates().map(date.isoformat), SMALL_TEXT)
    if fmt == "date-time":
        return rarely(st.datetimes(timezones=ZONES).map(datetime.isoformat), SMALL_TEXT)
    if fmt == "email":
        return rarely(st.emails(), SMALL_TEXT)
    pattern = node.get("pattern")
    if pattern:
        cleaned = pattern.removeprefix("^").removesuffix("$(?!\\n)").removesuffix("$")
        shaped = st.from_regex(re.compile(cleaned), fullmatch=True) | AMOUNTS.map(str)
        return rarely(shaped, SMALL_TEXT)
    return rarely(st.text(min_size=1, max_size=20), st.just("") | st.text(min_size=256,
                                                                         max_size=300))


def _object(node: dict[str, Any], root: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    properties: dict[str, Any] = node.get("properties", {})
    required = set(node.get("required", ()))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        document: dict[str, Any] = {}
        for name, sub in properties.items():
            # Required fields are nearly always there, others about a third of the time.
            wanted = draw(st.integers(0, 19)) < (19 if name in required else 6)
            if wanted and depth < 3:
                document[name] = draw(_for(sub, root, depth + 1))
        if draw(st.integers(0, 19)) == 0:
            document[draw(st.text(min_size=1, max_size=6))] = draw(JUNK)
        return document

    return build()


# -- model objects ------------------------------------------------------------------------------

def models(cls: type[Any], seed: Any = None, depth: int = 0) -> st.SearchStrategy[Any]:
    """Instances of a unified dataclass: ``seed`` with a few fields changed, or a new one
    with random values; now and then a value of the wrong type."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: _value(hints[f.name], depth) for f in dataclasses.fields(cls) if f.init}
    fresh = st.builds(cls, **fields)
    if seed is None:
        return fresh

    @st.composite
    def changed(draw: st.DrawFn) -> Any:
        names = draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True))
        return dataclasses.replace(seed, **{name: draw(fields[name]) for name in names})

    return st.one_of(changed(), fresh)


def _value(hint: Any, depth: int) -> st.SearchStrategy[Any]:
    return rarely(_of_type(hint, depth), JUNK, 6) if depth < 2 else _of_type(hint, depth)


def _of_type(hint: Any, depth: int) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, UnionType):
        return st.one_of([_of_type(arg, depth) for arg in args])
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(models(args[0], depth=depth + 1) if dataclasses.is_dataclass(args[0])
                        else _of_type(args[0], depth + 1), max_size=3 if depth < 1 else 1)
    if dataclasses.is_dataclass(hint):
        return models(typing.cast(type[Any], hint), depth=depth + 1)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        type(None): st.none(), str: rarely(st.text(min_size=1, max_size=12), SMALL_TEXT),
        bool: st.booleans(),
        int: st.integers(-5, 400), Decimal: AMOUNTS | ANY_DECIMAL,
        date: st.dates(), datetime: st.datetimes(timezones=ZONES),
    }
    if hint in simple:
        return simple[hint]
    if origin is dict:
        return st.dictionaries(st.text(max_size=4), JUNK, max_size=2)
    raise TypeError(f"no strategy for {hint!r}")


def check_error_paths(error: ua.ValidationError, allowed_roots: set[str]) -> None:
    """Assert that a ValidationError names fields: every path starts at a known field.

    Raises:
        AssertionError: naming the offending path or message.
    """
    assert error.errors, "a ValidationError must name at least one field"
    for path, messages in error.errors.items():
        assert isinstance(path, str), path
        assert path, path
        # An unknown key is reported under its own name, dots or brackets included.
        root = path if path in allowed_roots else re.split(r"[.\[]", path, maxsplit=1)[0]
        assert root in allowed_roots, (path, sorted(allowed_roots))
        assert messages, path
        assert all(isinstance(m, str) and m for m in messages), (path, messages)
