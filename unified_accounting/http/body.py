"""Bodies: request JSON where money travels as text, and response bodies read with a limit."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import requests

__all__ = ["MAX_RESPONSE_BYTES", "BodyTooLarge", "copy_json", "encode_json", "read_limited"]

#: The largest response body read; a larger one is refused instead of filling the memory.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    """A response body over the limit (the transport turns it into a ``ProviderError``)."""


def _encode_default(value: Any) -> Any:
    # Money travels as text so that no float ever rounds it.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_IMMUTABLE = (str, int, float, bool, Decimal, datetime, date, type(None))


def copy_json(value: Any) -> Any:
    """Copy a request body's dicts and lists, sharing the immutable values in them.

    The same result as ``copy.deepcopy`` for a JSON-like body at a fraction of its cost (no
    memo, no dispatch per value); anything else in it is deep-copied.
    """
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


def encode_json(body: Any) -> bytes:
    """Encode a request body; ``Decimal`` becomes a string and dates ISO 8601."""
    return json.dumps(body, default=_encode_default, separators=(",", ":")).encode()


def read_limited(response: requests.Response, limit: int) -> bytes:
    """Read a streamed response's body, at most ``limit`` bytes of it.

    Raises:
        BodyTooLarge: the body (or its announced ``Content-Length``) exceeds ``limit``; the
            connection is closed, since the rest of the body is never read.
    """
    declared = response.headers.get("Content-Length", "")
    body = bytearray()
    if not (declared.isdigit() and int(declared) > limit):
        for chunk in response.iter_content(chunk_size=_CHUNK):
            body += chunk
            if len(body) > limit:
                break
        else:
            return bytes(body)
    response.close()
    raise BodyTooLarge
