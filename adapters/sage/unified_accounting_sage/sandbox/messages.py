"""Wire-level types and formats shared by both faces of the sandbox.

Sage serialises money and quantities as JSON strings ("240.0", "367.09"), timestamps as UTC
seconds with a ``Z`` suffix and references to other records as ``{id, displayed_as, $path}``.
The helpers here keep those formats in one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from unified_accounting.sandbox_kit.wire import (
    CENT,
    JSON_TYPE,
    SandboxRequest,
    SandboxResponse,
    loads,
    round_money,
    to_decimal,
)

__all__ = [
    "CENT",
    "JSON_TYPE",
    "SandboxRequest",
    "SandboxResponse",
    "dumps",
    "json_response",
    "loads",
    "money",
    "parse_date",
    "parse_timestamp",
    "path_for",
    "ref",
    "ref_of",
    "round_money",
    "timestamp",
    "to_decimal",
]



def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> (
    SandboxResponse
):
    """Build a JSON response; ``payload`` None gives an empty body (used by 204)."""
    body = b"" if payload is None else dumps(payload)
    all_headers = {"Content-Type": JSON_TYPE} if payload is not None else {}
    all_headers.update(headers or {})
    return SandboxResponse(status, all_headers, body)


def dumps(payload: Any) -> bytes:
    """Serialise a JSON payload compactly; Decimals become strings as Sage sends them."""
    return json.dumps(payload, separators=(",", ":"), default=_default).encode("utf-8")


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return money(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def money(value: Decimal | str | int) -> str:
    """Format a decimal the way Sage writes it: no trailing zeros but at least one decimal.

    ``240`` -> ``"240.0"``, ``367.090`` -> ``"367.09"``, ``-0.5`` -> ``"-0.5"``.
    """
    number = Decimal(value) if not isinstance(value, Decimal) else value
    text = format(number.normalize(), "f")
    if "." not in text:
        return text + ".0"
    return text


def timestamp(moment: datetime) -> str:
    """Format a moment as Sage does: UTC, whole seconds, ``Z`` suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Parse a filter timestamp such as ``2025-01-01T10:00:00+01:00`` or ``...Z``.

    A value without an offset is read as UTC.

    Raises:
        ValueError: the text is not an ISO 8601 date-time or date.
    """
    parsed = datetime.fromisoformat(text.strip().replace(" ", "+"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(text: str) -> date:
    """Parse ``YYYY-MM-DD``.

    Raises:
        ValueError: the text is not a calendar date.
    """
    return date.fromisoformat(text)


def path_for(collection: str, record_id: str) -> str:
    """The ``$path`` of a record: relative, without the ``/v3.1`` prefix, id quoted."""
    return f"/{collection}/{quote(record_id, safe='')}"


def ref(collection: str, record_id: str, displayed_as: str) -> dict[str, str]:
    """A nested reference to another record, as every Sage read returns it."""
    return {"id": record_id, "displayed_as": displayed_as, "$path": path_for(collection, record_id)}


def ref_of(collection: str, record: Mapping[str, Any]) -> dict[str, str]:
    """A nested reference built from a stored record."""
    return ref(collection, str(record["id"]), str(record["displayed_as"]))
