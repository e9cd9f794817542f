"""The OpenAPI 3.1 description of the gateway, generated from the marshmallow schemas.

apispec's MarshmallowPlugin writes the record schemas; each strict unified field describes
itself (``json_schema()``, the same text the published JSON Schemas use), so the OpenAPI
document, ``ua.load`` and ``schemas/*.json`` cannot disagree. Every resource lists every
operation: the provider's capability table decides at run time which of them answer (405).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

from unified_accounting.gateway.problems import PROBLEM_TYPES
from unified_accounting.gateway.queries import MAX_LIMIT
from unified_accounting.provider import RESOURCE_KINDS
from unified_accounting.schemas import SCHEMAS

__all__ = ["openapi_document"]

_VERSION = "0.1.0"


def _schema_name(kind: str) -> str:
    return SCHEMAS[kind].__name__.removesuffix("Schema")


def _own_description(converter: Any, field: fields.Field[Any], **_: Any) -> dict[str, Any]:
    """A unified field's own JSON Schema (apispec binds this as a converter method)."""
    own = getattr(field, "json_schema", None)
    if callable(own) and not isinstance(field, fields.Nested):
        return dict(own())
    return {}


def _problem_schema() -> dict[str, Any]:
    text, nullable = {"type": "string"}, {"type": ["string", "null"]}
    return {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
        "type": text, "title": text, "status": {"type": "integer"}, "detail": text,
        "instance": text, "error": nullable, "code": nullable, "request_id": text,
        "provider_request_id": nullable, "retryable": {"type": "boolean"},
        "retry_after": {"type": "integer"},
        "errors": {"type": "object", "additionalProperties": {
            "type": "array", "items": text}},
    }}


def _problems(*statuses: int) -> dict[str, Any]:
    ref = {"content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}
    titles: dict[int, str] = {}
    for status, title in PROBLEM_TYPES.values():
        titles.setdefault(status, title)
    return {str(status): {"description": titles[status], **ref} for status in statuses}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": ref}}}}


_COMMON_PROBLEMS = (401, 404, 429, 502, 503, 504)
_CONNECTION = {"name": "connection", "in": "path", "required": True,
               "schema": {"type": "string"}}
_BUSINESS = {"name": "business_id", "in": "query", "required": False,
             "schema": {"type": "string"},
             "description": "Route to another business of the connection's user."}
_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "maxLength": 255},
                "description": "Repeat a write with the same key: it is not applied twice."}


def _collection(resource: str, kind: str) -> dict[str, Any]:
    ref = f"#/components/schemas/{_schema_name(kind)}"
    page = {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": ref}},
        "next": {"type": ["string", "null"]}, "total": {"type": ["integer", "null"]}}}
    listing = {
        "summary": f"One page of {resource}", "operationId": f"list_{resource}",
        "parameters": [
            {"name": "limit", "in": "query", "schema": {
                "type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            {"name": "updated_since", "in": "query", "schema": {
                "type": "string", "format": "date-time"}}, _BUSINESS],
        "responses": {"200": {"description": "A page", "content": {
            "application/json": {"schema": page}}}, **_problems(400, *_COMMON_PROBLEMS, 405)},
    }
    create = {
        "summary": f"Create one of {resource}", "operationId": f"create_{resource}",
        "parameters": [_IDEMPOTENCY, _BUSINESS],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": ref}}}},
        "responses": {"201": _json(ref, "The stored record"),
                      **_problems(*_COMMON_PROBLEMS, 405, 409, 413, 415, 422)},
    }
    return {"parameters": [_CONNECTION], "get": listing, "post": create}


def _record(resource: str, kind: str) -> dict[str, Any]:
    ref = f"#/components/schemas/{_schema_name(kind)}"
    ident = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "parameters": [_CONNECTION, ident],
        "get": {"summary": f"One of {resource}", "operationId": f"get_{resource}",
                "parameters": [_BUSINESS],
                "responses": {"200": _json(ref, "The record"),
                              **_problems(*_COMMON_PROBLEMS, 405)}},
        "patch": {"summary": f"Change fields of one of {resource}",
                  "operationId": f"update_{resource}", "parameters": [_IDEMPOTENCY, _BUSINESS],
                  "requestBody": {"required": True, "content": {"application/json": {
                      "schema": {"type": "object"}}}},
                  "responses": {"200": _json(ref, "The stored record"),
                                **_problems(*_COMMON_PROBLEMS, 405, 409, 413, 415, 422)}},
        "delete": {"summary": f"Delete one of {resource}", "operationId": f"delete_{resource}",
                   "parameters": [_BUSINESS],
                   "responses": {"204": {"description": "Deleted"},
                                 **_problems(*_COMMON_PROBLEMS, 405, 409)}},
    }


def _connection_paths() -> dict[str, Any]:
    doc = {"type": "object"}
    return {
        "/v1/connections": {"get": {
            "summary": "The tenant's connections", "operationId": "list_connections",
            "responses": {"200": {"description": "Connections", "content": {
                "application/json": {"schema": doc}}}, **_problems(401, 429)}}},
        "/v1/connections/{connection}": {
            "parameters": [_CONNECTION],
            "get": {"summary": "One connection", "operationId": "get_connection",
                    "responses": {"200": {"description": "The connection", "content": {
                        "application/json": {"schema": doc}}}, **_problems(401, 404, 429)}},
            "delete": {"summary": "Revoke a connection", "operationId": "revoke_connection",
                       "responses": {"204": {"description": "Revoked"},
                                     **_problems(401, 404, 429, 502, 503)}}},
        "/v1/connect_links": {"post": {
            "summary": "A signed link to the connect page", "operationId": "create_connect_link",
            "requestBody": {"required": True, "content": {"application/json": {"schema": doc}}},
            "responses": {"201": {"description": "The link", "content": {
                "application/json": {"schema": doc}}}, **_problems(401, 422, 429)}}},
    }


def _report_paths() -> dict[str, Any]:
    as_of = {"name": "as_of", "in": "query", "required": True,
             "schema": {"type": "string", "format": "date"},
             "description": "The last day counted (YYYY-MM-DD)."}
    return {"/v1/connections/{connection}/reports/trial_balance": {
        "parameters": [_CONNECTION],
        "get": {"summary": "The trial balance at the end of a day",
                "operationId": "get_trial_balance", "parameters": [as_of, _BUSINESS],
                "responses": {"200": _json(f"#/components/schemas/{_schema_name('trial_balance')}",
                                           "Every ledger account's balance; debits equal "
                                           "credits"),
                              **_problems(400, *_COMMON_PROBLEMS, 405, 422)}}}}


def _allocation_paths() -> dict[str, Any]:
    ref = f"#/components/schemas/{_schema_name('credit_note')}"
    # The credit note's nested record, registered under its own name with the credit note.
    allocation = {"type": "array", "minItems": 1,
                  "items": {"$ref": "#/components/schemas/CreditNoteAllocation"}}
    ident = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    body = {"type": "object", "required": ["allocations"], "additionalProperties": False,
            "properties": {"allocations": allocation}}
    return {"/v1/connections/{connection}/credit_notes/{id}/allocations": {
        "parameters": [_CONNECTION, ident],
        "post": {"summary": "Allocate a credit note to invoices of its contact",
                 "operationId": "allocate_credit_note", "parameters": [_IDEMPOTENCY, _BUSINESS],
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": body}}},
                 "responses": {"200": _json(ref, "The credit note as stored after allocating"),
                               **_problems(*_COMMON_PROBLEMS, 405, 409, 413, 415, 422)}}}}


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the gateway (built once per process)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="unified-accounting gateway", version=_VERSION, openapi_version="3.1.0",
                   plugins=[plugin], info={"description": "The unified accounting API over HTTP."},
                   components={"securitySchemes": {"apiKey": {"type": "http",
                                                              "scheme": "bearer"}}},
                   security=[{"apiKey": []}])
    assert plugin.converter is not None
    plugin.converter.add_attribute_function(_own_description)  # type: ignore[no-untyped-call]
    for kind, schema in SCHEMAS.items():
        # A record nested in one registered earlier is already there under the same name.
        if _schema_name(kind) not in spec.components.schemas:
            spec.components.schema(_schema_name(kind), schema=schema)
    spec.components.schema("Problem", _problem_schema())
    paths = {**_connection_paths(), **_report_paths(), **_allocation_paths()}
    for resource, kind in RESOURCE_KINDS.items():
        paths[f"/v1/connections/{{connection}}/{resource}"] = _collection(resource, kind)
        paths[f"/v1/connections/{{connection}}/{resource}/{{id}}"] = _record(resource, kind)
    for path, item in paths.items():
        operations = dict(item)
        shared = operations.pop("parameters", None)
        spec.path(path=path, operations=operations, parameters=shared)
    return spec.to_dict()
