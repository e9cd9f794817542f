"""Error answers of the v2 API: ASP.NET Web API bodies (``Message``, ``ModelState``).

The request-limit and login-block texts are the ones Sage's request-limits page quotes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "LOGIN_BLOCKED",
    "MINUTE_LIMIT_BLOCKED",
    "ZAError",
    "invalid",
    "not_found",
]

MINUTE_LIMIT_BLOCKED = ("Your IP address has exceeded the allowed number of transactions per "
                        "minute and has been blocked for 1 hour")
LOGIN_BLOCKED = ("Your Username has exceeded the allowed number of login attempts and has "
                 "been blocked for 24 hours")


class ZAError(Exception):
    """An error answer: status, ``Message`` and optional ``ModelState`` (field -> messages)."""

    def __init__(self, status: int, message: str,
                 model_state: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.model_state = dict(model_state or {})

    def body(self) -> dict[str, Any]:
        """The JSON body."""
        body: dict[str, Any] = {"Message": self.message}
        if self.model_state:
            body["ModelState"] = self.model_state
        return body


def invalid(field: str, message: str) -> ZAError:
    """A 400 naming one field of the saved model."""
    key = f"model{field}" if field.startswith("[") else f"model.{field}"
    return ZAError(400, "The request is invalid.", {key: [message]})


def not_found(controller: str, record_id: int | str) -> ZAError:
    """A 404 for an id the company does not have."""
    return ZAError(404, f"No {controller} found matching ID {record_id}.")
