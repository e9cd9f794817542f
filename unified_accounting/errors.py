"""One error hierarchy for every provider.

Every error carries what a caller needs to decide what to do next (HTTP status, the provider's
own code, the provider's request id, field errors and whether a retry may help) and nothing
that could leak: reprs and messages never include response bodies, headers or tokens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "AccountingError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "NotFoundError",
    "PermissionDeniedError",
    "PluginLoadError",
    "PluginNotFoundError",
    "ProviderError",
    "ProviderLoadError",
    "ProviderNotFoundError",
    "ProviderUnavailableError",
    "RateLimitError",
    "ReauthorizationRequired",
    "StoreUnavailableError",
    "UnsupportedOperationError",
    "ValidationError",
    "error_class_for_status",
]


class AccountingError(Exception):
    """Base of every error the library raises.

    Args:
        message: a human sentence; never a whole response body.
        status: the HTTP status the provider answered with, if any.
        code: the provider's own error code (Sage's ``$dataCode``), if any.
        request_id: the provider's request id, to quote to its support.
        field_errors: field path -> messages, where the provider named fields.
        retryable: whether the same request may succeed when sent again.
        provider: the provider's registered name.
    """

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        field_errors: Mapping[str, Sequence[str]] | None = None,
        retryable: bool | None = None,
        provider: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.field_errors: dict[str, list[str]] = {
            path: list(messages) for path, messages in (field_errors or {}).items()
        }
        self.retryable = self.default_retryable if retryable is None else retryable
        self.provider = provider

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"(status {self.status})")
        if self.request_id:
            parts.append(f"[request {self.request_id}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"request_id={self.request_id!r})"
        )


class ValidationError(AccountingError, ValueError):
    """Input was refused, locally or by the provider.

    ``errors`` maps every failing field path (``lines[2].debit``) to its messages, all collected
    in one pass.
    """

    def __init__(
        self,
        errors: Mapping[str, Sequence[str]],
        *,
        message: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.errors: dict[str, list[str]] = {path: list(msgs) for path, msgs in errors.items()}
        kwargs.setdefault("field_errors", self.errors)
        super().__init__(message or _summarise(self.errors), **kwargs)


def _summarise(errors: Mapping[str, Sequence[str]]) -> str:
    if not errors:
        return "validation failed"
    shown = [f"{path}: {'; '.join(msgs)}" for path, msgs in sorted(errors.items())[:5]]
    more = len(errors) - len(shown)
    return "invalid input: " + " | ".join(shown) + (f" (+{more} more)" if more > 0 else "")


class AuthenticationError(AccountingError):
    """The provider did not accept the credentials (401, or an OAuth error)."""


class ReauthorizationRequired(AuthenticationError):
    """The connection's grant is gone; a person must authorize the app again.

    Args:
        connection: the connection name whose tokens no longer work.
    """

    def __init__(self, message: str, *, connection: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.connection = connection


class PermissionDeniedError(AccountingError):
    """The user or business may not do this (403)."""


class NotFoundError(AccountingError, LookupError):
    """The record or path does not exist (404)."""


class ConflictError(AccountingError):
    """The request clashes with the provider's current state (409)."""


class RateLimitError(AccountingError):
    """The provider's quota is spent (429), or the wait it asks for is longer than allowed.

    Args:
        retry_after: seconds to wait before trying again, when known.
        rate_limit: normalized ``ratelimit-limit``/``-remaining``/``-reset`` values.
    """

    default_retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        rate_limit: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.rate_limit: dict[str, str] = dict(rate_limit or {})


class ProviderUnavailableError(AccountingError):
    """The provider could not be reached or answered 5xx."""

    default_retryable = True


class DeadlineExceededError(ProviderUnavailableError, TimeoutError):
    """A call did not finish within its deadline (``RetryConfig.deadline``).

    Raised when the provider was still connecting, still sending its answer (however slowly)
    or still being retried when the time ran out. For a write the outcome is unknown: look the
    record up before sending it again.
    """


class ProviderError(AccountingError):
    """Any other provider answer that is not a success."""


class ConfigurationError(AccountingError):
    """The library was set up wrongly (missing setting, bad option)."""


class StoreUnavailableError(AccountingError):
    """A store the library keeps its state in cannot be used right now, or at all.

    Token stores, mirrors, the shared Redis limiter and job locks raise it when their server
    is down, their file is locked for longer than the wait allowed, or their file is not a
    readable database. The message names the store (a file path, or a Redis URL without its
    password), never a token. ``retryable`` says whether waiting may help: a locked file or an
    unreachable server may come back, a corrupt file will not. Nothing stored is changed by the
    failed call.
    """

    default_retryable = True


class PluginNotFoundError(ConfigurationError, LookupError):
    """No plugin of an entry-point group has the requested name.

    Attributes:
        group: the entry-point group searched (``unified_accounting.mirrors``...).
        plugin: the name asked for.
    """

    group: str | None = None
    plugin: str | None = None


class PluginLoadError(ConfigurationError, ImportError):
    """A plugin is installed but failed to load, or is not what its group expects.

    Attributes:
        group: the entry-point group of the plugin.
        plugin: the plugin's entry-point name.
    """

    group: str | None = None
    plugin: str | None = None


class ProviderNotFoundError(PluginNotFoundError):
    """No installed provider has the requested name."""


class ProviderLoadError(PluginLoadError):
    """A provider plugin is installed but failed to load."""


class UnsupportedOperationError(AccountingError):
    """The provider does not support this operation or filter; nothing was sent."""


_STATUS_TABLE: dict[int, type[AccountingError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
    500: ProviderUnavailableError,
    502: ProviderUnavailableError,
    503: ProviderUnavailableError,
    504: ProviderUnavailableError,
}


def error_class_for_status(status: int) -> type[AccountingError]:
    """Return the unified error class for an HTTP status (``ProviderError`` when unmapped)."""
    if status in _STATUS_TABLE:
        return _STATUS_TABLE[status]
    if status >= 500:
        return ProviderUnavailableError
    return ProviderError
