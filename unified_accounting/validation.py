"""The way in and out of JSON for the unified models, and validation of models in memory.

``load(kind, data)`` checks JSON-shaped input and builds a dataclass; ``dump(model)`` writes
a model as JSON-shaped data (money as strings, dates as ISO text); ``validate_model(model)``
checks a dataclass a caller built in code, with the same rules as ``load`` plus a check of
the Python types themselves (a float where a ``Decimal`` belongs is refused, never converted).
Every problem is reported at once in :class:`~unified_accounting.errors.ValidationError`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal, Union, overload

from marshmallow import ValidationError as SchemaError

from unified_accounting.errors import ValidationError
from unified_accounting.models import (
    Attachment,
    Business,
    Contact,
    ContactPerson,
    CreditNote,
    Invoice,
    Item,
    JournalEntry,
    LedgerAccount,
    LedgerEntry,
    Model,
    Payment,
    TaxRate,
    TrialBalance,
)
from unified_accounting.schemas import SCHEMAS, RecordSchema
from unified_accounting.schemas.compiled import fast_check, fast_dump, fast_load_model
from unified_accounting.schemas.fields import Records
from unified_accounting.schemas.paths import Path, flatten, join

__all__ = ["KINDS", "dump", "dump_without_remote", "kind_of", "load", "validate_model"]

KINDS: tuple[str, ...] = tuple(SCHEMAS)
"""Every record kind ``load`` accepts."""

_KIND_BY_MODEL: dict[type[Any], str] = {schema.model: kind for kind, schema in SCHEMAS.items()}


def _reachable_schemas() -> dict[type[Any], type[RecordSchema]]:
    """Map every model class with a schema (nested ones included) to its schema class."""
    found: dict[type[Any], type[RecordSchema]] = {}
    pending: list[type[RecordSchema]] = list(SCHEMAS.values())
    while pending:
        schema_cls = pending.pop()
        if schema_cls.model in found:
            continue
        found[schema_cls.model] = schema_cls
        for field in schema_cls().fields.values():
            nested = getattr(field, "schema", None)
            if isinstance(nested, RecordSchema):
                pending.append(type(nested))
    return found


_SCHEMA_BY_MODEL = _reachable_schemas()


def kind_of(model: object) -> str:
    """Return the kind of a model instance (``Contact`` -> ``"contact"``).

    Raises:
        TypeError: when ``model`` is not one of the top-level unified models.
    """
    try:
        return _KIND_BY_MODEL[type(model)]
    except KeyError:
        raise TypeError(
            f"{type(model).__name__} is not a unified record; expected one of "
            + ", ".join(sorted(cls.__name__ for cls in _KIND_BY_MODEL))
        ) from None


# One overload per kind, so that ``load("invoice", ...)`` is typed as an Invoice.
@overload
def load(kind: Literal["contact"], data: Mapping[str, Any]) -> Contact: ...
@overload
def load(kind: Literal["contact_person"], data: Mapping[str, Any]) -> ContactPerson: ...
@overload
def load(kind: Literal["invoice"], data: Mapping[str, Any]) -> Invoice: ...
@overload
def load(kind: Literal["payment"], data: Mapping[str, Any]) -> Payment: ...
@overload
def load(kind: Literal["journal_entry"], data: Mapping[str, Any]) -> JournalEntry: ...
@overload
def load(kind: Literal["ledger_account"], data: Mapping[str, Any]) -> LedgerAccount: ...
@overload
def load(kind: Literal["tax_rate"], data: Mapping[str, Any]) -> TaxRate: ...
@overload
def load(kind: Literal["business"], data: Mapping[str, Any]) -> Business: ...
@overload
def load(kind: Literal["ledger_entry"], data: Mapping[str, Any]) -> LedgerEntry: ...
@overload
def load(kind: Literal["trial_balance"], data: Mapping[str, Any]) -> TrialBalance: ...
@overload
def load(kind: Literal["credit_note"], data: Mapping[str, Any]) -> CreditNote: ...
@overload
def load(kind: Literal["item"], data: Mapping[str, Any]) -> Item: ...
@overload
def load(kind: Literal["attachment"], data: Mapping[str, Any]) -> Attachment: ...
@overload
def load(kind: str, data: Mapping[str, Any]) -> Model: ...


def load(kind: str, data: Mapping[str, Any]) -> Model:
    """Check JSON-shaped ``data`` and return the unified model it describes.

    Args:
        kind: one of :data:`KINDS` (``"contact"``, ``"invoice"``, ...).
        data: the record as a mapping; money as strings (ints, Decimals and floats that fit
            are accepted too), dates as ISO text.

    Returns:
        The dataclass, with money written to the currency's places (``"1200"`` -> 1200.00).

    Raises:
        ValidationError: with ``errors`` mapping every failing path to its messages.
        ValueError: when ``kind`` is unknown.
    """
    schema = _schema(kind)
    fast = fast_load_model(type(schema), data)
    if fast is not None:
        return typing.cast(Model, fast)
    try:
        loaded = schema.load(data)
    except SchemaError as exc:
        raise ValidationError(flatten(exc.messages)) from None
    built = _build(schema, loaded)
    return typing.cast(Model, built)


def dump(model: Model) -> dict[str, Any]:
    """Write a unified model as JSON-shaped data.

    Money becomes strings with the currency's places ("1200.00"), dates and times ISO 8601
    text. Values are not re-validated; call :func:`validate_model` for that.

    Raises:
        TypeError: when ``model`` is not a unified record.
        ValidationError: when a field holds the wrong Python type (a float for money, text
            for a date): such a value cannot be written without guessing.
    """
    schema = _schema(kind_of(model))
    fast = fast_dump(type(schema), model)
    if fast is not None:
        return fast
    _native, type_errors = _to_native(model, ())
    if type_errors:
        raise ValidationError(type_errors)
    return typing.cast(dict[str, Any], schema.dump(model))


def dump_without_remote(model: Model) -> dict[str, Any]:
    """:func:`dump` without ``remote_data``, for stores that keep the raw record apart."""
    fast = fast_dump(type(_schema(kind_of(model))), model, without=_REMOTE)
    if fast is not None:
        return fast
    data = dump(model)
    data.pop("remote_data", None)
    return data


_REMOTE = frozenset({"remote_data"})


def validate_model(model: Any) -> None:
    """Check a model built in code against every rule ``load`` applies, and its types.

    Accepts the top-level records and the records nested in them (``InvoiceLine``,
    ``Address``, ...); a nested record alone is checked without its parent's currency.
    Other dataclasses have no rules here and pass unchecked, so that a caller may hand over
    every dataclass it forwards to a provider (options objects included).

    Raises:
        ValidationError: with every failing path and its messages, collected in one pass.
        TypeError: when ``model`` is not a dataclass instance at all.
    """
    if not dataclasses.is_dataclass(model) or isinstance(model, type):
        raise TypeError(f"expected a unified model, not {type(model).__name__}")
    schema_cls = _SCHEMA_BY_MODEL.get(type(model))
    if schema_cls is None:
        return
    if fast_check(schema_cls, model):
        return  # the compiled checks found nothing; marshmallow would report the same
    _check_with_marshmallow(schema_cls, model)


def _check_with_marshmallow(schema_cls: type[RecordSchema], model: Any) -> None:
    """The full path of :func:`validate_model`: every type error and rule, in one pass."""
    schema = _schema_for(schema_cls)
    native, errors = _to_native(model, ())
    try:
        schema.load(native)
    except SchemaError as exc:
        for path, messages in flatten(exc.messages).items():
            if not _under_any(path, errors):
                errors.setdefault(path, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@cache
def _schema_for(schema_cls: type[RecordSchema]) -> RecordSchema:
    # Schema instances hold no per-call state, so one per class serves every call.
    return schema_cls()


def _schema(kind: str) -> RecordSchema:
    if kind not in SCHEMAS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return _schema_for(SCHEMAS[kind])


def _build(schema: RecordSchema, data: Mapping[str, Any]) -> Any:
    """Turn a loaded dict into the schema's dataclass, nested records included."""
    values: dict[str, Any] = {}
    for name, value in data.items():
        field = schema.fields[name]
        nested = getattr(field, "schema", None)
        if isinstance(field, Records):
            item_schema = typing.cast(RecordSchema, field.schema)
            values[name] = [_build(item_schema, item) for item in value]
        elif isinstance(nested, RecordSchema) and value is not None:
            values[name] = _build(nested, value)
        else:
            values[name] = value
    return schema.model(**values)


def _under_any(path: str, prefixes: Mapping[str, Any]) -> bool:
    """Whether ``path`` is one of ``prefixes`` or inside one (``lines[1].x`` in ``lines[1]``)."""
    return any(path == p or path.startswith((p + ".", p + "[")) for p in prefixes)


def _to_native(model: Any, path: Path) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Turn a dataclass into a dict of Python values, checking each value's type.

    Values of the wrong type are replaced by a marker every field refuses (their type error
    replaces whatever ``load`` would say about them). Returns the dict and the type errors.
    """
    native: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    hints = _hints(type(model))
    for field in dataclasses.fields(model):
        value = getattr(model, field.name)
        converted, ok = _convert(value, hints[field.name], (*path, field.name), errors)
        native[field.name] = converted if ok else _WRONG_TYPE
    return native, errors


def _convert(
    value: Any, hint: Any, path: Path, errors: dict[str, list[str]]
) -> tuple[Any, bool]:
    """Check ``value`` against a type hint; return (native value, whether it may be used)."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None, True
        (hint,) = [option for option in options if option is not type(None)]
        origin = typing.get_origin(hint)
    if origin is list:
        return _convert_list(value, typing.get_args(hint)[0], path, errors)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):
            return _wrong(value, hint.__name__, path, errors)
        native, nested_errors = _to_native(value, path)
        errors.update(nested_errors)
        return native, True
    expected = _expected_name(value, hint, origin)
    if expected is not None:
        return _wrong(value, expected, path, errors)
    return value, True


def _convert_list(
    value: Any, item_hint: Any, path: Path, errors: dict[str, list[str]]
) -> tuple[Any, bool]:
    if not isinstance(value, list):
        return _wrong(value, "list", path, errors)
    items = []
    for index, item in enumerate(value):
        converted, ok = _convert(item, item_hint, (*path, index), errors)
        items.append(converted if ok else _WRONG_TYPE)
    return items, True


def _expected_name(value: Any, hint: Any, origin: Any) -> str | None:
    """Return the expected type's name when ``value`` does not match ``hint``, else None."""
    if hint is Any:
        return None
    if origin is Literal or hint is str:
        return None if isinstance(value, str) else "str"
    if origin is dict:
        return None if isinstance(value, dict) else "dict"
    if hint is bool or hint is int:
        # bool is an int in Python, but True is not a number of days.
        ok = isinstance(value, bool) if hint is bool else _is_plain_int(value)
        return None if ok else hint.__name__
    if hint is date:
        return None if isinstance(value, date) and not isinstance(value, datetime) else "date"
    if hint in (datetime, Decimal):
        return None if isinstance(value, hint) else hint.__name__
    raise TypeError(f"no type check for {hint!r}")  # a model field of a type not handled here


def _is_plain_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _wrong(value: Any, expected: str, path: Path, errors: dict[str, list[str]]) -> tuple[Any, bool]:
    errors.setdefault(join(path), []).append(f"must be {expected}, not {type(value).__name__}")
    return None, False


# Resolving a dataclass's annotations is slow (it evaluates strings) and the answer never
# changes, so it is done once per class; dump and validate_model run it for every record.
_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


class _WrongType:
    """Stands in for a value of the wrong type, so that ``load`` sees a refused value.

    Every unified field refuses it; cross-field rules therefore skip the value as unreadable
    instead of treating it as absent, and its type error is the only message reported.
    """

    def __repr__(self) -> str:
        return "<wrong type>"


_WRONG_TYPE = _WrongType()
