"""Credential types shared by the transport, the token stores and the OAuth flow.

Secrets are wrapped in :class:`Secret` as soon as they enter the library so that a stray
``repr``, f-string or log call shows a mask instead of the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from unified_accounting.errors import AuthenticationError

__all__ = [
    "CLIENT_ID_ENV",
    "CLIENT_SECRET_ENV",
    "AccessTokenSource",
    "OAuthEndpoints",
    "Secret",
    "StaticAccessToken",
    "TokenSet",
]

# Where ``ua.connect`` and the command line look for the OAuth client's id and secret when
# the caller passes neither.
CLIENT_ID_ENV = "UNIFIED_ACCOUNTING_CLIENT_ID"
CLIENT_SECRET_ENV = "UNIFIED_ACCOUNTING_CLIENT_SECRET"  # noqa: S105 - a variable name

_MASK = "Secret('**********')"


class Secret:
    """A string that never shows itself: ``repr`` and ``str`` are masked.

    Call :meth:`reveal` at the single place that must send the value (an HTTP header, a form
    field, an encrypted store). Wrapping a ``Secret`` again gives an equal ``Secret``, so an
    argument typed ``str | Secret`` needs no check before it is wrapped.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        self._value = value.reveal() if isinstance(value, Secret) else value

    def reveal(self) -> str:
        """Return the plain value; use only where it is sent or stored."""
        return self._value

    def __repr__(self) -> str:
        return _MASK

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling is refused so a secret cannot leave the process by accident.
        raise TypeError("Secret values cannot be pickled")


@dataclass(frozen=True)
class TokenSet:
    """The tokens of one connection, as the provider last issued them.

    ``expires_at`` is an aware UTC datetime; ``extra`` keeps provider fields such as Sage's
    ``requested_by_id`` that are neither secret nor standard.
    """

    access_token: Secret
    refresh_token: Secret | None
    expires_at: datetime
    token_type: str = "bearer"  # noqa: S105 - a scheme name, not a secret
    scope: str | None = None
    refresh_token_expires_at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds until the access token expires (negative once it has)."""
        moment = now or datetime.now(UTC)
        return (self.expires_at - moment).total_seconds()


@dataclass(frozen=True)
class OAuthEndpoints:
    """Where a provider's OAuth 2.0 authorization-code flow lives."""

    authorize_url: str
    token_url: str
    revoke_url: str | None = None
    default_scopes: tuple[str, ...] = ()
    extra_authorize_params: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class AccessTokenSource(Protocol):
    """What the transport asks for a bearer token.

    ``access_token`` may refresh proactively; ``refresh_after_unauthorized`` is called once after
    a 401 with the token that was refused, and returns a token to retry with (or raises
    :class:`~unified_accounting.errors.ReauthorizationRequired`).
    """

    def access_token(self) -> Secret: ...

    def refresh_after_unauthorized(self, rejected: Secret) -> Secret: ...


class StaticAccessToken:
    """An access token the caller manages; a 401 is final."""

    def __init__(self, token: str | Secret) -> None:
        self._token = Secret(token)

    def access_token(self) -> Secret:
        return self._token

    def refresh_after_unauthorized(self, rejected: Secret) -> Secret:
        raise AuthenticationError(
            "the access token was refused and cannot be refreshed", status=401
        )

    def __repr__(self) -> str:
        return "StaticAccessToken(token=<masked>)"
