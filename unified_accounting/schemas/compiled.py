"""Plain converters compiled once from the record schemas, for the hot path of JSON in and out.

marshmallow stays the schema of record: every field, validator and cross-field rule is the
one the schema classes declare. What this module removes is marshmallow's per-record
machinery (error stores, hook resolution, type introspection of the dataclasses): each
schema class is turned once into a list of field plans, and a record is then converted by
walking that list.

The plans only take the happy path. The moment a value is of the wrong type, a field refuses
it or a cross-field rule objects, the caller is told (``None``/``False``) and runs the full
marshmallow path, which reports every error exactly as before. Cross-field rules are not
copied: the schema's own ``validates_schema`` and ``post_load`` hooks are called, so a rule
added to a schema applies to both paths at once.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal, Union

from marshmallow import ValidationError, missing
from marshmallow.decorators import POST_LOAD, VALIDATES_SCHEMA

from unified_accounting import money
from unified_accounting.schemas.base import RecordSchema
from unified_accounting.schemas.fields import Amount, IsoDate, IsoDateTime, Money, RawRecord
from unified_accounting.schemas.fields import Record as RecordField
from unified_accounting.schemas.fields import Records as RecordsField

__all__ = ["fast_dump", "fast_load", "fast_native"]

Check = Callable[[Any], bool]


class _Refused(Exception):
    """Raised inside the fast path when the slow path must report what is wrong."""


@dataclass(frozen=True)
class _FieldPlan:
    name: str
    field: Any
    nested: type[RecordSchema] | None
    many: bool
    kind: str  # "money", "amount", "iso", "raw" or "plain": how a value is dumped
    check: Check  # the Python type check of the dataclass attribute


@cache
def _schema(schema_cls: type[RecordSchema]) -> RecordSchema:
    return schema_cls()


@cache
def _plans(schema_cls: type[RecordSchema]) -> tuple[_FieldPlan, ...]:
    schema = _schema(schema_cls)
    hints = typing.get_type_hints(schema_cls.model)
    plans = []
    for name, field in schema.fields.items():
        nested = None
        if isinstance(field, RecordsField | RecordField):
            nested = typing.cast(type[RecordSchema], type(field.schema))
        plans.append(
            _FieldPlan(
                name=name,
                field=field,
                nested=nested,
                many=isinstance(field, RecordsField),
                kind=_dump_kind(field),
                check=_check_for(hints[name]),
            )
        )
    return tuple(plans)


def _dump_kind(field: Any) -> str:
    if isinstance(field, Money):
        return "money"
    if isinstance(field, Amount):
        return "amount"
    if isinstance(field, IsoDate | IsoDateTime):
        return "iso"
    if isinstance(field, RawRecord):
        return "raw"
    return "plain"


def _check_for(hint: Any) -> Check:
    """Compile a type hint into a check; mirrors ``validation._convert`` (same verdicts)."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        (inner,) = [option for option in typing.get_args(hint) if option is not type(None)]
        inner_check = _check_for(inner)
        return lambda value: value is None or inner_check(value)
    if origin is list:
        item_check = _check_for(typing.get_args(hint)[0])
        return lambda value: isinstance(value, list) and all(map(item_check, value))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return lambda value: isinstance(value, hint)
    return _scalar_check(hint, origin)


def _scalar_check(hint: Any, origin: Any) -> Check:
    if hint is Any:
        return lambda value: True
    if origin is Literal or hint is str:
        return lambda value: isinstance(value, str)
    if origin is dict:
        return lambda value: isinstance(value, dict)
    if hint is bool:
        return lambda value: isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if hint is date:
        return lambda value: isinstance(value, date) and not isinstance(value, datetime)
    if hint in (datetime, Decimal):
        return lambda value: isinstance(value, hint)
    raise TypeError(f"no type check for {hint!r}")


def fast_dump(
    schema_cls: type[RecordSchema], model: Any, *, without: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """Dump ``model`` as ``schema_cls().dump`` would; ``None`` when a value has a wrong type.

    ``without`` names top-level fields to leave out (a mirror stores ``remote_data`` apart).
    """
    try:
        return _dump(schema_cls, model, _NO_CURRENCY, without)
    except _Refused:
        return None


_NO_CURRENCY = object()


def _dump(
    schema_cls: type[RecordSchema], model: Any, currency: Any,
    without: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    if schema_cls.currency_field is not None and currency is _NO_CURRENCY:
        code = getattr(model, schema_cls.currency_field)
        currency = code if isinstance(code, str) else None
    out: dict[str, Any] = {}
    for plan in _plans(schema_cls):
        if plan.name in without:
            continue
        value = getattr(model, plan.name)
        if not plan.check(value):
            raise _Refused
        out[plan.name] = None if value is None else _dump_value(plan, value, currency)
    return out


def _dump_value(plan: _FieldPlan, value: Any, currency: Any) -> Any:
    kind = plan.kind
    if kind == "plain":
        if plan.nested is None:
            return value
        if plan.many:
            return [_dump(plan.nested, item, currency) for item in value]
        return _dump(plan.nested, value, currency)
    if kind == "iso":
        return value.isoformat()
    if kind == "money" and currency is not _NO_CURRENCY:
        return _money_text(value, money.minor_units(currency), currency)
    if kind == "raw":
        return dict(value)
    return format(value, "f")


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(8)}


def _money_text(value: Decimal, places: int, currency: str | None) -> str:
    """``money.format_money`` without its general walk for the usual amounts."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places and places in _QUANTA:
        try:
            # Adding zeros is exact; only a value beyond the context's precision raises.
            return format(value.quantize(_QUANTA[places]), "f")
        except ArithmeticError:
            pass
    return money.format_money(value, currency)


def fast_native(schema_cls: type[RecordSchema], model: Any) -> dict[str, Any] | None:
    """Turn a dataclass into the dict ``load`` reads; ``None`` when a value has a wrong type."""
    try:
        return _native(schema_cls, model)
    except _Refused:
        return None


def _native(schema_cls: type[RecordSchema], model: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for plan in _plans(schema_cls):
        value = getattr(model, plan.name)
        if not plan.check(value):
            raise _Refused
        if plan.nested is not None and value is not None:
            if plan.many:
                value = [_native(plan.nested, item) for item in value]
            else:
                value = _native(plan.nested, value)
        out[plan.name] = value
    return out


def fast_load(schema_cls: type[RecordSchema], data: Any) -> dict[str, Any] | None:
    """Load ``data`` as ``schema_cls().load`` would; ``None`` when anything is refused."""
    try:
        return _load(schema_cls, data)
    except (_Refused, ValidationError):
        return None


def _load(schema_cls: type[RecordSchema], data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise _Refused
    schema = _schema(schema_cls)
    fields = schema.load_fields
    if any(key not in fields for key in data):
        raise _Refused  # unknown fields: the slow path names each one
    out: dict[str, Any] = {}
    for plan in _plans(schema_cls):
        value = data.get(plan.name, missing)
        if plan.nested is not None and value is not None and value is not missing:
            loaded = _load_nested(plan, value)
        else:
            loaded = plan.field.deserialize(value, plan.name, data)
        if loaded is not missing:
            out[plan.name] = loaded
    _run_hooks(schema, out, data)
    return out


def _load_nested(plan: _FieldPlan, value: Any) -> Any:
    assert plan.nested is not None
    if not plan.many:
        return _load(plan.nested, value)
    if not isinstance(value, list | tuple) or len(value) < plan.field.min_items:
        raise _Refused
    return [_load(plan.nested, item) for item in value]


def _run_hooks(schema: RecordSchema, data: dict[str, Any], original: Any) -> None:
    """Run the schema's own cross-field validators, then its post-load steps."""
    for attr_name, _many, options in schema._hooks[VALIDATES_SCHEMA]:
        validator = getattr(schema, attr_name)
        if options.get("pass_original", False):
            validator(data, original, partial=None, many=False, unknown=None)
        else:
            validator(data, partial=None, many=False, unknown=None)
    for attr_name, _many, _options in schema._hooks[POST_LOAD]:
        result = getattr(schema, attr_name)(data, partial=None, many=False, unknown=None)
        if result is not data:
            raise _Refused  # a hook that builds a new object is beyond these plans
