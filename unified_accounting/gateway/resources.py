"""``/v1/connections/{connection}/{resource}``: the unified resources over HTTP.

The provider's capability table decides what answers: an operation it does not list gives
``405`` with an ``Allow`` header, before any provider request. Bodies and answers are the
unified JSON of ``ua.load``/``ua.dump``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from unified_accounting.client import Client, Resource
from unified_accounting.gateway.apikeys import ApiKey
from unified_accounting.gateway.context import authenticate, gateway_of, in_thread, problem
from unified_accounting.gateway.cursor import Cursor
from unified_accounting.gateway.jsonio import json_response, read_json
from unified_accounting.gateway.queries import (
    RESERVED,
    load_changes,
    page_limit,
    parse_filters,
    parse_moment,
)
from unified_accounting.http.idempotency import chosen_idempotency_keys
from unified_accounting.provider import RESOURCE_KINDS, RESOURCES
from unified_accounting.validation import dump, load

__all__ = ["client_for", "collection_endpoint", "deleted_endpoint", "record_endpoint",
           "resource_for", "written"]

# HTTP method -> library operation, on a collection and on one record.
_COLLECTION_OPERATIONS = {"GET": "list", "POST": "create"}
_RECORD_OPERATIONS = {"GET": "get", "PATCH": "update", "DELETE": "delete"}


def resource_for(client: Client, name: str, operation: str,
              methods: Mapping[str, str]) -> Resource[Any]:
    """The client's resource ``name`` when it supports ``operation``.

    Raises:
        GatewayProblem: ``not-found`` for an unknown resource, ``method-not-allowed`` (with
            the ``Allow`` header) for an operation the provider does not offer.
    """
    if name not in RESOURCES:
        raise problem("not-found", f"there is no resource named {name!r}")
    resource: Resource[Any] = getattr(client, name)
    if not resource.supports(operation):
        allowed = [method for method, op in methods.items() if resource.supports(op)]
        raise problem("method-not-allowed",
                      f"{client.provider} does not support {name}.{operation}",
                      error="UnsupportedOperationError",
                      headers={"Allow": ", ".join(allowed)})
    return resource


def client_for(request: Request, key: ApiKey, business_id: str | None = None) -> Client:
    """The connection's client (called in the worker thread: it may read the token store)."""
    business = business_id or request.query_params.get("business_id")
    return gateway_of(request).hub.client(key.tenant, request.path_params["connection"],
                                          business)


def _idempotency_seed(request: Request, key: ApiKey, client: Client) -> str | None:
    """The seed of the tokens a write sends: the caller's key, scoped to tenant, connection,
    business, resource and method, so that the same key elsewhere means another write."""
    chosen = request.headers.get("idempotency-key", "").strip()
    if not chosen:
        return None
    if len(chosen) > 255:
        raise problem("bad-request", "Idempotency-Key is longer than 255 characters",
                      errors={"Idempotency-Key": ["at most 255 characters"]})
    scope = (key.tenant, client.connection, client.business_id or "",
             request.url.path, request.method, chosen)
    return "\n".join(scope)


def written(request: Request, key: ApiKey, client: Client, write: Any, *args: Any) -> Any:
    """Run ``write`` (in a worker thread) and dump what it returns; with an
    ``Idempotency-Key``, its tokens come from the key's seed (see :func:`_idempotency_seed`)."""
    seed = _idempotency_seed(request, key, client)
    if seed is None:
        return dump(write(*args))
    with chosen_idempotency_keys(seed):
        return dump(write(*args))


def _next_link(request: Request, cursor: Cursor) -> str:
    encoded = gateway_of(request).cursors.encode(cursor)
    return f"{request.url.path}?{urlencode({'cursor': encoded})}"


def _first_page(resource: Resource[Any], cursor: Cursor,
                filters: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool, int | None]:
    """Read one page; return its records, whether another may follow, and the total."""
    pages = resource.pages(page_size=cursor.limit, start_page=cursor.page, **filters)
    page = next(iter(pages), None)
    if page is None:
        return [], False, None
    items = [dump(model) for model in page.items]
    more = (cursor.page * cursor.limit < page.total if page.total is not None
            else len(items) == cursor.limit)
    return items, more, page.total


def _list_position(request: Request) -> Cursor:
    params = request.query_params
    text = params.get("cursor")
    if text is None:
        query = {name: value for name, value in params.items() if name not in RESERVED}
        if "business_id" in params:
            query["business_id"] = params["business_id"]
        return Cursor(page=1, limit=page_limit(params.get("limit")), query=query)
    if set(params) - {"cursor"}:
        raise problem("bad-request", "a cursor carries the list's query: send it alone",
                      errors={name: ["not allowed with cursor"]
                              for name in sorted(set(params) - {"cursor"})})
    return gateway_of(request).cursors.decode(text)


def _list_page(request: Request, key: ApiKey, name: str,
               cursor: Cursor) -> tuple[list[dict[str, Any]], bool, int | None]:
    query = dict(cursor.query)
    client = client_for(request, key, query.pop("business_id", None))
    resource = resource_for(client, name, "list", _COLLECTION_OPERATIONS)
    filters = parse_filters(query, resource.capabilities.filters, name)
    return _first_page(resource, cursor, filters)


async def _list(request: Request, key: ApiKey, name: str) -> Response:
    cursor = _list_position(request)
    items, more, total = await in_thread(request, _list_page, request, key, name, cursor)
    following = Cursor(cursor.page + 1, cursor.limit, cursor.query) if more else None
    link = _next_link(request, following) if following else None
    headers = {"Link": f'<{link}>; rel="next"'} if link else {}
    return json_response({"items": items, "next": link, "total": total}, headers=headers)


def _create(request: Request, key: ApiKey, name: str, body: Any) -> dict[str, Any]:
    client = client_for(request, key)
    resource = resource_for(client, name, "create", _COLLECTION_OPERATIONS)
    model = load(RESOURCE_KINDS[name], body)
    created: dict[str, Any] = written(request, key, client, resource.create, model)
    return created


def _limit(request: Request) -> int:
    return gateway_of(request).config.max_body_bytes


async def collection_endpoint(request: Request) -> Response:
    """``GET`` (one page of the list) and ``POST`` (create) on a resource."""
    key = await authenticate(request)
    name = request.path_params["resource"]
    if request.method == "GET":
        return await _list(request, key, name)
    body = await read_json(request, _limit(request))
    created = await in_thread(request, _create, request, key, name, body)
    location = f"{request.url.path}/{quote(str(created.get('id') or ''), safe='')}"
    return json_response(created, status=201, headers={"Location": location})


def _on_record(request: Request, key: ApiKey, body: Any) -> dict[str, Any] | None:
    """Run the record operation of the request's method; ``None`` for a delete."""
    name, record_id = request.path_params["resource"], request.path_params["id"]
    client = client_for(request, key)
    operation = _RECORD_OPERATIONS[request.method]
    resource = resource_for(client, name, operation, _RECORD_OPERATIONS)
    if operation == "delete":
        resource.delete(record_id)
        return None
    if operation == "get":
        found: dict[str, Any] = dump(resource.get(record_id))
        return found
    changes = load_changes(RESOURCE_KINDS[name], body)
    updated: dict[str, Any] = written(request, key, client, resource.update, record_id,
                                      changes)
    return updated


async def record_endpoint(request: Request) -> Response:
    """``GET``, ``PATCH`` (changed fields) and ``DELETE`` on one record."""
    key = await authenticate(request)
    body = await read_json(request, _limit(request)) if request.method == "PATCH" else None
    answer = await in_thread(request, _on_record, request, key, body)
    return Response(status_code=204) if answer is None else json_response(answer)


def _deleted_since(resource: Resource[Any], since: Any) -> list[dict[str, Any]]:
    return [{"id": record.id, "business_id": record.business_id,
             "deleted_at": record.deleted_at.isoformat() if record.deleted_at else None}
            for record in resource.list_deleted(since=since)]


def _deleted(request: Request, key: ApiKey, since: Any) -> list[dict[str, Any]]:
    client = client_for(request, key)
    resource = resource_for(client, request.path_params["resource"], "list_deleted",
                         {"GET": "list_deleted"})
    return _deleted_since(resource, since)


async def deleted_endpoint(request: Request) -> Response:
    """``GET /v1/connections/{connection}/deleted/{resource}?since=...``: deletions after
    ``since`` (the library's ``list_deleted``)."""
    key = await authenticate(request)
    since_text = request.query_params.get("since")
    if not since_text:
        raise problem("bad-request", "since= is required", errors={"since": ["is required"]})
    since = parse_moment(since_text, "since")
    return json_response({"items": await in_thread(request, _deleted, request, key, since)})
