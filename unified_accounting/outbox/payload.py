"""Writes as JSON that comes back exactly: models, changes and options of a queued call.

A queued write must survive the process that enqueued it, so its arguments are stored as JSON
and rebuilt, value for value, by the worker that delivers it. Plain JSON values stay as they
are; everything else is a one-key object naming its type:

- a unified record: ``{"$record": "invoice", "data": <ua.dump of it>}`` (read back with
  ``ua.load``, so its rules are checked again);
- any other model of :mod:`unified_accounting.models` (an ``InvoiceLine`` among the changes of
  an update): ``{"$model": "InvoiceLine", "fields": {...}}``;
- ``{"$decimal": "12.50"}``, ``{"$date": "2026-03-01"}``, ``{"$datetime": "...+00:00"}``;
- a mapping with a key starting with ``$``: ``{"$map": {...}}``.

Floats are refused (money is Decimal end to end), as is anything else JSON cannot hold.
References to other outbox items are strings ``outbox:ob_...`` anywhere in the JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from unified_accounting import models
from unified_accounting.errors import ValidationError
from unified_accounting.outbox.items import outbox_id_of
from unified_accounting.validation import dump, kind_of, load

__all__ = ["decode", "encode", "references_in", "resolve"]


def encode(value: Any, path: str) -> Any:
    """The JSON form of ``value``.

    Args:
        value: a unified record, a mapping of changes, options, or any value inside them.
        path: where the value sits, for error messages (``changes.email``).

    Raises:
        ValidationError: a value JSON cannot hold exactly (a float, an object), named by
            its path.
    """
    if value is None or isinstance(value, bool | int | str):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, float):
        raise _refused(path, "a float cannot be queued exactly; use Decimal")
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_model(value, path)
    if isinstance(value, list | tuple):
        return [encode(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        return _encode_mapping(value, path)
    raise _refused(path, f"a {type(value).__name__} cannot be queued")


def _encode_model(model: Any, path: str) -> Any:
    try:
        kind = kind_of(model)
    except TypeError:
        kind = None
    if kind is not None:
        return {"$record": kind, "data": dump(model)}
    name = type(model).__name__
    if getattr(models, name, None) is not type(model):
        raise _refused(path, f"{name} is not a model of unified_accounting.models")
    return {"$model": name, "fields": {
        item.name: encode(getattr(model, item.name), f"{path}.{item.name}")
        for item in dataclasses.fields(model)}}


def _encode_mapping(mapping: Mapping[Any, Any], path: str) -> Any:
    encoded: dict[str, Any] = {}
    for key, item in mapping.items():
        if not isinstance(key, str):
            raise _refused(path, f"mapping keys must be text, not {type(key).__name__}")
        encoded[key] = encode(item, f"{path}.{key}" if path else key)
    if any(key.startswith("$") for key in encoded):
        return {"$map": encoded}
    return encoded


def _refused(path: str, reason: str) -> ValidationError:
    return ValidationError({path or "operation": [reason]})


def decode(data: Any) -> Any:
    """Rebuild the value :func:`encode` wrote.

    Raises:
        ValidationError: a queued record breaks a rule of its model.
        ValueError: the JSON names a type this library does not know.
    """
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    # Look for the tag by name: a store may hand keys back in any order (jsonb sorts them).
    tags = [key for key in data if key in _DECODERS] if len(data) <= 2 else []
    if len(tags) == 1:
        return _DECODERS[tags[0]](data)
    return {key: decode(item) for key, item in data.items()}


def _decode_model(data: Mapping[str, Any]) -> Any:
    cls = getattr(models, str(data["$model"]), None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"unknown model {data['$model']!r} in a queued write")
    return cls(**{name: decode(value) for name, value in data["fields"].items()})


_DECODERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "$record": lambda data: load(str(data["$record"]), data["data"]),
    "$model": _decode_model,
    "$decimal": lambda data: Decimal(str(data["$decimal"])),
    "$date": lambda data: date.fromisoformat(str(data["$date"])),
    "$datetime": lambda data: datetime.fromisoformat(str(data["$datetime"])),
    "$map": lambda data: {key: decode(item) for key, item in data["$map"].items()},
}


def references_in(data: Any) -> list[str]:
    """The outbox ids that strings in ``data`` refer to, in order of first appearance."""
    found: dict[str, None] = {}

    def visit(value: Any) -> None:
        if isinstance(value, str):
            outbox_id = outbox_id_of(value)
            if outbox_id:
                found.setdefault(outbox_id, None)
        elif isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    visit(data)
    return list(found)


def resolve(data: Any, provider_ids: Mapping[str, str]) -> Any:
    """``data`` with every ``outbox:ob_...`` string replaced by that item's provider id.

    Raises:
        KeyError: a referenced id is missing from ``provider_ids``.
    """
    if isinstance(data, str):
        outbox_id = outbox_id_of(data)
        return provider_ids[outbox_id] if outbox_id else data
    if isinstance(data, list):
        return [resolve(item, provider_ids) for item in data]
    if isinstance(data, dict):
        return {key: resolve(item, provider_ids) for key, item in data.items()}
    return data
