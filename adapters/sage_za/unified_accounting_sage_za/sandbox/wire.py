"""The v2 wire formats: PascalCase JSON, numbers for money, local date-times without offset.

Money is kept as ``Decimal`` inside the sandbox and written as a JSON number (never through
a float). Timestamps are South African local time (UTC+2, no daylight saving) without an
offset, with milliseconds, as the captured fixtures of the real server show.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from unified_accounting.sandbox_kit.wire import JSON_TYPE, SandboxResponse

__all__ = ["SAST", "dumps", "json_reply", "local_stamp", "parse_date", "wire_date"]

SAST = timezone(timedelta(hours=2), "SAST")
_NUMBER = "\u0001num:"
_NUMBER_TEXT = re.compile(r'"\\u0001num:(-?[0-9]+(?:\.[0-9]+)?)"')


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _NUMBER + format(value, "f")
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_marked(item) for item in value]
    return value


def dumps(payload: Any) -> bytes:
    """Serialise a payload; ``Decimal`` values become JSON numbers with their exact digits."""
    text = json.dumps(_marked(payload), separators=(",", ":"))
    return _NUMBER_TEXT.sub(r"\1", text).encode("utf-8")


def json_reply(status: int, payload: Any) -> SandboxResponse:
    """A JSON response; ``None`` gives an empty body (a 204)."""
    if payload is None:
        return SandboxResponse(status, {}, b"")
    return SandboxResponse(status, {"Content-Type": JSON_TYPE}, dumps(payload))


def local_stamp(moment: datetime) -> str:
    """``2015-06-02T04:36:58.903``: SA local time, milliseconds, no offset."""
    local = moment.astimezone(SAST)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"


def wire_date(day: date) -> str:
    """A date field as real responses carry it: midnight, no offset."""
    return day.isoformat() + "T00:00:00"


def parse_date(value: Any) -> date:
    """Read ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM:SS[.fff]`` or with ``Z``/an offset.

    Raises:
        ValueError: the value is not such a text.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("not a date")
    text = value.strip().replace("Z", "+00:00")
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(SAST)
    return moment.date()


def utcnow() -> datetime:
    """The current UTC time (the sandbox's clock replaces it in the core)."""
    return datetime.now(UTC)
