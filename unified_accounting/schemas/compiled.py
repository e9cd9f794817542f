"""Plain converters compiled once from the record schemas, for the hot path of JSON in and out.

marshmallow stays the schema of record: every field, validator and cross-field rule is the
one the schema classes declare. Each schema class is turned, the first time it is used, into
plain Python functions generated from those declarations (:mod:`.codegen`): the field checks
as a few lines each, the currency's places rule as part of reading each amount, and each
cross-field hook as its ``holds_when`` test (or the hook itself). Nothing is looked up per
record. A schema added later is compiled the same way, with no code of its own here.

The functions only take the happy path. The moment a value has the wrong type, a field
refuses it or a rule objects, the caller is told (``None``/``False``) and runs the full
marshmallow path, which reports every error exactly as before. Whatever a schema declares
that the generator cannot express makes that operation keep to marshmallow for that schema
(:func:`compiled_operations` says which ones are compiled).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from unified_accounting.schemas.base import RecordSchema
from unified_accounting.schemas.codegen import OPERATIONS, Unsupported, generate

__all__ = ["compiled_operations", "fast_check", "fast_dump", "fast_load", "fast_load_model"]

_Function = Callable[..., Any]
_FUNCTIONS: dict[tuple[type[RecordSchema], str], _Function | None] = {}
_NOT_YET = object()
_COMPILING = threading.RLock()


def _function(schema_cls: type[RecordSchema], operation: str) -> _Function | None:
    key = (schema_cls, operation)
    found = _FUNCTIONS.get(key, _NOT_YET)
    if found is not _NOT_YET:
        return found  # type: ignore[return-value]
    # One thread compiles at a time, so that no thread takes another's unfinished nested
    # schema for one that cannot be compiled (the lock is re-entered for nested schemas).
    with _COMPILING:
        if key not in _FUNCTIONS:
            _FUNCTIONS[key] = None  # a schema nested in itself stays with marshmallow
            with contextlib.suppress(Unsupported):  # then marshmallow keeps the operation
                _FUNCTIONS[key] = generate(schema_cls, operation, _nested)
        return _FUNCTIONS[key]


def _nested(schema_cls: type[RecordSchema], operation: str) -> _Function:
    function = _function(schema_cls, operation)
    if function is None:
        raise Unsupported(f"{schema_cls.__name__} has no compiled {operation}")
    return function


def compiled_operations(schema_cls: type[RecordSchema]) -> frozenset[str]:
    """The operations (``load``, ``check``, ``dump``, ``build``) compiled for the schema."""
    return frozenset(op for op in OPERATIONS if _function(schema_cls, op) is not None)


def fast_load(schema_cls: type[RecordSchema], data: Any) -> dict[str, Any] | None:
    """Load ``data`` as ``schema_cls().load`` would; ``None`` when anything is refused."""
    load = _function(schema_cls, "load")
    if load is None:
        return None
    try:
        return load(data, None, False)  # type: ignore[no-any-return]
    except Exception:  # any refusal, the field's own error included
        return None


def fast_load_model(schema_cls: type[RecordSchema], data: Any) -> Any | None:
    """The dataclass ``ua.load`` returns for ``data``; ``None`` when anything is refused."""
    load, build = _function(schema_cls, "load"), _function(schema_cls, "build")
    if load is None or build is None:
        return None
    try:
        return build(load(data, None, False))
    except Exception:  # marshmallow's path reports it
        return None


def fast_dump(
    schema_cls: type[RecordSchema], model: Any, *, without: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """Dump ``model`` as ``schema_cls().dump`` would; ``None`` when a value has a wrong type.

    ``without`` names top-level fields to leave out (a mirror stores ``remote_data`` apart).
    """
    dump = _function(schema_cls, "dump")
    if dump is None:
        return None
    try:
        dumped: dict[str, Any] = dump(model, None)
    except Exception:  # marshmallow's path reports it
        return None
    for name in without:
        dumped.pop(name, None)
    return dumped


def fast_check(schema_cls: type[RecordSchema], model: Any) -> bool:
    """Whether ``model`` passes every type check, field check and rule of the schema.

    False means "not shown here": the model may still be valid, and marshmallow decides.
    """
    check = _function(schema_cls, "check")
    if check is None:
        return False
    try:
        check(model, None, False)
    except Exception:  # marshmallow's path reports it
        return False
    return True
