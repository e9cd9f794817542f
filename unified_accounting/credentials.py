"""Credential types shared by the transport, the token stores and the OAuth flow.

Secrets are wrapped in :class:`Secret` as soon as they enter the library so that a stray
``repr``, f-string or log call shows a mask instead of the value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from unified_accounting.errors import AuthenticationError, ProviderError

__all__ = [
    "CLIENT_ID_ENV",
    "CLIENT_SECRET_ENV",
    "DEFAULT_TOKEN_LIFETIME",
    "MAX_TOKEN_LIFETIME",
    "AccessTokenSource",
    "OAuthEndpoints",
    "Secret",
    "StaticAccessToken",
    "TokenResponseError",
    "TokenSet",
    "parse_token_response",
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


#: Seconds an access token is assumed to live when the provider omits ``expires_in``.
DEFAULT_TOKEN_LIFETIME = 3600
#: The longest lifetime believed (366 days). A longer ``expires_in`` or
#: ``refresh_token_expires_in`` is clamped to it rather than refused: after a refresh the
#: provider has already spent the old refresh token, so refusing an answer over its lifetime
#: alone would lose the connection. A token that dies sooner than announced is refreshed after
#: its first 401, as any other.
MAX_TOKEN_LIFETIME = 366 * 24 * 3600

_STANDARD_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "expires_in",
        "refresh_token_expires_in",
        "token_type",
        "scope",
    }
)


class TokenResponseError(ProviderError, AuthenticationError):
    """The token endpoint answered with success but without a usable token response.

    A ``ProviderError`` because the provider misbehaved (a refresh records the failure and may
    keep serving the current token), and an ``AuthenticationError`` because no credentials
    came of it, which is what the provider contract promises for a missing access token.
    """


def parse_token_response(payload: Mapping[str, Any], now: datetime) -> TokenSet:
    """Read a standard RFC 6749 token response received at ``now``.

    Reads ``access_token``, ``refresh_token``, ``expires_in``, ``refresh_token_expires_in``,
    ``token_type`` (lower-cased: the scheme name is case-insensitive) and ``scope`` (a string,
    or a list joined with spaces); other non-secret fields are kept in ``TokenSet.extra``.
    Fields whose name contains ``token`` (an ``id_token``) are dropped rather than kept where
    a repr could show them.

    A lifetime longer than :data:`MAX_TOKEN_LIFETIME` is clamped to it.

    Raises:
        TokenResponseError: when the answer has no access token or a malformed lifetime
            (not a number, negative, NaN or infinite).
    """
    access = payload.get("access_token")
    if not isinstance(access, str) or not access:
        raise TokenResponseError("the token endpoint answered without an access token",
                                 code="no_access_token")
    refresh = payload.get("refresh_token")
    scope = payload.get("scope")
    if isinstance(scope, list | tuple):
        scope = " ".join(str(s) for s in scope)
    refresh_life = payload.get("refresh_token_expires_in")
    return TokenSet(
        access_token=Secret(access),
        refresh_token=Secret(refresh) if isinstance(refresh, str) and refresh else None,
        expires_at=now + timedelta(seconds=_seconds(payload.get("expires_in"))),
        token_type=str(payload.get("token_type") or "bearer").lower(),
        scope=None if scope is None else str(scope),
        refresh_token_expires_at=(
            None if refresh_life is None else now + timedelta(seconds=_seconds(refresh_life))
        ),
        extra={
            key: value
            for key, value in payload.items()
            if key not in _STANDARD_FIELDS and "token" not in key.lower()
        },
    )


def _seconds(value: Any) -> float:
    """A lifetime in seconds: missing means the default, over the maximum is clamped.

    Raises:
        TokenResponseError: for text that is no number, a boolean, a negative number, NaN or
            infinity.
    """
    if value is None:
        return float(DEFAULT_TOKEN_LIFETIME)
    try:
        if isinstance(value, bool):
            raise TypeError("a boolean is no lifetime")
        if isinstance(value, int) and value > MAX_TOKEN_LIFETIME:
            return float(MAX_TOKEN_LIFETIME)  # too large even for a float, yet a number
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        raise TokenResponseError("the token endpoint answered with a malformed lifetime",
                                 code="bad_lifetime") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise TokenResponseError("the token endpoint answered with a malformed lifetime",
                                 code="bad_lifetime")
    return min(seconds, float(MAX_TOKEN_LIFETIME))
