"""``client.proxy``: raw provider requests with the same auth, routing, limits and retries."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl

from unified_accounting.errors import ValidationError
from unified_accounting.http.options import CallOptions
from unified_accounting.http.response import HttpResponse
from unified_accounting.http.transport import Transport

__all__ = ["Proxy"]

# Authentication, and the framing of the request itself (a second length or encoding would let
# one request smuggle another past a front server).
_PROTECTED_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "host", "content-length",
    "transfer-encoding", "connection", "upgrade", "te", "trailer",
})
# RFC 9110 token characters: anything else (spaces, colons, CR/LF) would split the header.
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Control characters but horizontal tab: CR/LF would start a new header or a new request.
_HEADER_VALUE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _comparable(name: str) -> str:
    # Servers behind CGI-style gateways read "X_Business" as "X-Business".
    return name.lower().replace("_", "-")


def _header_problem(name: object, value: object, protected: frozenset[str]) -> str | None:
    if not isinstance(name, str) or not _HEADER_NAME.match(name):
        return "not a valid header name"
    if _comparable(name) in protected:
        return "this header is set by the client"
    if not isinstance(value, str):
        return "a header value must be text"
    if _HEADER_VALUE_FORBIDDEN.search(value):
        return "control characters (such as CR or LF) are not allowed in a header value"
    return None


class Proxy:
    """Reaches any path under the provider's base URL.

    Paths cannot leave the base URL (see :func:`unified_accounting.http.paths.check_path`),
    caller headers and query parameters cannot replace authentication, split a header or the
    request, and the business is chosen only through ``business_id=``.
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _protected_headers(self) -> frozenset[str]:
        business = self._transport.provider.business_header
        return _PROTECTED_HEADERS | ({_comparable(business)} if business else set())

    def _checked_headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        protected = self._protected_headers()
        problems = {f"headers.{name!s:.60}": [problem]
                    for name, value in (headers or {}).items()
                    if (problem := _header_problem(name, value, protected))}
        if problems:
            raise ValidationError(
                problems, message="refused headers: headers that carry authentication, "
                "business routing or the request's framing cannot be set, and names and values "
                "must be plain text; use business_id= to reach another business")
        return dict(headers or {})

    def _check_query(self, path: str, params: Mapping[str, Any] | None) -> None:
        reserved = self._transport.provider.reserved_query_params
        if not reserved:
            return
        query = path.partition("?")[2]
        names = [*(params or {}), *(name for name, _ in parse_qsl(query, keep_blank_values=True))]
        refused = sorted({str(name) for name in names if str(name).lower() in reserved})
        if refused:
            raise ValidationError(
                {f"params.{name:.60}": ["this parameter is set by the client"] for name in refused},
                message="refused query parameters: the client sets authentication and business "
                "routing itself; use business_id= to reach another business")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        raise_for_status: bool = True,
        idempotency_key: str | None = None,
        business_id: str | None = None,
        options: CallOptions | None = None,
    ) -> HttpResponse:
        """Send one request to ``path`` under the provider's base URL.

        Args:
            method: HTTP method.
            path: e.g. ``/financial_settings``; absolute URLs, ``//host``, ``..`` and encoded
                variants are refused.
            params: query parameters.
            json: request body (``Decimal`` is sent as a string).
            headers: extra headers; auth and business headers are refused.
            raise_for_status: when false, a non-2xx response is returned instead of raised
                (transient failures are still retried first).
            idempotency_key: attach this token the provider's way; makes a write retryable.
            business_id: route this request to another business of the connection's user.
            options: per-call retry and timeout overrides.

        Returns:
            A :class:`~unified_accounting.http.response.ProxyResponse`.

        Raises:
            ValidationError: for a refused path, header or query parameter (before anything
                is sent).
            AccountingError: for a non-2xx response when ``raise_for_status`` is true.
        """
        checked = self._checked_headers(headers)
        self._check_query(path, params)
        return self._transport.request(
            method, path, params=params, json=json, headers=checked,
            idempotency_key=idempotency_key, business_id=business_id, options=options,
            raise_for_status=raise_for_status,
        )

    def paginate(self, path: str, params: Mapping[str, Any] | None = None, *,
                 options: CallOptions | None = None) -> Iterator[dict[str, Any]]:
        """Yield every record of every page of a list, using the provider's paging.

        Pages are fetched lazily; the first page uses the provider's default page size.

        Raises:
            ValidationError: for a refused path or query parameter (before anything is sent).
        """
        self._check_query(path, params)
        return self._transport.paginate(path, params, options=options)

    def __repr__(self) -> str:
        return f"Proxy(base_url={self._transport.base_url!r})"

