"""Building blocks for provider authors: the common parts of error mapping and token parsing.

Both are re-exported by :mod:`unified_accounting.provider`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from unified_accounting.errors import (
    AccountingError,
    RateLimitError,
    ValidationError,
    error_class_for_status,
)

# The token manager and the OAuth flow read token responses with this same function, so a
# provider that uses it gets exactly the parsing the rest of the library relies on.
from unified_accounting.tokens.endpoint import parse_token_response as standard_token_set

if TYPE_CHECKING:
    from unified_accounting.http.response import HttpResponse

__all__ = ["error_from_response", "standard_token_set"]


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
