"""``/v1/connections/{connection}/reports/trial_balance``: the trial balance over HTTP.

The answer is the unified JSON of ``ua.dump(client.reports.trial_balance(as_of=...))``; a
provider that can give none answers ``405`` before any provider request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unified_accounting.errors import ValidationError
from unified_accounting.gateway.apikeys import ApiKey
from unified_accounting.gateway.context import authenticate, gateway_of, in_thread, problem
from unified_accounting.gateway.jsonio import json_response
from unified_accounting.validation import dump

__all__ = ["trial_balance_endpoint"]


def _as_of(request: Request) -> date:
    text = request.query_params.get("as_of")
    if not text:
        raise problem("bad-request", "as_of= is required", errors={"as_of": ["is required"]})
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError({"as_of": ["must be a date (YYYY-MM-DD)"]}) from None


def _trial_balance(request: Request, key: ApiKey, as_of: date) -> dict[str, Any]:
    client = gateway_of(request).hub.client(key.tenant, request.path_params["connection"],
                                            request.query_params.get("business_id"))
    # A provider without a trial balance raises UnsupportedOperationError first: 405.
    return dump(client.reports.trial_balance(as_of=as_of))


async def trial_balance_endpoint(request: Request) -> Response:
    """``GET ...?as_of=YYYY-MM-DD``: every ledger account's balance at the end of that day."""
    key = await authenticate(request)
    as_of = _as_of(request)
    return json_response(await in_thread(request, _trial_balance, request, key, as_of))
