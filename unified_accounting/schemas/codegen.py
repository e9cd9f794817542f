"""Python source generated once per record schema, read off its marshmallow fields and hooks.

For one schema class this writes up to four plain functions and compiles them with
``exec``:

* ``load(data, places, many)``: what ``schema.load(data)`` returns;
* ``check(model, places, many)``: the same verdict for a dataclass (``validate_model``): the
  Python type of every attribute, then every field check and rule;
* ``dump(model, places)``: what ``schema.dump(model)`` returns;
* ``build(loaded)``: the dataclass for a loaded dict.

``places`` is the currency's minor units for the ``Money`` values (``None`` without a
currency). Each field becomes a few lines for its class, its ``required``/``allow_none`` and
its validators; a field class this module does not know is called through marshmallow
itself (``field.deserialize``/``field.serialize``). Cross-field hooks: the base class's money
rule is part of the amount conversions, a hook with a ``holds_when`` check is replaced by that
check, and any other hook is called as it is. Whatever cannot be expressed (a pre-load hook, a
``data_key``, a model type without a check, ...) raises :class:`Unsupported`, and that
operation keeps to marshmallow for the schema. Every function raises ``Refused`` (or a
field's own error) where marshmallow would report an error.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from marshmallow import missing
from marshmallow.decorators import (
    POST_DUMP,
    POST_LOAD,
    PRE_DUMP,
    PRE_LOAD,
    VALIDATES,
    VALIDATES_SCHEMA,
)

from unified_accounting import money
from unified_accounting.schemas import converters
from unified_accounting.schemas.base import RecordSchema
from unified_accounting.schemas.field_source import KINDS, FieldSource, Functions, Unsupported
from unified_accounting.schemas.fields import Money

__all__ = ["OPERATIONS", "Unsupported", "generate"]

OPERATIONS = ("load", "check", "dump", "build")

# Hooks of RecordSchema that the generated code does itself: the money places rule and its
# post-load and post-dump steps become part of reading and writing each amount.
_BUILT_IN = {
    RecordSchema._amounts_fit_currency,
    RecordSchema._write_currency_places,
    RecordSchema._dump_currency_places,
}
_GLOBALS: dict[str, Any] = {
    "Refused": converters.Refused, "MISSING": missing, "Mapping": Mapping, "Decimal": Decimal,
    "read_amount": converters.read_amount, "check_amount": converters.check_amount,
    "read_date": converters.read_date, "read_moment": converters.read_moment,
    "fit_places": converters.fit_places, "amount_text": converters.amount_text,
    "dump_money": converters.dump_money, "minor_units": money.minor_units,
    "WITH_PLACES": converters.WITH_PLACES, "UP_TO_PLACES": converters.UP_TO_PLACES,
    "DATE": date, "DATETIME": datetime,
}
_REFUSE = "    raise Refused"


def generate(schema_cls: type[RecordSchema], operation: str, nested: Functions) -> Any:
    """Return the compiled ``operation`` function of ``schema_cls``.

    ``nested(schema_cls, operation)`` returns the same operation of a nested schema (or
    raises :class:`Unsupported`).
    """
    writer = _Writer(schema_cls, nested)
    body = getattr(writer, operation)()
    source = "\n".join([f"def {operation}({_PARAMETERS[operation]}):", *_indent(body)])
    namespace = {**_GLOBALS, **writer.constants}
    exec(compile(source, f"<{schema_cls.__name__}.{operation}>", "exec"), namespace)  # noqa: S102
    return namespace[operation]


_PARAMETERS = {"load": "data, places, many", "check": "m, places, many",
               "dump": "m, places", "build": "d"}


def _indent(lines: list[str], by: str = "    ") -> list[str]:
    return [by + line for line in lines]


class _Writer(FieldSource):
    """Writes the source of one schema's functions; constants go to the namespace."""

    def __init__(self, schema_cls: type[RecordSchema], nested: Functions) -> None:
        super().__init__(nested)
        self.schema_cls = schema_cls
        self.schema = schema_cls()
        for field in self.schema.fields.values():
            if field.data_key is not None or field.attribute is not None:
                raise Unsupported("a field with data_key or attribute")
        for hook in _BUILT_IN:
            if getattr(schema_cls, hook.__name__) is not hook:
                raise Unsupported("the money places rule is replaced")

    def load(self) -> list[str]:
        keys = self.const(frozenset(self.schema.load_fields))
        mapping = "(data.__class__ is dict or isinstance(data, Mapping))"
        lines = [f"if not {mapping} or not data.keys() <= {keys}:",
                 "    raise Refused", "out = {}"]
        for name, field in self._ordered(self.schema.load_fields):
            lines += self._load_field(name, field)
            if name == self.schema_cls.currency_field:
                lines += self._places_from(f"out.get({name!r})")
        return lines + self._hooks("data") + ["return out"]

    def check(self) -> list[str]:
        model, hints = self._model()
        if {field.name for field in dataclasses.fields(model)} != set(self.schema.load_fields):
            raise Unsupported("model attributes and schema fields differ")
        lines = [f"if m.__class__ is not {self.const(model)}:", "    raise Refused", "out = {}"]
        for name, field in self._ordered(self.schema.load_fields):
            nullable, test = self._type_test(hints[name], field)
            held = f"    out[{name!r}] = None" if nullable and field.allow_none else _REFUSE
            values = self._value_lines(field, "check", typed=test)
            lines += [f"v = m.{name}", "if v is None:", held, "else:",
                      *_indent([*self._refuse_unless(test), *values, f"out[{name!r}] = v"])]
            if name == self.schema_cls.currency_field:
                lines += self._places_from("v")
        return lines + self._hooks("out") + ["return out"]

    def dump(self) -> list[str]:
        hooks = self.schema._hooks
        if hooks[PRE_DUMP] or any(
            attr != RecordSchema._dump_currency_places.__name__ for attr, _, _ in hooks[POST_DUMP]
        ):
            raise Unsupported("a dump hook")
        model, hints = self._model()
        lines = [f"if m.__class__ is not {self.const(model)}:", "    raise Refused"]
        if self.schema_cls.currency_field is not None:
            lines += [f"v = m.{self.schema_cls.currency_field}",
                      *self._places_from("v")]
        lines.append("out = {}")
        for name, field in self.schema.dump_fields.items():
            if name not in hints:
                raise Unsupported("a dumped field the model does not have")
            nullable, test = self._type_test(hints[name], field)
            lines += [f"v = m.{name}", "if v is None:",
                      f"    out[{name!r}] = None" if nullable else "    raise Refused", "else:",
                      *_indent([*self._refuse_unless(test),
                                f"out[{name!r}] = {self._dumped(name, field)}"])]
        return [*lines, "return out"]

    def build(self) -> list[str]:
        model, _hints = self._model()
        lines = []
        for name, field in self.schema.load_fields.items():
            kind = KINDS.get(type(field))
            if kind in ("record", "records"):
                inner = self.const(self.nested(self._nested_schema(field), "build"))
                if kind == "records":  # None here fails as validation._build fails
                    lines += [f"if {name!r} in d:",
                              f"    d[{name!r}] = [{inner}(i) for i in d[{name!r}]]"]
                else:
                    lines += [f"x = d.get({name!r})", "if x is not None:",
                              f"    d[{name!r}] = {inner}(x)"]
        return [*lines, f"return {self.const(model)}(**d)"]

    # -- pieces ----------------------------------------------------------------------------

    def _ordered(self, fields: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """The fields in schema order, the currency first: amounts need its places."""
        first = self.schema_cls.currency_field
        return sorted(fields.items(), key=lambda item: item[0] != first)

    def _places_from(self, expression: str) -> list[str]:
        return [f"c = {expression}",
                "if c is not None and c.__class__ is not str:", "    raise Refused",
                "places = minor_units(c)"]

    def _model(self) -> tuple[type[Any], dict[str, Any]]:
        model = self.schema_cls.model
        return model, typing.get_type_hints(model)

    def _load_field(self, name: str, field: Any) -> list[str]:
        kind = self._kind(field)
        if kind is None:
            return self._load_through_marshmallow(name, field)
        if field.required:
            absent = "    raise Refused"
        elif field.load_default is missing:
            absent = "    pass"
        elif isinstance(field, Money):
            raise Unsupported("money with a default")
        else:
            default = self.const(field.load_default)
            call = "()" if callable(field.load_default) else ""
            absent = f"    out[{name!r}] = {default}{call}"
        return [f"v = data.get({name!r}, MISSING)", "if v is MISSING:", absent,
                "elif v is None:",
                f"    out[{name!r}] = None" if field.allow_none else "    raise Refused",
                "else:", *_indent(self._value_lines(field, "load")), f"    out[{name!r}] = v"]

    def _load_through_marshmallow(self, name: str, field: Any) -> list[str]:
        if hasattr(field, "schema"):
            raise Unsupported("a nested field of a class the generator does not know")
        given = f"data.get({name!r}, MISSING)"
        lines = [f"v = {self.const(field)}.deserialize({given}, {name!r}, data)"]
        if isinstance(field, Money):
            lines.append("v = fit_places(v, places)")
        return [*lines, "if v is not MISSING:", f"    out[{name!r}] = v"]

    def _hooks(self, original: str) -> list[str]:
        """The schema's cross-field rules and post-load steps, in marshmallow's order."""
        hooks = self.schema._hooks
        if hooks[PRE_LOAD] or hooks[VALIDATES]:
            raise Unsupported("a pre-load hook or a field validator method")
        lines = []
        for attr, pass_many, options in hooks[VALIDATES_SCHEMA]:
            holds = getattr(getattr(self.schema_cls, attr), "__holds_when__", None)
            if holds is not None and not pass_many:
                lines += [f"if not {self.const(holds)}(out):", "    raise Refused"]
            else:
                lines.append(self._hook_call(attr, pass_many, options, original))
        for attr, pass_many, options in hooks[POST_LOAD]:
            call = self._hook_call(attr, pass_many, options, original)
            lines += [f"if {call} is not out:", "    raise Refused"] if call else []
        return [line for line in lines if line]

    def _hook_call(self, attr: str, pass_many: bool, options: Any, original: str) -> str:
        """A call of the hook as marshmallow makes it; empty for the built-in money hooks."""
        if getattr(self.schema_cls, attr) in _BUILT_IN:
            return ""
        if pass_many:
            raise Unsupported("a hook that takes the whole list")
        passed = f"{original}, " if options.get("pass_original") else ""
        unknown = self.const(self.schema.unknown)
        return (f"{self.const(getattr(self.schema, attr))}(out, {passed}"
                f"partial=None, many=many, unknown={unknown})")
