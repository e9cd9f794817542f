"""A tiny provider for sync tests: records of several businesses with Sage-like list rules.

Lists are ordered by (updated_at, id), paged with ``page``/``items_per_page`` (a page past the
end returns the last page, as Sage does), filtered by ``updated_or_created_since`` (inclusive)
and, for the deleted feed, ``deleted_since`` (exclusive). Every list call is logged so tests
can count requests. :class:`BooksServer` serves the same store over loopback HTTP.
"""

from __future__ import annotations

import json
import math
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

RESOURCES = ("contacts", "invoices")


class ManualClock:
    """A clock that moves only when told to (thread-safe)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now


@dataclass(frozen=True)
class Request:
    """One list call: ``kind`` is ``list`` or ``deleted``."""

    business: str
    resource: str
    kind: str
    page: int


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class Books:
    """The provider's records. ``clock`` is the provider's clock (it may differ from the host's).

    ``before_request`` runs before each list call is answered, so a test can change records
    while a sync is between pages.
    """

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self._live: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self._gone: dict[tuple[str, str], dict[str, datetime]] = {}
        self._lock = threading.RLock()
        self.requests: list[Request] = []
        self.before_request: Callable[[Request], None] | None = None

    # -- changing records ------------------------------------------------------------------

    def put(self, business: str, resource: str, record_id: str | None = None,
            at: datetime | None = None, **fields: Any) -> dict[str, Any]:
        """Create or change a record, stamped ``at`` (default: the provider's clock now)."""
        with self._lock:
            table = self._live.setdefault((business, resource), {})
            record_id = record_id or uuid.uuid4().hex
            stamp = iso(at or self.clock())
            record = dict(table.get(record_id, {"id": record_id, "created_at": stamp}))
            record.update(fields, updated_at=stamp)
            table[record_id] = record
            return dict(record)

    def delete(self, business: str, resource: str, record_id: str,
               at: datetime | None = None) -> None:
        with self._lock:
            del self._live[(business, resource)][record_id]
            self._gone.setdefault((business, resource), {})[record_id] = at or self.clock()

    def live(self, business: str, resource: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {k: dict(v) for k, v in self._live.get((business, resource), {}).items()}

    def deleted_ids(self, business: str, resource: str) -> set[str]:
        with self._lock:
            return set(self._gone.get((business, resource), {}))

    def count(self, kind: str | None = None, resource: str | None = None,
              business: str | None = None) -> int:
        with self._lock:
            return sum(
                1 for r in self.requests
                if (kind is None or r.kind == kind)
                and (resource is None or r.resource == resource)
                and (business is None or r.business == business)
            )

    # -- answering list calls ----------------------------------------------------------------

    def answer(self, business: str, resource: str, params: dict[str, str]) -> dict[str, Any]:
        """Answer ``GET /{resource}?{params}`` for ``business`` with a Sage-like envelope."""
        per_page = int(params.get("items_per_page", "20"))
        if not 1 <= per_page <= 200:
            raise ValueError("items_per_page must be between 1 and 200")
        page = max(1, int(params.get("page", "1")))
        kind = "deleted" if "deleted_since" in params else "list"
        request = Request(business, resource, kind, page)
        if self.before_request is not None:
            self.before_request(request)
        with self._lock:
            self.requests.append(request)
            rows = self._matching(business, resource, params)
        last = max(1, math.ceil(len(rows) / per_page))
        page = min(page, last)
        chunk = rows[(page - 1) * per_page : page * per_page]
        next_query = {**params, "page": str(page + 1)}
        return {
            "$total": len(rows),
            "$page": page,
            "$itemsPerPage": per_page,
            "$next": f"/{resource}?{urlencode(next_query)}" if page < last else None,
            "$items": chunk,
        }

    def _matching(self, business: str, resource: str,
                  params: dict[str, str]) -> list[dict[str, Any]]:
        if "deleted_since" in params:
            since = parse_iso(params["deleted_since"])
            gone = self._gone.get((business, resource), {})
            found = [(at, rid) for rid, at in gone.items() if at > since]
            return [{"id": rid, "deleted_at": iso(at)} for at, rid in sorted(found)]
        rows = list(self._live.get((business, resource), {}).values())
        if "updated_or_created_since" in params:
            since = parse_iso(params["updated_or_created_since"])
            rows = [r for r in rows if parse_iso(r["updated_at"]) >= since]
        return [dict(r) for r in sorted(rows, key=lambda r: (r["updated_at"], r["id"]))]


class BooksServer:
    """Serves :class:`Books` on a loopback port: ``GET /{resource}`` with ``X-Business``."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                business = self.headers.get("X-Business")
                resource = parts.path.strip("/")
                if not business or resource not in RESOURCES:
                    self._send(400, [{"$message": "unknown resource or missing X-Business"}])
                    return
                self._send(200, server.books.answer(business, resource, params))

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

        return Handler

    def start(self) -> BooksServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving(books: Books) -> Iterator[BooksServer]:
    server = BooksServer(books).start()
    try:
        yield server
    finally:
        server.stop()
