"""v2 error answers -> unified errors.

Bodies are ASP.NET Web API errors: ``{"Message": ..., "MessageDetail": ...}`` and, for a
failed validation, ``ModelState`` (``"model.Lines[0].TaxTypeId": ["..."]``). Some error
bodies are not JSON at all; their text (shortened) becomes the message. Field paths are
given back in unified names where the mapping is known.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from unified_accounting.errors import AccountingError, RateLimitError
from unified_accounting.http import HttpResponse
from unified_accounting.provider import error_from_response

__all__ = ["BLOCK_SECONDS", "FIELD_NAMES", "field_path", "map_error"]

BLOCK_SECONDS = 3600.0
"""How long Sage blocks a company that went over its minute limit."""
_MAX_MESSAGE = 200

#: Sage field -> unified field, for error paths.
FIELD_NAMES: Mapping[str, str] = {
    "Name": "name", "Email": "email", "TaxReference": "tax_number", "CustomerId": "contact_id",
    "SupplierId": "contact_id", "Date": "date", "DueDate": "due_date", "Lines": "lines",
    "SelectionId": "account_id", "TaxTypeId": "tax_rate_id", "Quantity": "quantity",
    "UnitPriceExclusive": "unit_price", "UnitPriceInclusive": "unit_price", "Total": "amount",
    "Reference": "reference", "DocumentNumber": "number", "BankAccountId": "bank_account_id",
    "AccountId": "account_id", "ContraAccountId": "account_id", "Percentage": "rate",
    "AllocatedToDocumentId": "invoice_id", "Category.ID": "type",
}


def field_path(sage_path: str) -> str:
    """``model.Lines[0].TaxTypeId`` -> ``lines[0].tax_rate_id`` (unknown parts kept)."""
    path = sage_path.removeprefix("model.").removeprefix("model")
    if path in FIELD_NAMES:
        return FIELD_NAMES[path]
    parts = []
    for part in path.split("."):
        name, bracket, index = part.partition("[")
        parts.append(FIELD_NAMES.get(name, name) + (bracket + index if bracket else ""))
    return ".".join(part for part in parts if part) or "body"


def _body(content: bytes) -> tuple[str | None, dict[str, list[str]]]:
    try:
        payload: Any = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        text = content.decode("utf-8", "replace").strip()
        return (text[:_MAX_MESSAGE] or None), {}
    if isinstance(payload, str):
        return payload[:_MAX_MESSAGE], {}
    if not isinstance(payload, dict):
        return None, {}
    lowered = {str(key).lower(): value for key, value in payload.items()}
    message = lowered.get("message")
    fields: dict[str, list[str]] = {}
    state = lowered.get("modelstate")
    if isinstance(state, dict):
        for key, messages in state.items():
            items = messages if isinstance(messages, list) else [messages]
            fields.setdefault(field_path(str(key)), []).extend(str(m) for m in items)
    return (str(message)[:_MAX_MESSAGE] if message else None), fields


def map_error(response: HttpResponse) -> AccountingError:
    """Pick the unified error by status and fill message and field errors from the body."""
    message, fields = _body(response.content)
    if response.status == 400 and not fields and message:
        fields = {"body": [message]}
    error = error_from_response(response, message=message, field_errors=fields or None,
                                provider="sage_za")
    if isinstance(error, RateLimitError) and error.retry_after is None:
        # Sage sends no Retry-After: its block lasts an hour (a login block 24 hours).
        error.retry_after = BLOCK_SECONDS * (24 if "login" in (message or "").lower() else 1)
    return error
