"""A small but real OAuth 2.0 server on loopback, for the token manager's own tests.

It behaves the way Sage's token endpoint does where it matters here: authorization codes are
single-use and short-lived, every refresh rotates the refresh token and the old one then fails
with ``400 {"error": "invalid_grant"}``. Unlike the Sage sandbox (which the storm, crash and
whole-stack refresh tests use), it can fail token requests on demand (5xx, 429 with
``Retry-After``, any OAuth error) and slow every refresh down, which the tests of backoff,
cooldown and the lock's necessity need. It counts refreshes and ``invalid_grant`` answers, and
offers a protected endpoint that checks the bearer token.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from unified_accounting.credentials import OAuthEndpoints


class _Server(ThreadingHTTPServer):
    # Thread tests open many connections at once; the default backlog of 5 would make the
    # kernel drop some and the clients retry a second later.
    request_queue_size = 256
    daemon_threads = True


@dataclass
class _Failure:
    status: int
    body: dict[str, Any] | bytes  # bytes are sent as they are, with ``content_type``
    retry_after: str | None = None
    content_type: str = "application/json"


@dataclass
class Counters:
    """What the server saw."""

    code_exchanges: int = 0
    refreshes: int = 0
    invalid_grants: int = 0
    token_requests: int = 0
    revocations: int = 0
    protected_ok: int = 0
    protected_unauthorized: int = 0
    authorize_requests: list[dict[str, str]] = field(default_factory=list)


class OAuthTestServer:
    """A threaded OAuth server on 127.0.0.1 with rotating refresh tokens.

    Args:
        client_id: the only client it knows.
        client_secret: that client's secret.
        access_lifetime: seconds an access token lives (``expires_in``).
        token_bytes: random bytes per token (tokens are about 4/3 of that in characters).
        refresh_delay: seconds each refresh takes, to widen race windows in lock tests.

    ``rotates`` (true by default) may be turned off: a refresh then answers with the refresh
    token it was given. ``next_lifetime`` replaces ``expires_in`` in the next tokens issued.
    """

    def __init__(
        self,
        *,
        client_id: str = "test-client",
        client_secret: str = "test-client-secret-5d1c",
        access_lifetime: int = 300,
        token_bytes: int = 48,
        refresh_delay: float = 0.0,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_lifetime = access_lifetime
        self.token_bytes = token_bytes
        self.refresh_delay = refresh_delay
        self.rotates = True
        self.next_lifetime: Any = None
        self.counters = Counters()
        # Every token and authorization code handed out, for log-leak checks.
        self.issued: list[str] = []
        self._lock = threading.Lock()
        self._access: dict[str, float] = {}
        self._refresh: set[str] = set()
        self._codes: dict[str, tuple[str, float]] = {}
        self._failures: deque[_Failure] = deque()
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> OAuthTestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def endpoints(self) -> OAuthEndpoints:
        return OAuthEndpoints(
            authorize_url=f"{self.base_url}/authorize?filter=apiv3.1",
            token_url=f"{self.base_url}/token",
            revoke_url=f"{self.base_url}/revoke",
            default_scopes=("full_access",),
        )

    @property
    def protected_url(self) -> str:
        return f"{self.base_url}/protected"

    # -- test controls ----------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        count: int = 1,
        error: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        """Answer the next ``count`` token requests with ``status`` (and OAuth ``error``)."""
        body = {"error": error} if error else {}
        with self._lock:
            self._failures.extend(_Failure(status, body, retry_after) for _ in range(count))

    def answer_next(self, status: int, body: bytes, *, content_type: str = "application/json",
                    count: int = 1) -> None:
        """Answer the next ``count`` token requests with this raw body (HTML, nothing, ...)."""
        with self._lock:
            self._failures.extend(_Failure(status, body, None, content_type)
                                  for _ in range(count))

    def issue_tokens(self, *, access_lifetime: int | None = None) -> dict[str, Any]:
        """Issue a token pair directly (as a finished authorization would) and return it."""
        with self._lock:
            return self._issue(access_lifetime)

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expired."""
        with self._lock:
            for token in self._access:
                self._access[token] = 0.0

    def refresh_token_is_valid(self, token: str) -> bool:
        with self._lock:
            return token in self._refresh

    # -- behaviour --------------------------------------------------------------------------

    def _new_token(self, kind: str) -> str:
        token = f"{kind}-{secrets.token_urlsafe(self.token_bytes)}"
        self.issued.append(token)
        return token

    def _issue(self, access_lifetime: int | None = None,
               keep_refresh: str | None = None) -> dict[str, Any]:
        lifetime = self.access_lifetime if access_lifetime is None else access_lifetime
        announced, self.next_lifetime = self.next_lifetime, None
        access = self._new_token("at")
        refresh = keep_refresh or self._new_token("rt")
        self._access[access] = time.time() + lifetime
        self._refresh.add(refresh)
        return {
            "access_token": access,
            "expires_in": lifetime if announced is None else announced,
            "token_type": "bearer",
            "refresh_token": refresh,
            "refresh_token_expires_in": 2678400,
            "scope": "full_access",
            "requested_by_id": "5f0c7b3e9a1d4c2e8b6a7d9e0f1a2b3c",
        }

    def authorize(self, params: dict[str, str]) -> str:
        """Approve at once and return the redirect location (with ``code`` and ``state``)."""
        with self._lock:
            self.counters.authorize_requests.append(params)
            code = secrets.token_urlsafe(16)
            self.issued.append(code)
            self._codes[code] = (params.get("redirect_uri", ""), time.time() + 60)
        answer = {"code": code, "state": params.get("state", ""), "country": "GB"}
        return f"{params.get('redirect_uri', '')}?{urlencode(answer)}"

    def token(
        self, form: dict[str, str]
    ) -> tuple[int, dict[str, Any] | bytes, dict[str, str]]:
        """Answer a token request: status, JSON body, extra headers."""
        with self._lock:
            self.counters.token_requests += 1
            if self._failures:
                failure = self._failures.popleft()
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                headers["Content-Type"] = failure.content_type
                return failure.status, failure.body, headers
            if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ):
                return 401, {"error": "invalid_client"}, {}
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._exchange_code(form)
        if grant == "refresh_token":
            return self._rotate(form.get("refresh_token", ""))
        return 400, {"error": "unsupported_grant_type"}, {}

    def _exchange_code(self, form: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.counters.code_exchanges += 1
            redirect_uri, expires = self._codes.pop(form.get("code", ""), ("", 0.0))
            if (
                not redirect_uri
                or time.time() > expires
                or redirect_uri != form.get("redirect_uri")
            ):
                self.counters.invalid_grants += 1
                return 400, {"error": "invalid_grant"}, {}
            return 200, self._issue(), {}

    def _rotate(self, refresh: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self.refresh_delay:
            time.sleep(self.refresh_delay)
        with self._lock:
            if refresh not in self._refresh:
                self.counters.invalid_grants += 1
                return 400, {"error": "invalid_grant"}, {}
            self.counters.refreshes += 1
            if not self.rotates:
                return 200, self._issue(keep_refresh=refresh), {}
            self._refresh.discard(refresh)
            return 200, self._issue(), {}

    def revoke(self, form: dict[str, str]) -> int:
        with self._lock:
            if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ):
                return 401
            self.counters.revocations += 1
            self._refresh.discard(form.get("token", ""))
            return 200

    def check_bearer(self, header: str | None) -> bool:
        token = (header or "").removeprefix("Bearer ").strip()
        with self._lock:
            ok = self._access.get(token, 0.0) > time.time()
            if ok:
                self.counters.protected_ok += 1
            else:
                self.counters.protected_unauthorized += 1
            return ok


def _handler_for(server: OAuthTestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test output stays readable

        def _send(self, status: int, body: dict[str, Any] | bytes | None,
                  headers: dict[str, str]) -> None:
            if isinstance(body, bytes):
                payload = body
            else:
                payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if body is not None and "Content-Type" not in headers:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            return dict(parse_qsl(self.rfile.read(length).decode()))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/authorize":
                location = server.authorize(dict(parse_qsl(parts.query)))
                self._send(302, None, {"Location": location})
            elif parts.path == "/protected":
                ok = server.check_bearer(self.headers.get("Authorization"))
                self._send(200 if ok else 401, {"ok": ok}, {})
            else:
                self._send(404, {"error": "not_found"}, {})

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path == "/token":
                status, body, headers = server.token(self._form())
                self._send(status, body, headers)
            elif path == "/revoke":
                self._send(server.revoke(self._form()), None, {})
            else:
                self._send(404, {"error": "not_found"}, {})

    return Handler
