"""The ``responses`` face: callbacks on a ``responses.RequestsMock`` that call the core.

A dropped connection becomes ``requests.ConnectionError`` raised from the callback, which is
what a client sees when a real server closes the socket.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import requests

from unified_accounting_sage.sandbox.core import (
    API_PREFIX,
    AUTHORIZE_PATH,
    REVOKE_PATH,
    TOKEN_PATH,
    SandboxCore,
)
from unified_accounting_sage.sandbox.messages import SandboxRequest

if TYPE_CHECKING:
    import responses

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def register(
    core: SandboxCore,
    mock: responses.RequestsMock,
    *,
    api_origin: str,
    oauth_origin: str,
    authorize_origin: str,
) -> None:
    """Route every request to the three origins into the core.

    Args:
        core: the sandbox core.
        mock: an active ``responses.RequestsMock`` (or the ``responses`` module itself).
        api_origin: scheme and host of the data API (``https://api.accounting.sage.com``).
        oauth_origin: scheme and host of the token and revoke endpoints.
        authorize_origin: scheme and host of the authorize page.
    """
    patterns = [
        re.escape(api_origin + API_PREFIX) + r"/.*",
        re.escape(oauth_origin) + "(" + re.escape(TOKEN_PATH) + "|" + re.escape(REVOKE_PATH)
        + r")(\?.*)?$",
        re.escape(authorize_origin + AUTHORIZE_PATH) + r"(\?.*)?$",
    ]

    def callback(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        return _call(core, prepared)

    for pattern in patterns:
        compiled = re.compile(pattern)
        for method in METHODS:
            mock.add_callback(method, compiled, callback=callback)


def _call(core: SandboxCore, prepared: requests.PreparedRequest) -> tuple[
    int, dict[str, str], bytes
]:
    url = urlsplit(prepared.url or "")
    body: Any = prepared.body
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
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
    return response.status, dict(response.headers), response.body
