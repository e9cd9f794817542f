"""Source for one field of a record schema: its checks, its conversions and its dumped form.

The pieces :mod:`.codegen` puts together into a schema's functions. Each method returns
lines (or an expression) working on the variable ``v`` and raising ``Refused`` where the
field would report an error; values the source needs (patterns, nested functions, unknown
validators) become named constants of the generated module. A field the generator cannot
express raises :class:`Unsupported`.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Union

from marshmallow import validate

from unified_accounting.schemas import converters
from unified_accounting.schemas.base import RecordSchema
from unified_accounting.schemas.fields import (
    Amount,
    Flag,
    IsoDate,
    IsoDateTime,
    Money,
    NotBlank,
    RawRecord,
    Record,
    Records,
    Text,
    WholeNumber,
)

__all__ = ["KINDS", "FieldSource", "Functions", "Unsupported"]

KINDS: dict[type[Any], str] = {
    Text: "text", Flag: "flag", WholeNumber: "whole", Amount: "amount", Money: "money",
    IsoDate: "date", IsoDateTime: "moment", RawRecord: "raw", Record: "record",
    Records: "records",
}
"""The field classes the generator writes source for (exactly these classes, not subclasses,
which may behave otherwise)."""

# Python type tests of model attributes; a text, flag or whole-number field whose attribute
# passed its test needs no check of its own.
_TYPE_TESTS: dict[Any, str] = {
    str: "isinstance(v, str)", bool: "(v is True or v is False)", int: "v.__class__ is int",
    date: "v.__class__ is DATE", datetime: "isinstance(v, DATETIME)",
    Decimal: "v.__class__ is Decimal",
}
_PYTHON_TYPES: dict[str, type[Any]] = {"text": str, "flag": bool, "whole": int}


class Unsupported(Exception):
    """The schema has something the generator does not express; marshmallow keeps the job."""


Functions = Callable[[type[RecordSchema], str], Callable[..., Any]]


class FieldSource:
    """Writes the source of single fields; constants collect for the generated module."""

    def __init__(self, nested: Functions) -> None:
        self.nested = nested
        self.constants: dict[str, Any] = {}

    def const(self, value: Any) -> str:
        name = f"K{len(self.constants)}"
        self.constants[name] = value
        return name

    # -- the four functions ---------------------------------------------------------------

    def _nested_schema(self, field: Any) -> type[RecordSchema]:
        nested = type(field.schema)
        if not issubclass(nested, RecordSchema) or nested.currency_field is not None:
            raise Unsupported("a nested schema of another kind, or with its own currency")
        if field.only is not None or field.exclude or field.unknown is not None:
            raise Unsupported("a nested field with only, exclude or unknown")
        return nested

    def _kind(self, field: Any) -> str | None:
        """The generator's name for the field's class; None for a class it does not know."""
        if field.pre_load or field.post_load:
            return None
        return KINDS.get(type(field))

    def _value_lines(self, field: Any, operation: str, typed: str = "") -> list[str]:
        """Lines that check (and convert) a non-null ``v`` as the field would.

        ``typed`` is the Python type test ``v`` passed already; a field check that repeats
        it is left out.
        """
        kind = self._kind(field)
        if kind is None:
            raise Unsupported("a field class the generator does not know")
        if typed and typed == _TYPE_TESTS.get(_PYTHON_TYPES.get(kind)):
            return self._validators(field, kind)
        amount = self._amount_lines(field, kind, operation) if kind in ("amount", "money") else []
        simple = {
            "text": ["if not isinstance(v, str):", "    raise Refused"],
            "flag": ["if v is not True and v is not False:", "    raise Refused"],
            "whole": ["if v.__class__ is not int:", "    raise Refused"],
            "amount": amount, "money": amount,
            "date": ["v = read_date(v)"], "moment": ["v = read_moment(v)"],
            "raw": ["if not isinstance(v, Mapping):", "    raise Refused", "v = dict(v)"],
        }
        if kind in simple:
            lines = simple[kind]
        else:
            inner = self.const(self.nested(self._nested_schema(field), operation))
            lines = [f"v = {inner}(v, places, False)"] if kind == "record" else [
                f"if not isinstance(v, (list, tuple)) or len(v) < {field.min_items:d}:",
                "    raise Refused", f"v = [{inner}(x, places, True) for x in v]"]
        return [*lines, *self._validators(field, kind)]

    def _amount_lines(self, field: Any, kind: str, operation: str) -> list[str]:
        """Amount checks; on load, usual text is tested by one pattern and read at once."""
        places = "places" if kind == "money" else "None"
        arguments = f"v, {field.sign!r}, {field.max_places!r}, {places}"
        loading = operation == "load"
        if kind == "money" and field.max_places is None:
            test = "WITH_PLACES[places]" if loading else "UP_TO_PLACES[places]"
        elif kind == "amount":
            test = self.const(converters.unsigned_up_to(field.max_places))
        else:
            return [f"v = read_amount({arguments})" if loading else f"check_amount({arguments})"]
        nonzero = ["    if not v:", "        raise Refused"] if field.sign == "positive" else []
        if loading:
            return [f"if v.__class__ is str and {test}(v) is not None:", "    v = Decimal(v)",
                    *nonzero, "else:", f"    v = read_amount({arguments})"]
        # A model's Decimal whose plain text passes the test passes every amount check.
        return [f"if {test}(str(v)) is None:", f"    check_amount({arguments})",
                *(["elif not v:", "    raise Refused"] if nonzero else [])]

    def _validators(self, field: Any, kind: str) -> list[str]:
        lines = []
        for validator in field.validators:
            test = self._validator_test(validator, kind)
            lines += [f"if {test}:", "    raise Refused"]
        return lines

    def _validator_test(self, validator: Any, kind: str) -> str:
        """A condition that holds where ``validator`` would refuse ``v``."""
        kind_ok = kind == "text"
        if type(validator) is validate.Length:
            if validator.equal is not None:
                return f"len(v) != {validator.equal!r}"
            low, high = validator.min, validator.max
            if low is not None and high is not None:
                return f"not {low!r} <= len(v) <= {high!r}"
            if low is not None or high is not None:
                return f"len(v) < {low!r}" if low is not None else f"len(v) > {high!r}"
            return "False"
        if type(validator) is validate.OneOf and kind_ok and all(
            isinstance(choice, str) for choice in validator.choices
        ):
            return f"v not in {self.const(frozenset(validator.choices))}"
        if type(validator) is validate.Regexp and kind_ok:
            return f"{self.const(validator.regex.match)}(v) is None"
        if type(validator) is NotBlank and kind_ok:
            return "(v and not v.strip())"
        return f"{self.const(validator)}(v) is False"  # its ValidationError refuses too

    @staticmethod
    def _refuse_unless(test: str) -> list[str]:
        return [] if test == "True" else [f"if not {test}:", "    raise Refused"]

    def _type_test(self, hint: Any, field: Any) -> tuple[bool, str]:
        """Whether the type hint admits None, and a test of a non-null ``v`` against it.

        The verdict of ``validation._convert``: where it reports a wrong Python type, the
        test fails.
        """
        origin = typing.get_origin(hint)
        if origin in (Union, types.UnionType):
            options = [option for option in typing.get_args(hint) if option is not type(None)]
            if len(options) != 1:
                raise Unsupported(f"no type check for {hint!r}")
            return True, self._type_test(options[0], field)[1]
        kind = KINDS.get(type(field))
        if origin is list and kind == "records":
            self._same_model(typing.get_args(hint)[0], field)
            return False, "v.__class__ is list"  # each item's class is checked by its code
        if isinstance(hint, type) and kind == "record":
            self._same_model(hint, field)
            return False, "True"
        return hint is Any, self._scalar_test(hint, origin)

    def _same_model(self, hint: Any, field: Any) -> None:
        if self._nested_schema(field).model is not hint:
            raise Unsupported("a nested schema whose model is not the attribute's type")

    def _scalar_test(self, hint: Any, origin: Any) -> str:
        if hint is Any:
            return "True"
        if origin is Literal:
            return _TYPE_TESTS[str]
        if origin is dict:
            return "isinstance(v, dict)"
        if hint in _TYPE_TESTS:
            return _TYPE_TESTS[hint]
        raise Unsupported(f"no type check for {hint!r}")

    def _dumped(self, name: str, field: Any) -> str:
        """The expression for a non-null ``v`` as ``field.serialize`` writes it."""
        kind = KINDS.get(type(field))
        if kind in ("text", "flag", "whole"):
            return "v"
        if kind in ("date", "moment"):
            return "v.isoformat()"
        if kind == "amount":
            return "amount_text(v)"
        if kind == "money":
            return "dump_money(v, places)"
        if kind == "raw" and not field.key_field and not field.value_field:
            return "dict(v)"
        if kind in ("record", "records"):
            inner = self.const(self.nested(self._nested_schema(field), "dump"))
            each = f"[{inner}(x, places) for x in v]"
            return each if kind == "records" else f"{inner}(v, places)"
        if hasattr(field, "schema") or isinstance(field, Money):
            raise Unsupported("a nested or money field of a class the generator does not know")
        return f"{self.const(field)}.serialize({name!r}, m)"
