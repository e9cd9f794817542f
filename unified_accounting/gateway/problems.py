"""Every error answer is one RFC 9457 problem document (``application/problem+json``).

Members: ``type`` (a link to the problem's section of ``/docs``), ``title``, ``status``,
``detail``, ``instance`` (the request path), plus ``error`` (the unified error's class),
``errors`` (field path -> messages), ``code`` (the provider's code), ``provider_request_id``,
``retryable``, ``request_id`` (the gateway's, also in the ``X-Request-Id`` header) and, for
limits, ``retry_after`` (also the ``Retry-After`` header).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from unified_accounting.errors import (
    AccountingError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProviderUnavailableError,
    RateLimitError,
    ReauthorizationRequired,
    StoreUnavailableError,
    UnsupportedOperationError,
    ValidationError,
)

__all__ = ["PROBLEM_TYPES", "Problem", "problem_for_error", "problem_response"]

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class Problem:
    """One problem document before it is written."""

    slug: str
    status: int
    detail: str
    error: str | None = None
    errors: Mapping[str, Sequence[str]] = field(default_factory=dict)
    code: str | None = None
    provider_request_id: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


#: slug -> (HTTP status, title). ``/docs`` has a section per slug.
PROBLEM_TYPES: Mapping[str, tuple[int, str]] = {
    "bad-request": (400, "The request is malformed"),
    "unsupported-filter": (400, "The provider does not offer this filter"),
    "unauthorized": (401, "A valid API key is required"),
    "permission-denied": (403, "The provider refused the operation"),
    "not-found": (404, "No such resource"),
    "method-not-allowed": (405, "The provider does not support this operation"),
    "conflict": (409, "The request conflicts with the provider's state"),
    "reauthorization-required": (409, "The connection must be authorized again"),
    "payload-too-large": (413, "The request body is too large"),
    "unsupported-media-type": (415, "The request body must be JSON"),
    "validation": (422, "The input is invalid"),
    "rate-limited": (429, "Too many requests for this API key"),
    "provider-rate-limited": (429, "The provider's quota is spent"),
    "internal": (500, "The gateway failed"),
    "provider-error": (502, "The provider answered with an error"),
    "provider-authentication": (502, "The provider refused the connection's credentials"),
    "provider-unavailable": (503, "The provider cannot be reached"),
    "store-unavailable": (503, "The gateway's storage cannot be used right now"),
    "timeout": (504, "The request took too long"),
}

# The unified error class -> the problem it becomes; the first match in order wins, so a
# subclass comes before its base.
_ERROR_PROBLEMS: Sequence[tuple[type[AccountingError], str]] = (
    (ValidationError, "validation"),
    (ReauthorizationRequired, "reauthorization-required"),
    (AuthenticationError, "provider-authentication"),
    (PermissionDeniedError, "permission-denied"),
    (NotFoundError, "not-found"),
    (ConflictError, "conflict"),
    (RateLimitError, "provider-rate-limited"),
    (ProviderUnavailableError, "provider-unavailable"),
    (StoreUnavailableError, "store-unavailable"),
    (UnsupportedOperationError, "method-not-allowed"),
    (ConfigurationError, "internal"),
)


def problem_for_error(exc: AccountingError) -> Problem:
    """The problem a unified error becomes (``provider-error`` for any other provider error)."""
    slug = next((name for cls, name in _ERROR_PROBLEMS if isinstance(exc, cls)),
                "provider-error")
    retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
    headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after else {}
    # A store's message names a file path or a Redis host of the server: the caller gets the
    # title only, the operator finds the whole message in the gateway's log.
    detail = PROBLEM_TYPES[slug][1] if slug == "store-unavailable" else exc.message
    return Problem(
        slug=slug, status=PROBLEM_TYPES[slug][0], detail=detail, error=type(exc).__name__,
        errors=exc.field_errors, code=exc.code, provider_request_id=exc.request_id,
        retryable=exc.retryable, retry_after=retry_after, headers=headers,
    )


def problem_response(problem: Problem, *, instance: str, request_id: str) -> Response:
    """Write ``problem`` as an ``application/problem+json`` response."""
    status, title = PROBLEM_TYPES[problem.slug]
    body: dict[str, Any] = {
        "type": f"/docs#problem-{problem.slug}",
        "title": title,
        "status": status,
        "detail": problem.detail,
        "instance": instance,
        "error": problem.error,
        "errors": {path: list(messages) for path, messages in problem.errors.items()},
        "code": problem.code,
        "provider_request_id": problem.provider_request_id,
        "retryable": problem.retryable,
        "request_id": request_id,
    }
    if problem.retry_after is not None:
        body["retry_after"] = math.ceil(problem.retry_after)
    headers = {"X-Request-Id": request_id, **problem.headers}
    return Response(json.dumps(body), status_code=status, headers=headers,
                    media_type=PROBLEM_CONTENT_TYPE)
