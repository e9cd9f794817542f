"""A tiny accounting API on loopback, the "sandbox" of the example provider.

Its API, in short: bearer tokens; the business is chosen with the ``X-Tenant`` header (not on
``/businesses``); lists answer ``{"data": [...], "next": <relative path or null>}``; errors
answer ``{"error": {"code", "message", "fields"}}``; writes may carry ``Idempotency-Key``, and a
repeated key replays the first answer. Tests can queue failures with :meth:`fail_next`.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

__all__ = ["ExampleServer", "Injected"]

Answer = tuple[int, dict[str, str], Any]
TAX_RATES = [
    {"id": "std", "name": "Standard 20%", "percent": "20.00"},
    {"id": "zero", "name": "Zero rated", "percent": "0.00"},
]


@dataclass
class Injected:
    """A failure to answer instead of (or after) handling the next matching request."""

    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    after_processing: bool = False


@dataclass
class _Tenant:
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[dict[str, str]] = field(default_factory=list)


class ExampleServer:
    """A threaded HTTP server on 127.0.0.1 (port chosen by the system).

    Args:
        tokens: bearer tokens the server accepts.
        businesses: ``(id, name)`` pairs the token's user can reach.
    """

    def __init__(self, *, tokens: tuple[str, ...] = ("example-token",),
                 businesses: tuple[tuple[str, str], ...] = (("biz-1", "Example Ltd"),)) -> None:
        self.valid_tokens = set(tokens)
        self.businesses = [{"id": bid, "name": name, "country": "GB", "currency": "GBP"}
                           for bid, name in businesses]
        self.requests: list[tuple[str, str]] = []
        self._tenants = {bid: _Tenant() for bid, _ in businesses}
        self._replays: dict[str, Answer] = {}
        self._injected: deque[Injected] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The API root, e.g. ``http://127.0.0.1:54321/api``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/api"

    @property
    def settings(self) -> dict[str, Any]:
        """Provider settings that point the example provider at this server."""
        return {"base_url": self.base_url}

    def start(self) -> ExampleServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ExampleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, method: str, path: str, status: int, *, times: int = 1,
                  headers: dict[str, str] | None = None, after_processing: bool = False) -> None:
        """Answer the next ``times`` requests matching ``method`` and ``path`` with ``status``.

        With ``after_processing`` the request is handled first (a write happens) and only the
        answer is replaced, as when a response is lost on the way back.
        """
        with self._lock:
            for _ in range(times):
                self._injected.append(Injected(method, path, status, dict(headers or {}),
                                               after_processing))

    def contacts(self, business_id: str) -> list[dict[str, Any]]:
        """Return the stored contacts of a business (for assertions)."""
        with self._lock:
            return list(self._tenants[business_id].contacts.values())

    # -- request handling ----------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """Answer one request; called by the HTTP handler thread."""
        url = urlsplit(target)
        path = url.path.removeprefix("/api")
        with self._lock:
            self.requests.append((method, path))
            injected = self._take_injected(method, path)
            if injected and not injected.after_processing:
                return injected.status, injected.headers, _error("injected", "injected failure")
            answer = self._authorized(method, path, url.query, headers, body)
        if injected:
            return injected.status, injected.headers, _error("injected", "injected failure")
        return answer

    def _take_injected(self, method: str, path: str) -> Injected | None:
        for item in self._injected:
            if item.method == method and path.startswith(item.path):
                self._injected.remove(item)
                return item
        return None

    def _authorized(self, method: str, path: str, query: str, headers: dict[str, str],
                    body: bytes) -> Answer:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return 401, {}, _error("unauthorized", "the access token is not valid")
        key = headers.get("idempotency-key")
        if key and key in self._replays:
            return self._replays[key]
        answer = self._route(method, path, parse_qs(query), headers, body)
        if key and method in {"POST", "PUT"} and answer[0] < 300:
            self._replays[key] = answer
        return answer

    def _route(self, method: str, path: str, query: dict[str, list[str]],
               headers: dict[str, str], body: bytes) -> Answer:
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["businesses"]:
            return self._businesses(parts)
        tenant = self._tenants.get(headers.get("x-tenant", ""))
        if tenant is None:
            return 400, {}, _error("tenant_required", "send X-Tenant with a business id")
        if parts[:1] == ["tax_rates"]:
            return _one_or_all(TAX_RATES, parts)
        if parts[:2] == ["contacts", "deleted"] and method == "GET":
            since = query.get("since", [""])[0]
            return 200, {}, {"data": [d for d in tenant.deleted if d["deleted_at"] > since],
                             "next": None}
        if parts[:1] == ["contacts"]:
            return self._contacts(tenant, method, parts[1:], query, body)
        return 404, {}, _error("not_found", "no such path")

    def _businesses(self, parts: list[str]) -> Answer:
        return _one_or_all(self.businesses, parts)

    def _contacts(self, tenant: _Tenant, method: str, rest: list[str],
                  query: dict[str, list[str]], body: bytes) -> Answer:
        if not rest and method == "GET":
            return self._list_contacts(tenant, query)
        if not rest and method == "POST":
            return self._save_contact(tenant, None, body)
        record = tenant.contacts.get(rest[0]) if len(rest) == 1 else None
        if record is None:
            return 404, {}, _error("not_found", "no such contact")
        if method == "GET":
            return 200, {}, record
        if method == "PUT":
            return self._save_contact(tenant, record, body)
        if method == "DELETE":
            del tenant.contacts[record["id"]]
            tenant.deleted.append({"id": record["id"], "deleted_at": _now()})
            return 204, {}, None
        return 405, {}, _error("method_not_allowed", "method not allowed")

    def _list_contacts(self, tenant: _Tenant, query: dict[str, list[str]]) -> Answer:
        since = query.get("updated_since", [""])[0]
        size = int(query.get("page_size", ["2"])[0])
        start = int(query.get("cursor", ["0"])[0])
        rows = sorted((c for c in tenant.contacts.values() if c["updated_at"] >= since),
                      key=lambda c: (c["updated_at"], c["id"]))
        next_path = None
        if start + size < len(rows):
            args = {"cursor": start + size, "page_size": size}
            if since:
                args["updated_since"] = since
            next_path = "/contacts?" + urlencode(args)
        return 200, {}, {"data": rows[start:start + size], "next": next_path}

    def _save_contact(self, tenant: _Tenant, record: dict[str, Any] | None,
                      body: bytes) -> Answer:
        data = json.loads(body or b"{}")
        merged = {**(record or {}), **data}
        name = merged.get("name")
        if not isinstance(name, str) or not name or len(name) > 100:
            return 422, {}, _error("invalid", "the contact is invalid",
                                   {"name": ["required, at most 100 characters"]})
        now = _now()
        if record is None:
            merged.update(id=f"c{next(self._ids):04d}", created_at=now)
        merged["updated_at"] = now
        tenant.contacts[merged["id"]] = merged
        return (201 if record is None else 200), {}, merged


def _one_or_all(rows: list[dict[str, Any]], parts: list[str]) -> Answer:
    if len(parts) == 1:
        return 200, {}, {"data": rows, "next": None}
    for row in rows:
        if row["id"] == parts[1]:
            return 200, {}, row
    return 404, {}, _error("not_found", "no such record")


def _error(code: str, message: str, fields: dict[str, list[str]] | None = None) -> Any:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _handler_for(server: ExampleServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # answers go out at once, not after a delayed ACK

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, payload = server.handle(self.command, self.path, headers, body)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-Id", f"ex-{len(server.requests)}")
            self.send_header("X-RateLimit-Limit", "1000")
            self.send_header("X-RateLimit-Remaining", str(1000 - len(server.requests)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet: tests read the server's request list instead."""

    return Handler
