"""``client.proxy``: raw provider requests with the same auth, routing, limits and retries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.http.options import CallOptions
from unified_accounting.http.response import HttpResponse
from unified_accounting.http.transport import Transport

__all__ = ["Proxy"]

_PROTECTED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "host"})


class Proxy:
    """Reaches any path under the provider's base URL.

    Paths cannot leave the base URL (see :func:`unified_accounting.http.paths.check_path`),
    caller headers cannot replace authentication, and the business header is set only through
    ``business_id=``.
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _checked_headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        protected = set(_PROTECTED_HEADERS)
        if self._transport.provider.business_header:
            protected.add(self._transport.provider.business_header.lower())
        refused = sorted(name for name in (headers or {}) if name.lower() in protected)
        if refused:
            raise ValidationError(
                {f"headers.{name}": ["this header is set by the client"] for name in refused},
                message="headers that carry authentication or business routing cannot be set; "
                "use business_id= to reach another business",
            )
        return dict(headers or {})

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
            ValidationError: for a refused path or header (before anything is sent).
            AccountingError: for a non-2xx response when ``raise_for_status`` is true.
        """
        checked = self._checked_headers(headers)
        return self._transport.request(
            method, path, params=params, json=json, headers=checked,
            idempotency_key=idempotency_key, business_id=business_id, options=options,
            raise_for_status=raise_for_status,
        )

    def paginate(self, path: str, params: Mapping[str, Any] | None = None, *,
                 options: CallOptions | None = None) -> Iterator[dict[str, Any]]:
        """Yield every record of every page of a list, using the provider's paging.

        Pages are fetched lazily; the first page uses the provider's default page size.
        """
        return self._transport.paginate(path, params, options=options)

    def __repr__(self) -> str:
        return f"Proxy(base_url={self._transport.base_url!r})"

