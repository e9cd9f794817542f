"""A one-shot HTTP server on loopback that receives the provider's OAuth redirect.

An application on a person's own machine (the command line, a desktop tool) registers
``http://127.0.0.1:<port>/<path>`` as its redirect URI, runs :class:`CallbackServer` while the
person consents in a browser, and passes what arrived to
:func:`~unified_accounting.oauth.complete_authorization`::

    with CallbackServer("127.0.0.1", 8765, "/callback") as callback:
        request = ua.begin_authorization("sage", client_id=..., redirect_uri=callback.redirect_uri)
        webbrowser.open(request.url)
        params = callback.wait(timeout=300)
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["CallbackServer"]

_PAGE = (
    b"<!doctype html><title>unified-accounting</title>"
    b"<p>Authorization received. You can close this window and return to the terminal.</p>"
)


class CallbackServer:
    """Listen on ``host:port`` for one ``GET`` of ``path`` and keep its query parameters.

    The server answers the first callback with a short page and every other request (another
    path, a second callback) with 404. It never logs requests: the query holds the
    authorization code. Use it as a context manager; it serves from a daemon thread.

    Args:
        host: the loopback address to listen on (and to name in the redirect URI).
        port: the port; 0 picks a free one.
        path: the callback path registered with the provider (a leading ``/`` is added).

    Raises:
        OSError: the address cannot be bound (e.g. the port is in use).
    """

    def __init__(self, host: str, port: int, path: str) -> None:
        self.path = path if path.startswith("/") else f"/{path}"
        self._received: dict[str, str] | None = None
        self._arrived = threading.Event()
        self._httpd = HTTPServer((host, port), self._handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def redirect_uri(self) -> str:
        """The URI to register with the provider and pass to the authorization."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # the query holds the authorization code: never print it

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != owner.path or owner._arrived.is_set():
                    self.send_error(404)
                    return
                owner._received = dict(parse_qsl(parts.query, keep_blank_values=True))
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(_PAGE)))
                self.end_headers()
                self.wfile.write(_PAGE)
                owner._arrived.set()

        return Handler

    def __enter__(self) -> CallbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def wait(self, timeout: float) -> dict[str, str]:
        """Return the callback's query parameters (``code``, ``state``, or ``error``, ...).

        Raises:
            TimeoutError: when no callback arrives within ``timeout`` seconds.
        """
        if not self._arrived.wait(timeout) or self._received is None:
            raise TimeoutError(f"no authorization arrived within {timeout:.0f}s")
        return self._received
