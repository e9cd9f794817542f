"""JSON in and out: bodies read with a size limit, numbers read through their text.

A number in a request body becomes a ``Decimal`` (or an ``int``), never a ``float``, so an
amount sent as a JSON number keeps every digit it was written with; ``NaN`` and ``Infinity``
are refused. Answers write ``Decimal`` values as strings, as ``ua.dump`` does for money.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["BodyError", "json_response", "read_json"]

_JSON_TYPES = ("application/json", "application/merge-patch+json")


class BodyError(Exception):
    """A request body the gateway refuses; ``slug`` names the problem type."""

    def __init__(self, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.slug = slug
        self.detail = detail


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


async def read_body(request: Request, limit: int) -> bytes:
    """Read the whole body, refusing more than ``limit`` bytes before reading them all.

    Raises:
        BodyError: ``payload-too-large``.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyError("payload-too-large", f"the body is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyError("payload-too-large", f"the body is larger than {limit} bytes")
    return bytes(body)


async def read_json(request: Request, limit: int) -> Any:
    """Read and decode a JSON body (numbers as ``Decimal``/``int``).

    Raises:
        BodyError: ``payload-too-large``, ``unsupported-media-type`` or ``bad-request``.
    """
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in _JSON_TYPES:
        raise BodyError("unsupported-media-type",
                        "send the body as application/json (Content-Type header)")
    raw = await read_body(request, limit)
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_refuse_constant)
    except RecursionError:
        raise BodyError("bad-request", "the JSON body is nested too deeply") from None
    except ValueError as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(
            exc, json.JSONDecodeError) else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise BodyError("bad-request", f"the body is not JSON ({reason}{where})") from None


def json_response(payload: Any, *, status: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    """A JSON answer; ``Decimal`` and dates are written as text."""
    body = json.dumps(payload, default=_encode, separators=(",", ":"), ensure_ascii=False)
    return Response(body.encode("utf-8"), status_code=status, headers=headers,
                    media_type="application/json")
