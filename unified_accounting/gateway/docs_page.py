"""``/openapi.json`` and ``/docs``: the API description, for programs and for people.

``/docs`` is rendered on the server from the OpenAPI document: one self-contained page (no
script, no stylesheet or font from elsewhere), with an anchor per problem type, which is
where the ``type`` of every problem answer points.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from unified_accounting.gateway.html import page
from unified_accounting.gateway.jsonio import json_response
from unified_accounting.gateway.openapi import openapi_document
from unified_accounting.gateway.problems import PROBLEM_TYPES

__all__ = ["docs_endpoint", "openapi_endpoint"]

_METHODS = ("get", "post", "patch", "delete")


async def openapi_endpoint(request: Request) -> Response:
    """``GET /openapi.json``."""
    return json_response(openapi_document())


def _operations(paths: dict[str, Any]) -> str:
    rows = []
    for path, item in paths.items():
        for method in _METHODS:
            if method in item:
                operation = item[method]
                statuses = ", ".join(sorted(operation.get("responses", {})))
                rows.append(f"<tr><td><code class=m>{method.upper()}</code></td>"
                            f"<td><code>{escape(path)}</code></td>"
                            f"<td>{escape(operation.get('summary', ''))}</td>"
                            f"<td>{escape(statuses)}</td></tr>")
    return ("<table><tr><th>Method</th><th>Path</th><th>What</th><th>Answers</th></tr>"
            + "".join(rows) + "</table>")


def _schemas(schemas: dict[str, Any]) -> str:
    parts = []
    for name, schema in schemas.items():
        required = set(schema.get("required", []))
        rows = "".join(
            f"<tr><td><code>{escape(field)}</code>{' *' if field in required else ''}</td>"
            f"<td>{escape(_type_of(spec))}</td></tr>"
            for field, spec in schema.get("properties", {}).items())
        parts.append(f"<h3 id='schema-{escape(name)}'>{escape(name)}</h3>"
                     f"<table><tr><th>Field</th><th>Type</th></tr>{rows}</table>")
    return "".join(parts)


def _type_of(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    kind = spec.get("type", "any")
    if kind == "array":
        return "list of " + _type_of(spec.get("items", {}))
    shown = "/".join(kind) if isinstance(kind, list) else str(kind)
    if "enum" in spec and len(spec["enum"]) <= 12:
        shown += " (" + ", ".join(str(value) for value in spec["enum"]) + ")"
    if spec.get("format"):
        shown += f" ({spec['format']})"
    return shown


def _problems() -> str:
    items = "".join(f"<li id='problem-{slug}'><code>{slug}</code>: {status}, "
                    f"{escape(title)}</li>" for slug, (status, title) in PROBLEM_TYPES.items())
    return f"<ul>{items}</ul>"


@cache
def _docs_html() -> str:
    document = openapi_document()
    body = (
        "<p>Every answer is the unified JSON of <code>ua.dump</code>; money is text. "
        "Send <code>Authorization: Bearer &lt;API key&gt;</code>. The machine-readable "
        "description is <a href='/openapi.json'>/openapi.json</a> (OpenAPI 3.1).</p>"
        "<h2>Operations</h2>" + _operations(document["paths"])
        + "<h2 id='problems'>Problems</h2><p>Errors are <code>application/problem+json"
        "</code> documents (RFC 9457); their <code>type</code> links here.</p>" + _problems()
        + "<h2>Records</h2>" + _schemas(document["components"]["schemas"])
    )
    return page("unified-accounting gateway", body, wide=True)


async def docs_endpoint(request: Request) -> Response:
    """``GET /docs``."""
    return HTMLResponse(_docs_html())
