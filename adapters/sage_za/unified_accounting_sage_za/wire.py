"""Reading and writing v2 values: ids, timestamps, dates, money.

Ids are integers at Sage and strings in the unified layer; where one unified resource spans
two controllers (customers and suppliers, sales and purchase invoices, receipts and supplier
payments), a letter prefix says which (``C123``, ``S45``, ``TI7``, ...).

Timestamps come without an offset; South African time (UTC+2, no daylight saving) is the
likely meaning, so they are read as such and given to callers in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from unified_accounting.errors import NotFoundError, ProviderError

__all__ = [
    "SAST",
    "as_decimal",
    "odata_datetime",
    "parse_id",
    "parse_stamp",
    "parse_wire_date",
    "prefixed",
    "quoted",
]

SAST = timezone(timedelta(hours=2), "SAST")
_PREFIXED = re.compile(r"^([A-Z]{1,2})(\d{1,18})$")


def prefixed(prefix: str, value: Any) -> str:
    """A unified id from a Sage integer id (``prefixed("C", 123) == "C123"``)."""
    return f"{prefix}{int(value)}"


def parse_id(unified_id: str, prefixes: tuple[str, ...] = ("",)) -> tuple[str, int]:
    """Split a unified id into its prefix and Sage id.

    Raises:
        NotFoundError: the id is not one this resource hands out (nothing can have it).
    """
    text = str(unified_id).strip()
    if "" in prefixes and text.isdigit() and len(text) <= 18:
        return "", int(text)
    match = _PREFIXED.match(text)
    if match is None or match.group(1) not in prefixes:
        raise NotFoundError(f"no record has the id {unified_id!r}", status=404,
                            provider="sage_za")
    return match.group(1), int(match.group(2))


def parse_stamp(value: Any) -> datetime | None:
    """Read ``Created``/``Modified`` (SA local time without offset) as an aware UTC moment."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ProviderError("Sage sent a timestamp that is not text", provider="sage_za")
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SAST)
    return moment.astimezone(UTC)


def parse_wire_date(value: Any) -> date | None:
    """Read a date field (``YYYY-MM-DD`` or a midnight date-time)."""
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value).strip()[:10])


def odata_datetime(moment: datetime) -> str:
    """An OData v3 literal in Sage's local time: ``datetime'2024-01-01T10:00:00'``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(SAST)
    return "datetime'" + local.strftime("%Y-%m-%dT%H:%M:%S") + "'"


def quoted(text: str) -> str:
    """An OData string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def as_decimal(value: Any) -> Decimal | None:
    """A Sage number (JSON number, read as Decimal, or text) as Decimal; never via float."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ProviderError("Sage sent a boolean where a number belongs", provider="sage_za")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ProviderError("Sage sent a number that cannot be read", provider="sage_za") from None
