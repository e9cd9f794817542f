"""The sandbox core: one request in, one response out, whichever face carried it.

Order of checks, as the real server appears to apply them: the route (404/405), the login
(401, or 429 once the user name is blocked), the company (400 without one, 401 for a
company the user cannot reach), the request limits (429), injected faults, then the
controller method under the state lock, so each request is atomic.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from unified_accounting.sandbox_kit import (
    FAULT_HEADER,
    Counters,
    FaultInjector,
    FaultRates,
    SandboxClock,
    SandboxRequest,
    SandboxResponse,
)
from unified_accounting_sage_za.sandbox.access import AccessRules, Login, RequestLimits
from unified_accounting_sage_za.sandbox.books import Books, IdCounter
from unified_accounting_sage_za.sandbox.errors import ZAError
from unified_accounting_sage_za.sandbox.seed import company_record, seed_books
from unified_accounting_sage_za.sandbox.service import Service
from unified_accounting_sage_za.sandbox.wire import json_reply, local_stamp

__all__ = ["API_PREFIX", "ZACore", "ZAOptions"]

API_PREFIX = "/api/2.0.0"


@dataclass
class ZAOptions:
    """Everything configurable about one sandbox.

    Args:
        login: the accepted user name, password and API key.
        companies: names of the user's companies (the first is the seeded ZA company).
        limits: request limits and blocks.
        faults: fault probabilities; ``seed`` makes their draws reproducible.
        start_time: freezes the clock at this moment (it moves only when advanced).
        sleep: how injected latency waits.
    """

    login: Login
    companies: tuple[str, ...] = ("Karoo Trading (Pty) Ltd",)
    limits: RequestLimits = field(default_factory=RequestLimits)
    faults: FaultRates = field(default_factory=FaultRates)
    seed: int = 0
    start_time: datetime | None = None
    sleep: Callable[[float], None] = time.sleep


class ZACore:
    """State and request handling of one sandbox (see the module docstring)."""

    def __init__(self, options: ZAOptions) -> None:
        self.options = options
        self.lock = threading.RLock()
        self.clock = SandboxClock(options.start_time)
        self.counters = Counters()
        self.faults = FaultInjector(options.faults, options.seed)
        self.access = AccessRules(options.login, options.limits)
        ids = IdCounter()
        self.companies: dict[int, dict[str, Any]] = {}
        self.books: dict[int, Books] = {}
        for name in options.companies:
            company_id = ids.take()
            self.companies[company_id] = company_record(company_id, name,
                                                        local_stamp(self.clock.now()))
            books = Books(company_id, ids, self.clock.now)
            seed_books(books)
            self.books[company_id] = books

    @property
    def company_ids(self) -> list[int]:
        """The user's companies, the seeded ZA company first."""
        return list(self.companies)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """Answer one request (never raises)."""
        try:
            response = self._handle(request)
        except ZAError as error:
            response = json_reply(error.status, error.body())
        self.counters.status(response.status)
        return response

    def _handle(self, request: SandboxRequest) -> SandboxResponse:
        query = {name.lower(): value for name, value in request.query}
        service = Service.route(request.method, request.path, API_PREFIX)
        self.counters.request(f"{request.method} {service.endpoint}")
        user = self.access.authenticate(request.header("authorization"), query.get("apikey"),
                                        self.clock.epoch())
        company = self._company(service, query)
        self.access.admit(query.get("apikey", ""), str(company or 0), user, self.clock.epoch())
        body = self._body(request) if request.method == "POST" else None
        return self._faulty(request, service, company, query, body)

    def _company(self, service: Service, query: Mapping[str, str]) -> int | None:
        if service.controller == "Company":
            return None
        raw = query.get("companyid")
        if not raw:
            raise ZAError(400, "The CompanyId parameter is required.")
        try:
            company = int(raw)
        except ValueError:
            raise ZAError(400, f"The value '{raw}' is not valid for CompanyId.") from None
        if company not in self.books:
            raise ZAError(401, "The user has no access to this company.")
        return company

    @staticmethod
    def _body(request: SandboxRequest) -> Any:
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise ZAError(415, f"The request entity's media type '{kind or 'none'}' is not "
                          "supported for this resource.")
        try:
            return json.loads(request.body.decode("utf-8") or "null", parse_float=Decimal)
        except (UnicodeDecodeError, ValueError):
            raise ZAError(400, "The request body is not valid JSON.") from None

    def _faulty(self, request: SandboxRequest, service: Service, company: int | None,
                query: Mapping[str, str], body: Any) -> SandboxResponse:
        try:
            decision = self.faults.decide(request.method, service.endpoint,
                                          request.header(FAULT_HEADER))
        except ValueError as exc:
            raise ZAError(400, str(exc)) from exc
        if decision.latency:
            self.counters.fault("latency")
            self.options.sleep(decision.latency)
        if decision.before:
            self.counters.fault(decision.before)
            if decision.before == "drop":
                return SandboxResponse(0, drop=True)
            status = 500 if decision.before == "error_500" else 503
            raise ZAError(status, "An error has occurred.")
        with self.lock:
            response = self._dispatch(service, company, query, body)
        if decision.after_commit and response.status < 400:
            self.counters.fault(decision.after_commit)
            if decision.after_commit == "drop_after_commit":
                return SandboxResponse(0, drop=True)
            raise ZAError(500, "An error has occurred.")
        return response

    def _dispatch(self, service: Service, company: int | None, query: Mapping[str, str],
                  body: Any) -> SandboxResponse:
        if company is None:
            return service.companies(self.companies, query)
        status, payload = service.call(self.books[company], query, body)
        return json_reply(status, copy.deepcopy(payload))
