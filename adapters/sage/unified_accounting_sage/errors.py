"""Turn Sage error answers into the unified error hierarchy.

Sage answers a failed request with a JSON array of ``{"$severity", "$dataCode", "$message",
"$source"}`` objects. The HTTP status picks the error class (through the core's one status
table), a few ``$dataCode`` values refine it, and every ``$source`` that names a field of the
request body is translated back to the unified field path the caller set. Bodies that are not
such an array (an HTML gateway page, an OAuth error object, nothing at all) still give a clear
error; the message never carries the body itself, only short provider messages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from unified_accounting.errors import (
    AccountingError,
    ConflictError,
    RateLimitError,
    ValidationError,
    error_class_for_status,
)
from unified_accounting_sage.field_paths import unified_path

__all__ = ["BASE_FIELD", "SageErrorItem", "error_from_response", "parse_error_body"]

#: Key under which errors that name no field (``$source`` empty or ``"base"``) are filed.
BASE_FIELD = "_schema"

# Longest provider message kept, and how many items are read; a body is never echoed whole.
_MAX_MESSAGE = 300
_MAX_ITEMS = 50
_SHOWN_IN_MESSAGE = 3

# $dataCode values whose meaning is sharper than their HTTP status.
_CODE_CLASSES: Mapping[str, type[AccountingError]] = {
    "IdempotencyResourceMismatch": ConflictError,
}


@dataclass(frozen=True)
class SageErrorItem:
    """One entry of a Sage error array, with its unified field path."""

    code: str | None
    message: str
    source: str
    path: str


def _clip(text: object) -> str:
    value = str(text).strip()
    return value if len(value) <= _MAX_MESSAGE else value[: _MAX_MESSAGE - 1] + "…"


def _decode(body: object) -> tuple[Any, str | None]:
    """Return (decoded JSON, None) or (None, a description of why it is unreadable)."""
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode("utf-8", errors="replace")
    if not isinstance(body, str):
        return body, None
    text = body.strip()
    if not text:
        return None, "an empty body"
    try:
        return json.loads(text, parse_float=Decimal), None
    except ValueError:
        kind = "an HTML page" if text.startswith("<") else "a body that is not JSON"
        return None, f"{kind} ({len(text)} characters)"


def _item(raw: Mapping[str, Any], resource: str | None) -> SageErrorItem:
    source = str(raw.get("$source") or "").strip()
    code = raw.get("$dataCode")
    message = _clip(raw.get("$message") or code or "error")
    if source in ("", "base"):
        path = BASE_FIELD
    else:
        path = (unified_path(resource, source) if resource else None) or source
    return SageErrorItem(code=None if code is None else str(code), message=message,
                         source=source, path=path)


def parse_error_body(
    body: object, *, resource: str | None = None
) -> tuple[list[SageErrorItem], str | None]:
    """Read a Sage error body.

    Args:
        body: the raw body (``bytes`` or ``str``) or already decoded JSON.
        resource: the wrapper key of the request (``"sales_invoice"``), used to translate
            ``$source`` paths; ``None`` keeps Sage's paths.

    Returns:
        The items found, and a short description of the body when it holds none.
    """
    decoded, problem = _decode(body)
    if problem is not None:
        return [], problem
    if isinstance(decoded, Mapping):
        if "$message" in decoded or "$dataCode" in decoded:
            decoded = [decoded]
        elif "error" in decoded:
            # OAuth endpoints answer {"error": ..., "error_description": ...}.
            text = decoded.get("error_description") or decoded.get("error")
            return [SageErrorItem(code=_clip(decoded["error"]), message=_clip(text),
                                  source="", path=BASE_FIELD)], None
    if not isinstance(decoded, list):
        return [], f"an unexpected JSON {type(decoded).__name__}"
    items = [_item(entry, resource) for entry in decoded[:_MAX_ITEMS] if isinstance(entry, Mapping)]
    return items, None if items else "no error details"


def _summary(status: int, items: Sequence[SageErrorItem], problem: str | None) -> str:
    if not items:
        return f"Sage answered {status} with {problem or 'no error details'}"
    shown = [
        item.message if item.path == BASE_FIELD else f"{item.path}: {item.message}"
        for item in items[:_SHOWN_IN_MESSAGE]
    ]
    more = len(items) - len(shown)
    return "Sage: " + "; ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def error_from_response(
    status: int,
    body: object,
    *,
    resource: str | None = None,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> AccountingError:
    """Build the unified error for a failed Sage answer.

    Args:
        status: the HTTP status.
        body: the response body (bytes, text, or decoded JSON).
        resource: the wrapper key of the request, to map field paths back
            (``invoice_lines.0.ledger_account_id`` becomes ``lines[0].account_id``).
        request_id: the request id to quote to Sage's support, when known.
        retry_after: seconds Sage asked to wait (used for ``RateLimitError``).

    Returns:
        An instance of the class ``error_class_for_status`` picks (or a sharper one for some
        ``$dataCode`` values), carrying status, first ``$dataCode``, request id and field
        errors. Validation errors file non-field messages under ``"_schema"``.
    """
    items, problem = parse_error_body(body, resource=resource)
    code = next((item.code for item in items if item.code), None)
    cls = _CODE_CLASSES.get(code or "", error_class_for_status(status))
    errors: dict[str, list[str]] = {}
    for item in items:
        errors.setdefault(item.path, []).append(item.message)
    kwargs: dict[str, Any] = {
        "message": _summary(status, items, problem),
        "status": status,
        "code": code,
        "request_id": request_id,
        "provider": "sage",
    }
    if issubclass(cls, ValidationError):
        return cls(errors, **kwargs)
    fields = {path: msgs for path, msgs in errors.items() if path != BASE_FIELD}
    message = kwargs.pop("message")
    if issubclass(cls, RateLimitError):
        kwargs["retry_after"] = retry_after
    return cls(message, field_errors=fields or None, **kwargs)
