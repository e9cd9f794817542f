"""The gateway's ASGI application: routes, middleware and the life of its parts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from unified_accounting.gateway.allocations import (
    ALLOCATIONS_PATH,
    credit_note_allocations_endpoint,
)
from unified_accounting.gateway.config import GatewayConfig
from unified_accounting.gateway.connect_page import CONNECT_ROUTES
from unified_accounting.gateway.connections import (
    connection_endpoint,
    connections_endpoint,
    proxy_endpoint,
)
from unified_accounting.gateway.context import Gateway, gateway_of, in_thread
from unified_accounting.gateway.docs_page import docs_endpoint, openapi_endpoint
from unified_accounting.gateway.jsonio import json_response
from unified_accounting.gateway.middleware import EXCEPTION_HANDLERS, RequestLog
from unified_accounting.gateway.reports import trial_balance_endpoint
from unified_accounting.gateway.resources import (
    collection_endpoint,
    deleted_endpoint,
    record_endpoint,
)

__all__ = ["create_app"]

_ANY = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def healthz(request: Request) -> Response:
    """Liveness: the process answers."""
    return json_response({"status": "ok"})


def _check_stores(gateway: Gateway) -> None:
    gateway.database.connect().execute("SELECT 1").fetchone()
    gateway.hub.store.describe("-readiness-probe-")


async def readyz(request: Request) -> Response:
    """Readiness: the gateway's database and the token store answer."""
    gateway = gateway_of(request)
    if getattr(request.app.state, "draining", False):
        return json_response({"status": "draining"}, status=503)
    try:
        await in_thread(request, _check_stores, gateway)
    except Exception as exc:  # any failure at all means "not ready"
        return json_response({"status": "unavailable", "reason": type(exc).__name__}, status=503)
    return json_response({"status": "ready"})


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/openapi.json", openapi_endpoint, methods=["GET"]),
    Route("/docs", docs_endpoint, methods=["GET"]),
    *CONNECT_ROUTES,
    Route("/v1/connections", connections_endpoint, methods=["GET"]),
    Route("/v1/connections/{connection}", connection_endpoint, methods=["GET", "DELETE"]),
    Route("/v1/connections/{connection}/proxy/{path:path}", proxy_endpoint, methods=_ANY),
    Route("/v1/connections/{connection}/deleted/{resource}", deleted_endpoint,
          methods=["GET"]),
    Route("/v1/connections/{connection}/reports/trial_balance", trial_balance_endpoint,
          methods=["GET"]),
    Route(ALLOCATIONS_PATH, credit_note_allocations_endpoint, methods=["POST"]),
    Route("/v1/connections/{connection}/{resource}", collection_endpoint,
          methods=["GET", "POST"]),
    Route("/v1/connections/{connection}/{resource}/{id}", record_endpoint,
          methods=["GET", "PATCH", "DELETE"]),
]


def create_app(config: GatewayConfig | None = None) -> Starlette:
    """Build the gateway application (its parts open when the server starts it).

    Args:
        config: the gateway's settings; defaults work on one machine.
    """
    chosen = config or GatewayConfig()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.gateway = Gateway.open(chosen)
        app.state.draining = False
        try:
            yield
        finally:
            app.state.draining = True
            app.state.gateway.close()

    return Starlette(routes=ROUTES, middleware=[Middleware(RequestLog)],
                     exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
