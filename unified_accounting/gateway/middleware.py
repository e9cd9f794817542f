"""Request ids, access logs and problem answers for every error.

Each request gets an id (the caller's ``X-Request-Id`` when it is a short token, else a new
one), echoed in the answer's ``X-Request-Id``. One access-log line per request, as JSON on the
``unified_accounting.gateway.access`` logger: request id, method, path (never the query,
which may carry an OAuth code or a cursor), status, milliseconds, tenant and key id (never
the key).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unified_accounting.errors import AccountingError, StoreUnavailableError
from unified_accounting.gateway.context import GatewayProblem
from unified_accounting.gateway.jsonio import BodyError
from unified_accounting.gateway.problems import (
    PROBLEM_TYPES,
    Problem,
    problem_for_error,
    problem_response,
)

__all__ = ["EXCEPTION_HANDLERS", "RequestLog"]

access_log = logging.getLogger("unified_accounting.gateway.access")
_log = logging.getLogger("unified_accounting.gateway")
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_HTTP_SLUGS = {404: "not-found", 405: "method-not-allowed", 400: "bad-request"}


class RequestLog:
    """ASGI middleware: a request id for each request and one access-log line after it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started, status = time.perf_counter(), [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = list(message.get("headers", []))
                if not any(name == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._log(scope, status[0], time.perf_counter() - started)

    @staticmethod
    def _log(scope: Scope, status: int, seconds: float) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        state = scope.get("state", {})
        key = state.get("api_key")
        line = {
            "request_id": state.get("request_id"), "method": scope["method"],
            "path": scope["path"], "status": status, "ms": round(seconds * 1000, 2),
            "tenant": key.tenant if key else None, "key_id": key.key_id if key else None,
        }
        access_log.info(json.dumps(line, separators=(",", ":")))


def _answer(request: Request, problem: Problem) -> Response:
    request_id = request.scope.get("state", {}).get("request_id", "")
    return problem_response(problem, instance=request.url.path, request_id=request_id)


async def _gateway_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayProblem)
    return _answer(request, exc.problem)


async def _accounting_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AccountingError)
    if isinstance(exc, StoreUnavailableError):
        # The answer leaves the store's name out; the operator needs it.
        _log.error("store unavailable: %s", exc.message)
    return _answer(request, problem_for_error(exc))


async def _body_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyError)
    status = PROBLEM_TYPES[exc.slug][0]
    return _answer(request, Problem(slug=exc.slug, status=status, detail=exc.detail))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    slug = _HTTP_SLUGS.get(exc.status_code, "bad-request")
    headers = dict(exc.headers or {})
    return _answer(request, Problem(slug=slug, status=exc.status_code,
                                    detail=str(exc.detail), headers=headers))


async def _unexpected(request: Request, exc: Exception) -> Response:
    request_id = request.scope.get("state", {}).get("request_id")
    # The type only: an exception's text may quote a body or a header.
    _log.error("request %s failed: %s", request_id, type(exc).__name__)
    return _answer(request, Problem(slug="internal", status=500,
                                    detail="the gateway failed; quote the request id"))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    GatewayProblem: _gateway_problem,
    AccountingError: _accounting_error,
    BodyError: _body_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}
