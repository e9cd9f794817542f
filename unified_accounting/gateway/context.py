"""What every endpoint shares: the gateway's parts, API-key checks and calls into the library.

The library is synchronous; each call runs in a worker thread under the request's time limit.
A call still running when the limit passes is abandoned (the library's own deadline, the same
number of seconds, then ends it) and the caller gets ``504``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request

from unified_accounting.gateway.apikeys import ApiKey, ApiKeys
from unified_accounting.gateway.config import GatewayConfig
from unified_accounting.gateway.cursor import CursorCodec
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.gateway.flows import Flows
from unified_accounting.gateway.hub import ConnectionHub
from unified_accounting.gateway.problems import Problem
from unified_accounting.gateway.ratelimit import KeyLimiter
from unified_accounting.gateway.signing import Signer

__all__ = ["Gateway", "GatewayProblem", "authenticate", "gateway_of", "in_thread"]

T = TypeVar("T")


class GatewayProblem(Exception):
    """An answer the gateway itself gives (no key, limit reached, malformed request)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def problem(slug: str, detail: str, **extra: Any) -> GatewayProblem:
    """A :class:`GatewayProblem` of type ``slug``."""
    from unified_accounting.gateway.problems import PROBLEM_TYPES

    return GatewayProblem(Problem(slug=slug, status=PROBLEM_TYPES[slug][0], detail=detail,
                                  **extra))


@dataclass
class Gateway:
    """The parts of one gateway application (one per worker process)."""

    config: GatewayConfig
    database: GatewayDatabase
    keys: ApiKeys
    limiter: KeyLimiter
    hub: ConnectionHub
    cursors: CursorCodec
    signer: Signer
    flows: Flows

    @classmethod
    def open(cls, config: GatewayConfig) -> Gateway:
        """Open the database, the token store and the signing secret."""
        database = GatewayDatabase(config.database)
        return cls(config=config, database=database, keys=ApiKeys(database),
                   limiter=KeyLimiter(), hub=ConnectionHub(config),
                   cursors=CursorCodec(database.secret("cursor")),
                   signer=Signer(database.secret("connect")), flows=Flows(database))

    def close(self) -> None:
        """Close the clients, the store (when the gateway opened it) and the database."""
        self.hub.close()
        self.database.close()


def gateway_of(request: Request) -> Gateway:
    """The :class:`Gateway` of the application serving ``request``."""
    found: Gateway = request.app.state.gateway
    return found


async def authenticate(request: Request) -> ApiKey:
    """The API key of the request (``Authorization: Bearer uak_...``), within its limit.

    Raises:
        GatewayProblem: ``unauthorized`` (401) or ``rate-limited`` (429, with Retry-After).
    """
    gateway = gateway_of(request)
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    # One indexed read of a local SQLite file (WAL: readers never wait for writers), cheaper
    # than a hop to a worker thread.
    key = gateway.keys.authenticate(presented.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        raise problem("unauthorized", "send a valid API key as 'Authorization: Bearer <key>'",
                      headers={"WWW-Authenticate": 'Bearer realm="unified-accounting"'})
    request.scope["state"]["api_key"] = key
    wait = gateway.limiter.acquire(key.key_id, key.per_minute)
    if wait:
        raise problem("rate-limited", f"this key may send {key.per_minute} requests a minute",
                      retryable=True, retry_after=wait, headers={"Retry-After": f"{wait:.0f}"})
    return key


async def in_thread(request: Request, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking library call in a worker thread within the request's time limit.

    Raises:
        GatewayProblem: ``timeout`` (504) when the limit passes first.
    """
    limit = gateway_of(request).config.request_timeout
    bound = functools.partial(call, *args, **kwargs)
    # move_on_after rather than fail_after: a TimeoutError raised by the call itself (a busy
    # refresh lock) is the library's error, not the gateway's time limit.
    with anyio.move_on_after(limit) as scope:
        return await anyio.to_thread.run_sync(bound, abandon_on_cancel=True)
    assert scope.cancelled_caught
    raise problem("timeout", f"the request took longer than {limit:g} seconds", retryable=True)
