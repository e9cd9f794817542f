"""The ``responses`` face of a sandbox: callbacks on a ``responses.RequestsMock`` that call a core.

A dropped connection becomes ``requests.ConnectionError`` raised from the callback, which is
what a client sees when a real server closes the socket.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import requests

from unified_accounting.sandbox_kit.server import RequestHandler
from unified_accounting.sandbox_kit.wire import SandboxRequest

if TYPE_CHECKING:
    import responses

__all__ = ["METHODS", "register"]

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def register(core: RequestHandler, mock: responses.RequestsMock, patterns: Sequence[str]) -> None:
    """Route every request whose URL matches one of ``patterns`` into the core.

    Args:
        core: the sandbox core.
        mock: an active ``responses.RequestsMock`` (or the ``responses`` module itself).
        patterns: regular expressions of full URLs (scheme, host, path and query).
    """

    def callback(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        return _call(core, prepared)

    for pattern in patterns:
        compiled = re.compile(pattern)
        for method in METHODS:
            mock.add_callback(method, compiled, callback=callback)


def _call(core: RequestHandler, prepared: requests.PreparedRequest) -> tuple[
    int, dict[str, str], bytes
]:
    url = urlsplit(prepared.url or "")
    body: Any = prepared.body
    if isinstance(body, str):
        raw = body.encode("utf-8")
    elif body is None or isinstance(body, bytes | bytearray):
        raw = bytes(body or b"")
    else:  # a body streamed in pieces (an upload)
        raw = b"".join(body)
    request = SandboxRequest(
        method=(prepared.method or "GET").upper(),
        path=url.path,
        query=parse_qsl(url.query, keep_blank_values=True),
        headers={name.lower(): value for name, value in prepared.headers.items()},
        body=bytes(raw),
    )
    response = core.handle(request)
    if response.drop:
        raise requests.ConnectionError("Connection aborted: the sandbox dropped the connection")
    return response.status, dict(response.headers), response.whole_body()
