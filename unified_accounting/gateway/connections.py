"""``/v1/connections``: the tenant's connections (list, show, revoke) and the proxy.

A connection of another tenant answers exactly as a missing one does (``404``), so a key
learns nothing about other tenants.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from unified_accounting.gateway.context import authenticate, gateway_of, in_thread, problem
from unified_accounting.gateway.jsonio import json_response, read_body
from unified_accounting.http.response import HttpResponse
from unified_accounting.plugins import load_provider
from unified_accounting.provider import RESOURCES, ResourceCapabilities
from unified_accounting.tokens.base import ConnectionInfo

__all__ = ["connection_endpoint", "connections_endpoint", "proxy_endpoint"]

def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def capabilities_document(provider: str) -> dict[str, Any]:
    """What each unified resource supports at ``provider`` (empty for a resource it lacks)."""
    table = load_provider(provider).capabilities()
    empty = ResourceCapabilities(frozenset())
    return {name: {"operations": sorted(table.get(name, empty).operations),
                   "filters": sorted(table.get(name, empty).filters)} for name in RESOURCES}


def connection_document(name: str, info: ConnectionInfo) -> dict[str, Any]:
    """A connection as the API shows it: what the store knows, never a token."""
    return {
        "name": name,
        "provider": info.provider,
        "health": str(info.health),
        "business_ids": list(info.business_ids),
        "scope": info.scope,
        "created_at": _when(info.created_at),
        "expires_at": _when(info.expires_at),
        "last_refresh_at": _when(info.last_refresh_at),
        "last_failure_at": _when(info.last_failure_at),
        "last_error": info.last_error,
        "metadata": dict(info.metadata),
    }


async def connections_endpoint(request: Request) -> Response:
    """``GET /v1/connections``: the key's tenant's connections, by name."""
    key = await authenticate(request)
    found = await in_thread(request, gateway_of(request).hub.list, key.tenant)
    return json_response({"items": [connection_document(name, info) for name, info in found]})


async def connection_endpoint(request: Request) -> Response:
    """``GET`` (show) and ``DELETE`` (revoke at the provider, then forget) one connection."""
    key = await authenticate(request)
    hub = gateway_of(request).hub
    name = request.path_params["connection"]
    if request.method == "DELETE":
        await in_thread(request, hub.revoke, key.tenant, name)
        return Response(status_code=204)
    info = await in_thread(request, hub.describe, key.tenant, name)
    document = connection_document(name, info)
    document["capabilities"] = await in_thread(request, capabilities_document, info.provider)
    return json_response(document)


def _proxy_json(body: bytes, content_type: str) -> Any:
    if not body:
        return None
    if not content_type.startswith("application/json"):
        raise problem("unsupported-media-type", "the proxy sends JSON bodies only")
    try:
        return json.loads(body, parse_float=Decimal)
    except ValueError:
        raise problem("bad-request", "the body is not JSON") from None


async def proxy_endpoint(request: Request) -> Response:
    """``/v1/connections/{connection}/proxy/{path}``: any provider path, answered as is.

    The query is forwarded (``business_id`` routes to another business), the body must be
    JSON, ``Idempotency-Key`` is attached the provider's way; the provider's status and body
    come back unchanged, with its request id in ``Provider-Request-Id``.
    """
    key = await authenticate(request)
    gateway = gateway_of(request)
    # A repeated query name stays repeated: requests sends a list value as one pair per item.
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name != "business_id":
            params.setdefault(name, []).append(value)
    body = await read_body(request, gateway.config.max_body_bytes)
    payload = _proxy_json(body, request.headers.get("content-type", "application/json"))

    def send() -> HttpResponse:
        client = gateway.hub.client(key.tenant, request.path_params["connection"],
                                    request.query_params.get("business_id"))
        return client.proxy.request(
            request.method, "/" + request.path_params["path"], params=params or None,
            json=payload, raise_for_status=False,
            idempotency_key=request.headers.get("idempotency-key") or None)

    answer = await in_thread(request, send)
    headers = {"Provider-Request-Id": answer.request_id} if answer.request_id else {}
    media = answer.headers.get("content-type", "application/json")
    return Response(answer.content, status_code=answer.status, headers=headers, media_type=media)
