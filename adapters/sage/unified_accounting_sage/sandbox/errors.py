"""Sage-shaped errors: a JSON array of ``{$severity, $dataCode, $message, $source}``."""

from __future__ import annotations

from typing import Any


class SageError(Exception):
    """Raised by resource handlers; the core turns it into Sage's error array.

    Args:
        status: HTTP status to answer with.
        errors: one or more ``(data_code, message, source)`` triples.
        headers: extra response headers (``Retry-After`` for 429).
    """

    def __init__(
        self,
        status: int,
        errors: list[tuple[str, str, str]],
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {errors[0][0] if errors else ''}")
        self.status = status
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> list[dict[str, Any]]:
        """The JSON array Sage sends for this error."""
        return [
            {"$severity": "error", "$dataCode": code, "$message": message, "$source": source}
            for code, message, source in self.errors
        ]


def invalid(source: str, message: str) -> SageError:
    """422 ``RecordInvalid`` for one field (or ``base`` for the whole record)."""
    return SageError(422, [("RecordInvalid", message, source)])


def blank(source: str) -> SageError:
    """422 for a required field that is missing."""
    return invalid(source, "can't be blank")


def not_found(source: str = "") -> SageError:
    """404 ``RecordNotFound``; ``source`` names the body field holding the unknown id."""
    return SageError(404, [("RecordNotFound", "Record not found", source)])


def unauthorized() -> SageError:
    """401 for a missing, unknown, expired or revoked access token."""
    return SageError(401, [("AuthorizationFailure", "Access denied.", "")])


def business_forbidden() -> SageError:
    """403 for an ``X-Business`` the user cannot access."""
    return SageError(403, [("AuthorizationFailure", "Access denied.", "")])


def role_forbidden() -> SageError:
    """403 for a write with a read-only token."""
    message = "The current user is not allowed to access that resource with that method."
    return SageError(403, [("MultiUserAccessDenied", message, "")])


def method_not_allowed() -> SageError:
    """405 for a known path with an unsupported verb."""
    return SageError(405, [("MethodNotAllowed", "Method not allowed", "")])


def route_not_found() -> SageError:
    """404 for an unknown path."""
    return SageError(404, [("RouteNotFound", "No route matches the requested path", "")])


def unexpected() -> SageError:
    """500 ``UnexpectedError``, the body Sage sends with a server error."""
    return SageError(500, [("UnexpectedError", "An unexpected error occurred.", "")])


def unavailable(retry_after: int) -> SageError:
    """503 with ``Retry-After``."""
    return SageError(
        503,
        [("ServiceUnavailable", "The service is temporarily unavailable.", "")],
        {"Retry-After": str(retry_after)},
    )


def too_many_requests(retry_after: int, scope: str) -> SageError:
    """429 with ``Retry-After`` in whole seconds."""
    message = f"Too many requests ({scope}); retry after {retry_after} seconds."
    return SageError(429, [("TooManyRequests", message, "")], {"Retry-After": str(retry_after)})


def bad_request(message: str) -> SageError:
    """400 for a body that is not JSON at all."""
    return SageError(400, [("BadRequest", message, "")])
