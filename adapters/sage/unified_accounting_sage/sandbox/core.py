"""The one core behind both faces: OAuth, routing, limits, faults, idempotency, handlers.

Every request goes: request id -> OAuth endpoints, or for the data API: route -> bearer
token -> business -> rate limits -> faults -> handler (under the state lock) -> after-commit
faults. The state lock makes each request atomic; concurrency limits and latency act outside
it, so concurrent clients still overlap in time.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from unified_accounting.sandbox_kit import (
    FAULT_HEADER,
    WRITE_METHODS,
    Counters,
    FaultInjector,
    RateLimiter,
    SandboxClock,
)
from unified_accounting_sage.sandbox.errors import (
    SageError,
    business_forbidden,
    role_forbidden,
    route_not_found,
    too_many_requests,
    unavailable,
    unexpected,
)
from unified_accounting_sage.sandbox.messages import (
    SandboxRequest,
    SandboxResponse,
    dumps,
    json_response,
    timestamp,
)
from unified_accounting_sage.sandbox.oauth import OAuthService
from unified_accounting_sage.sandbox.options import SandboxOptions
from unified_accounting_sage.sandbox.resources import ROUTES
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, Router
from unified_accounting_sage.sandbox.seed import (
    BUSINESSES,
    GLOBAL,
    country_data,
    seed_business,
    seed_ids,
    user_record,
)
from unified_accounting_sage.sandbox.store import Record, Store

API_PREFIX = "/v3.1"
AUTHORIZE_PATH = "/oauth2/auth/central"
TOKEN_PATH = "/token"  # noqa: S105 - a URL path, not a secret
REVOKE_PATH = "/revoke"
IDEMPOTENCY_TTL = timedelta(days=7)
_log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class HandlerCaches:
    """Caches shared by handlers (rebuilt from the store when missing)."""

    list_cache: dict[Any, Any] = field(default_factory=dict)
    indexes: dict[Any, Any] = field(default_factory=dict)
    attachment_max_bytes: int = 2_621_440  # the sandbox option of the same name


class SandboxCore:
    """Handles :class:`SandboxRequest` objects; both faces call :meth:`handle`.

    Args:
        options: the sandbox settings.
    """

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.clock = SandboxClock(options.start_time)
        self.store = Store(options.db_path)
        self.counters = Counters()
        self.limiter = RateLimiter(options.rate_limits)
        self.faults = FaultInjector(options.faults, options.seed)
        self.lock = threading.RLock()
        self.caches = HandlerCaches(attachment_max_bytes=options.attachment_max_bytes)
        self.router = Router(ROUTES)
        self._sleep = options.sleep or time.sleep
        self.user_id, _ = seed_ids(options.seed, options.lead_country)
        self._seed()
        self.oauth = OAuthService(options, self.store, self.clock, self.counters, self.user_id)

    def _seed(self) -> None:
        if self.store.meta("seeded"):
            return
        stamp = timestamp(self.clock.now())
        with self.store.batch():
            for country in self.options.countries:
                seed_business(self.store, self.options.seed, country, stamp)
            locale = country_data(self.options.lead_country)["locale"]
            self.store.set_meta("user", user_record(self.user_id, stamp, locale))
            self.store.set_meta("lead_business", self.business_id(self.options.lead_country))
            self.store.set_meta("seeded", True)

    def business_id(self, country: str) -> str:
        """The id of the test user's business in ``country``."""
        return seed_ids(self.options.seed, country.upper())[1]

    def close(self) -> None:
        """Release the SQLite file, if any."""
        with self.lock:
            self.store.close()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """Answer one request; never raises."""
        request_id = uuid.uuid4().hex
        try:
            response = self._dispatch(request)
        except SageError as error:
            response = json_response(error.status, error.body(), error.headers)
        except Exception:
            # A sandbox bug must still look like Sage's 500 to the client under test.
            _log.exception("sandbox failed on %s %s", request.method, request.path)
            failure = unexpected()
            response = json_response(failure.status, failure.body())
        response.headers["x-request-id"] = request_id
        self.counters.status(response.status)
        return response

    def _dispatch(self, request: SandboxRequest) -> SandboxResponse:
        path = request.path.rstrip("/") or "/"
        if path in (AUTHORIZE_PATH, TOKEN_PATH, REVOKE_PATH):
            return self._oauth(request, path)
        if not path.startswith(API_PREFIX + "/"):
            self.counters.request(f"{request.method} <unknown>")
            raise route_not_found()
        sub = path[len(API_PREFIX):]
        found = self.router.match(request.method, sub)
        if found is None:
            self.counters.request(f"{request.method} <unknown>")
            raise route_not_found()
        route, key = found
        self.counters.request(route.endpoint)
        return self._api(request, route, key, sub)

    def _oauth(self, request: SandboxRequest, path: str) -> SandboxResponse:
        self.counters.request(f"{request.method} {path}")
        with self.lock:
            if path == AUTHORIZE_PATH and request.method == "GET":
                params = dict(request.query)
                country = params.get("country", "").upper() or self._lead_country()
                return self.oauth.authorize(params, country)
            if request.method != "POST":
                return json_response(405, {"error": "invalid_request"})
            form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
            basic = _basic_auth(request.header("authorization"))
            if path == TOKEN_PATH:
                return self.oauth.token(form, basic)
            return self.oauth.revoke(form, basic)

    def _lead_country(self) -> str:
        lead = self.store.get(GLOBAL, BUSINESSES, self.store.meta("lead_business"))
        return str(lead["country"]["id"]) if lead else self.options.lead_country

    def _api(
        self, request: SandboxRequest, route: Route, key: str | None, sub: str
    ) -> SandboxResponse:
        with self.lock:
            grant = self.oauth.authenticate(request.header("authorization"))
            if grant.scope == "readonly" and request.method in WRITE_METHODS:
                raise role_forbidden()
            business = self._business(request) if route.scoped else None
        business_key = business["id"] if business else "user"
        scopes = (("app", grant.client_id), ("business", business_key))
        refusal = self.limiter.acquire(scopes, self.clock.epoch())
        if refusal is not None:
            self.counters.limited(refusal.scope)
            raise too_many_requests(refusal.retry_after, refusal.scope)
        try:
            return self._faulty(request, route, key, sub, business)
        finally:
            self.limiter.release(scopes)

    def _business(self, request: SandboxRequest) -> Record:
        wanted = (request.header("x-business") or "").strip() or self.store.meta("lead_business")
        record = self.store.get(GLOBAL, BUSINESSES, wanted)
        if record is None or wanted in self.store.meta("inaccessible", []):
            raise business_forbidden()
        return record

    def _faulty(
        self, request: SandboxRequest, route: Route, key: str | None, sub: str,
        business: Record | None,
    ) -> SandboxResponse:
        try:
            decision = self.faults.decide(request.method, sub, request.header(FAULT_HEADER))
        except ValueError as exc:
            raise SageError(400, [("BadRequest", str(exc), FAULT_HEADER)]) from exc
        if decision.latency:
            self.counters.fault("latency")
            self._sleep(decision.latency)
        if decision.before:
            self.counters.fault(decision.before)
            if decision.before == "drop":
                return SandboxResponse(0, drop=True)
            raise unexpected() if decision.before == "error_500" else unavailable(1)
        response = self._handle(request, route, key, sub, business)
        if decision.after_commit and response.status < 400:
            self.counters.fault(decision.after_commit)
            if decision.after_commit == "drop_after_commit":
                response.drop = True
            else:
                error = unexpected()
                return json_response(error.status, error.body(), response.headers)
        return response

    def _handle(
        self, request: SandboxRequest, route: Route, key: str | None, sub: str,
        business: Record | None,
    ) -> SandboxResponse:
        headers = {"X-Business": business["id"]} if business else {}
        with self.lock:
            ctx = self._ctx(business, request, sub)
            try:
                status, payload = self._idempotent(route, ctx, key)
            except SageError as error:
                return json_response(error.status, error.body(), {**headers, **error.headers})
            if isinstance(payload, SandboxResponse):  # a file, streamed by the face
                payload.headers.update(headers)
                return payload
            if not isinstance(payload, bytes):
                return json_response(status, payload, headers)
            if payload:
                headers["Content-Type"] = "application/json; charset=utf-8"
            return SandboxResponse(status, headers, payload)

    def _ctx(self, business: Record | None, request: SandboxRequest, sub: str) -> Ctx:
        return Ctx(
            store=self.store, business=business, query=dict(request.query),
            query_list=list(request.query), raw_body=request.body, now=self.clock.now(),
            path=sub, caches=self.caches, headers=request.headers,
        )

    def _idempotent(self, route: Route, ctx: Ctx, key: str | None) -> Reply:
        token = _idempotency_id(route, ctx)
        if token is None:
            return route.handler(ctx, key)
        scope = ctx.business_id if ctx.business else "user"
        meta_key = f"idempotency:{scope}:{token}"
        entry = self.store.meta(meta_key)
        if entry is not None and entry["expires_at"] > ctx.now.timestamp():
            if entry["resource"] != route.wrapper:
                raise SageError(422, [("IdempotencyResourceMismatch", "Entity type mismatch",
                                       "")])
            return entry["status"], entry["body"].encode("utf-8")
        status, payload = route.handler(ctx, key)
        body = b"" if payload is None else dumps(payload)
        self.store.set_meta(meta_key, {
            "resource": route.wrapper, "status": status, "body": body.decode("utf-8"),
            "expires_at": (ctx.now + IDEMPOTENCY_TTL).timestamp(),
        })
        return status, body

    def run_in_business(
        self, country: str, action: Callable[[Ctx], T], business_id: str | None = None
    ) -> T:
        """Run ``action`` with a context for one business, under the state lock (bulk seeding).

        ``business_id`` picks a business added with ``add_business`` instead of the country's
        first one.

        Raises:
            SageError: whatever the action raises.
        """
        with self.lock:
            wanted = business_id or self.business_id(country)
            business = self.store.get(GLOBAL, BUSINESSES, wanted)
            if business is None:
                raise business_forbidden()
            request = SandboxRequest("POST", API_PREFIX + "/")
            with self.store.batch():
                return action(self._ctx(business, request, "/"))


def _idempotency_id(route: Route, ctx: Ctx) -> str | None:
    if route.wrapper is None or route.method not in ("POST", "PUT"):
        return None
    body = ctx.body()
    inner = body.get(route.wrapper) if isinstance(body, dict) else None
    token = inner.get("idempotency_id") if isinstance(inner, dict) else None
    return str(token) if token else None


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password
