"""``POST /v1/connections/{connection}/credit_notes/{id}/allocations``: set a credit note
against invoices over HTTP.

The body is ``{"allocations": [{"invoice_id": ..., "amount": "30.00"}, ...]}``, checked field by
field as ``ua.load`` checks a credit note's allocations; the answer is the credit note as the
provider then stores it (``client.credit_notes.allocate``). A provider without allocations
answers ``405`` before any provider request; ``Idempotency-Key`` works as on other writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unified_accounting.errors import ValidationError
from unified_accounting.gateway.apikeys import ApiKey
from unified_accounting.gateway.context import authenticate, gateway_of, in_thread
from unified_accounting.gateway.jsonio import json_response, read_json
from unified_accounting.gateway.queries import load_changes
from unified_accounting.gateway.resources import client_for, resource_for, written

__all__ = ["ALLOCATIONS_PATH", "credit_note_allocations_endpoint"]

ALLOCATIONS_PATH = "/v1/connections/{connection}/credit_notes/{id}/allocations"


def _allocations(body: Any) -> list[Any]:
    """The allocations of the body, each checked (paths such as ``allocations[0].amount``)."""
    if not isinstance(body, Mapping) or "allocations" not in body:
        raise ValidationError({"allocations": ["is required"]})
    unknown = sorted(str(name) for name in body if name != "allocations")
    if unknown:
        raise ValidationError({name: ["is not a known field"] for name in unknown})
    allocations: list[Any] = load_changes("credit_note", {"allocations": body["allocations"]})[
        "allocations"]
    return allocations


def _allocate(request: Request, key: ApiKey, body: Any) -> dict[str, Any]:
    client = client_for(request, key)
    resource = resource_for(client, "credit_notes", "allocate", {"POST": "allocate"})
    allocations = _allocations(body)
    allocated: dict[str, Any] = written(request, key, client, resource.allocate,
                                        request.path_params["id"], allocations)
    return allocated


async def credit_note_allocations_endpoint(request: Request) -> Response:
    """``POST``: allocate the credit note to invoices of its contact."""
    key = await authenticate(request)
    body = await read_json(request, gateway_of(request).config.max_body_bytes)
    return json_response(await in_thread(request, _allocate, request, key, body))
