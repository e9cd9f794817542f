"""The HTTP face of a sandbox: a threaded server on loopback that hands every request to a core."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

from unified_accounting.sandbox_kit.wire import SandboxRequest, SandboxResponse

__all__ = ["RequestHandler", "SandboxHTTPServer"]


class RequestHandler(Protocol):
    """What a sandbox core offers its faces: one call per request."""

    def handle(self, request: SandboxRequest) -> SandboxResponse: ...


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, as clients with a pooled session expect.
    protocol_version = "HTTP/1.1"
    # Send the status line, headers and body in one segment, without Nagle delays: otherwise
    # the client's delayed ACK adds ~40 ms to every response.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = SandboxRequest(
            method=self.command,
            path=url.path,
            query=parse_qsl(url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        response = self.server.core.handle(request)
        if response.drop:
            self._drop()
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        streamed = response.stream is not None
        length = response.length if streamed else len(response.body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command == "HEAD":
            return
        if response.stream is not None:
            # A file goes out piece by piece, never read whole into memory.
            for piece in response.stream():
                self.wfile.write(piece)
        elif response.body:
            self.wfile.write(response.body)

    def _drop(self) -> None:
        # Close without a status line: the client sees the connection die mid-request.
        self.close_connection = True
        self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        # Request lines carry tokens and API keys in query strings; print nothing.
        return


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to loopback, serving one sandbox core."""

    daemon_threads = True
    allow_reuse_address = True
    # Many clients connect at once (dozens of workers); with the default backlog of 5 the
    # kernel drops their connection attempts and each one waits a second to retry.
    request_queue_size = 128

    def __init__(self, core: RequestHandler, host: str = "127.0.0.1", port: int = 0,
                 *, name: str = "sandbox") -> None:
        super().__init__((host, port), _Handler)
        self.core = core
        self._thread: threading.Thread | None = None
        self._name = name

    @property
    def origin(self) -> str:
        """``http://host:port`` of the bound socket."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve in a background thread."""
        # A short poll interval keeps shutdown quick (tests start and stop many sandboxes).
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,),
                                        name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
