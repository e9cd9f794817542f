"""Unified JSON for the mirror.

Kept to one function so that the schema-based ``ua.dump`` can replace it in one place.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["to_unified_json"]


def to_unified_json(record: object) -> dict[str, Any]:
    """Return a unified model as JSON values, without its ``remote_data``.

    Money and other decimals become strings, dates ISO 8601 text, timestamps UTC ISO 8601.

    Raises:
        TypeError: ``record`` is not a dataclass instance.
    """
    if not is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"cannot mirror a {type(record).__name__}: not a unified model")
    return {
        f.name: _plain(getattr(record, f.name)) for f in fields(record) if f.name != "remote_data"
    }


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value
