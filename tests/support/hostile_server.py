"""A provider that misbehaves on purpose: scripted answers on loopback, every request counted.

Each route maps a path (without its query) to an :class:`Answer`; the body may be bytes, or a
callable that writes as much as it likes to the socket, and ``raw`` may take over the whole
answer, status line and headers included (to send them slowly, or broken). Unknown paths get
a 404 with an HTML page, like a misconfigured gateway. ``requests`` records every path asked
for, so a test can prove that a refused request never arrived.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import BinaryIO
from urllib.parse import urlsplit

Writer = Callable[[BinaryIO], None]


@dataclass
class Answer:
    """What the server answers on one path."""

    status: int = 200
    body: bytes | Writer = b""
    content_type: str = "application/json"
    length: int | None = None  # Content-Length to announce for a streamed body
    headers: dict[str, str] = field(default_factory=dict)
    raw: Writer | None = None  # writes the whole answer itself, status line included


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.requests.append(f"{self.command} {self.path}")
            answer = self.server.routes.get(path) or Answer(
                404, b"<html><body><h1>Not Found</h1></body></html>", "text/html")
        if answer.raw is not None:
            self.close_connection = True
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                answer.raw(self.wfile)
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if callable(answer.body):
            if answer.length is not None:
                self.send_header("Content-Length", str(answer.length))
            else:
                self.close_connection = True
            self.end_headers()
            # The client gives up reading a body that is too large, as it should.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                answer.body(self.wfile)
            return
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:
        return


class HostileServer(ThreadingHTTPServer):
    """The server; ``routes`` may be changed while it runs."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.routes: dict[str, Answer] = {}
        self.requests: list[str] = []

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    """Run a :class:`HostileServer` in a thread for the ``with`` block."""
    server = HostileServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
