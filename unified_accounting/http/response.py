"""What the transport returns: a response read in full, safe to keep and to print."""

from __future__ import annotations

import json as _json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from requests.structures import CaseInsensitiveDict

from unified_accounting.errors import (
    AccountingError,
    ProviderError,
    RateLimitError,
    ValidationError,
    error_class_for_status,
)

__all__ = ["HttpResponse", "ProxyResponse", "ResponseDecodeError", "error_from_response"]


class ResponseDecodeError(ProviderError, ValueError):
    """A body that should be JSON is not; also a ``ValueError``, as ``json()`` always raised."""


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's decoder would turn them into floats.
    raise ValueError(f"{name} is not a JSON value")


@dataclass(frozen=True, eq=False)
class HttpResponse:
    """A provider response.

    Attributes:
        status: the HTTP status.
        headers: response headers (case-insensitive lookup).
        content: the raw body.
        method: the request method.
        path: the request path under the base URL, without its query.
        request_id: the provider's request id, when it sends one.
        rate_limit: ``ratelimit-limit``/``-remaining``/``-reset`` as the provider reported them.
        attempts: how many times the request was sent.
        elapsed: seconds the last attempt took.
    """

    status: int
    headers: Mapping[str, str]
    content: bytes
    method: str
    path: str
    request_id: str | None = None
    rate_limit: Mapping[str, str] = field(default_factory=dict)
    attempts: int = 1
    elapsed: float = 0.0

    @classmethod
    def build(cls, status: int, headers: Mapping[str, str], content: bytes,
              **kw: Any) -> HttpResponse:
        """Create a response with case-insensitive headers."""
        return cls(status, CaseInsensitiveDict(dict(headers)), content, **kw)

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Decode the JSON body; numbers with a fraction become ``Decimal``, never ``float``.

        Returns ``None`` for an empty body.

        Raises:
            ResponseDecodeError: (a ``ProviderError`` and a ``ValueError``) when the body is
                not strict JSON (``NaN`` and ``Infinity`` included) or is nested too deeply
                to decode; the message names the request, never the body.
        """
        if not self.content.strip():
            return None
        try:
            return _json.loads(self.content, parse_float=Decimal,
                               parse_constant=_refuse_constant)
        except RecursionError:
            why = "nested too deeply"
        except ValueError as exc:
            why = exc.msg if isinstance(exc, _json.JSONDecodeError) else str(exc)
        raise ResponseDecodeError(
            f"{self.method} {self.path} answered {self.status} with a body that is not JSON "
            f"({why}; {len(self.content)} bytes)", status=self.status,
            request_id=self.request_id)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, method={self.method!r}, "
            f"path={self.path!r}, request_id={self.request_id!r})"
        )


ProxyResponse = HttpResponse
"""What ``client.proxy.request`` returns: status, headers, ``json()``, ``text``, rate limits."""


def error_from_response(
    response: HttpResponse,
    *,
    message: str | None = None,
    code: str | None = None,
    field_errors: Mapping[str, list[str]] | None = None,
    provider: str | None = None,
) -> AccountingError:
    """Build the unified error that fits ``response.status``.

    Args:
        response: the failed response.
        message: a short sentence from the provider's error body.
        code: the provider's error code.
        field_errors: field path -> messages.
        provider: the provider name for the error.

    Returns:
        An instance of the class :func:`error_class_for_status` picks, carrying status,
        request id and, for 429, the normalized rate-limit values.
    """
    cls = error_class_for_status(response.status)
    text = message or f"{response.method} {response.path} failed"
    common: dict[str, Any] = {
        "status": response.status,
        "code": code,
        "request_id": response.request_id,
        "provider": provider,
    }
    if issubclass(cls, ValidationError):
        return cls(field_errors or {}, message=text, **common)
    if issubclass(cls, RateLimitError):
        common["rate_limit"] = response.rate_limit
    return cls(text, field_errors=field_errors, **common)
