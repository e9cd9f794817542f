"""Reading and writing Sage's JSON values: money, dates, timestamps and references.

Sage sends money as JSON strings (``"240.0"``) although its description says ``number``; some
responses and every hand-written fixture may carry plain numbers. Both are read into
:class:`decimal.Decimal` through their text, never through ``float``. The transport must decode
response bodies with :func:`loads` (or ``response.json(parse_float=Decimal)``) so that a JSON
number never becomes a float on the way in; a float reaching :func:`parse_money` is refused.

Outgoing money is written as a plain decimal string (``"240.00"``): it is the form Sage itself
answers with, it survives any JSON encoder, and it never passes through binary floating point.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "format_date",
    "format_money",
    "loads",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_money",
    "ref_id",
    "ref_ids",
]


def loads(text: str | bytes) -> Any:
    """Decode a Sage JSON body, reading every non-integer number as ``Decimal``.

    Args:
        text: the response body.

    Returns:
        The decoded value.

    Raises:
        ValueError: the body is not JSON.
    """
    return json.loads(text, parse_float=Decimal)


def parse_money(value: object) -> Decimal | None:
    """Read a money or other decimal value from Sage JSON.

    Args:
        value: ``None``, a ``Decimal``, an ``int`` or a numeric string.

    Returns:
        The exact value, or ``None`` when absent or an empty string.

    Raises:
        TypeError: for a float (the body was decoded without ``parse_float=Decimal``), a bool,
            or any other type.
        ValueError: for a string that is not a finite number.
    """
    if value is None:
        return None
    # Text first: it is how Sage sends every amount, and lists read dozens per record.
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return _finite(Decimal(text), value)
        except InvalidOperation:
            raise ValueError(f"not a number: {value[:40]!r}") from None
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, Decimal):
        return _finite(value, value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise TypeError(
            "amount arrived as a float; decode Sage JSON with parse_float=Decimal "
            "(unified_accounting_sage.json_values.loads) so no precision is lost"
        )
    raise TypeError(f"cannot read an amount from {type(value).__name__}")


def _finite(number: Decimal, original: object) -> Decimal:
    if not number.is_finite():
        raise ValueError(f"not a finite number: {str(original)[:40]!r}")
    return number


def format_money(value: Decimal | int | None) -> str | None:
    """Write an amount for a Sage request body as a plain decimal string.

    Args:
        value: the amount, or ``None``.

    Returns:
        Fixed-point text without exponent (``Decimal("1E+2")`` becomes ``"100"``), or ``None``.
    """
    if value is None:
        return None
    return format(Decimal(value), "f")


def parse_date(value: object) -> date | None:
    """Read a ``YYYY-MM-DD`` date (a timestamp is cut to its date).

    Raises:
        ValueError: the text is not an ISO date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"cannot read a date from {type(value).__name__}")
    return date.fromisoformat(value[:10])


def parse_datetime(value: object) -> datetime | None:
    """Read an ISO 8601 timestamp as an aware datetime.

    Sage writes UTC timestamps with a ``Z`` suffix; a timestamp without an offset is taken as
    UTC, because that is what Sage means by it.

    Raises:
        ValueError: the text is not an ISO timestamp.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value)
    else:
        raise TypeError(f"cannot read a timestamp from {type(value).__name__}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def format_date(value: date | None) -> str | None:
    """Write a date as ``YYYY-MM-DD`` (``None`` stays ``None``)."""
    return None if value is None else value.isoformat()


def parse_bool(value: object, default: bool) -> bool:
    """Read an optional JSON boolean, falling back to ``default`` when absent."""
    return default if value is None else bool(value)


def ref_id(raw: Mapping[str, Any], name: str) -> str | None:
    """Return the id of a related record, read as ``name`` ref or as ``name_id``.

    Sage answers with ``{"id", "displayed_as", "$path"}`` under the bare name; bodies written
    by hand (and request bodies) use ``<name>_id``. Both are accepted.
    """
    ref = raw.get(name)
    if ref is not None:
        # ``dict`` first: decoded JSON is always one, and the check is far cheaper than the
        # abstract ``Mapping`` one (a record holds several references).
        if isinstance(ref, dict | Mapping):
            ident = ref.get("id")
            return None if ident is None else str(ident)
        if isinstance(ref, str) and ref:
            return ref
    flat = raw.get(f"{name}_id")
    return None if flat is None else str(flat)


def ref_ids(raw: Mapping[str, Any], name: str) -> list[str]:
    """Return the ids of a list of related records (``contact_types`` / ``contact_type_ids``)."""
    refs = raw.get(f"{name}s")
    if isinstance(refs, list):
        return [str(r["id"]) if isinstance(r, dict | Mapping) else str(r) for r in refs]
    flat = raw.get(f"{name}_ids")
    return [str(item) for item in flat] if isinstance(flat, list) else []
