"""Request bodies: JSON where money travels as text."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["encode_json"]


def _encode_default(value: Any) -> Any:
    # Money travels as text so that no float ever rounds it.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_json(body: Any) -> bytes:
    """Encode a request body; ``Decimal`` becomes a string and dates ISO 8601."""
    return json.dumps(body, default=_encode_default, separators=(",", ":")).encode()
