"""When to refresh, when to retry a refresh, and how long to hold back: pure functions.

No I/O and no clock of their own, so each rule is tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from unified_accounting.errors import (
    AccountingError,
    AuthenticationError,
    ProviderUnavailableError,
    RateLimitError,
)
from unified_accounting.tokens.base import ConnectionInfo, Health

__all__ = [
    "TRANSIENT_ERRORS",
    "RefreshPolicy",
    "backoff_delay",
    "cooldown_error",
    "cooldown_remaining",
    "error_code",
    "needs_refresh",
    "refresh_margin",
    "retry_delay",
]


@dataclass(frozen=True)
class RefreshPolicy:
    """How a :class:`~unified_accounting.tokens.manager.TokenManager` refreshes.

    Attributes:
        max_margin: refresh at the latest this many seconds before expiry.
        lifetime_fraction: ...or when less than this fraction of the lifetime remains, if
            that is sooner (a 5-minute token refreshes with 60 s left, a 2-minute one with 24 s).
        cooldown: seconds after a failed refresh during which no worker tries again.
        max_attempts: token requests per refresh, counting the first (429/5xx/unreachable only).
        backoff_base: the first backoff in seconds; it doubles per attempt.
        backoff_cap: the longest backoff in seconds.
        max_retry_after: the longest ``Retry-After`` honoured; a longer one ends the refresh.
        lock_timeout: seconds to wait for another worker's refresh to finish.
        request_timeout: seconds to wait for the token endpoint's answer.
    """

    max_margin: float = 60.0
    lifetime_fraction: float = 0.2
    cooldown: float = 15.0
    max_attempts: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 5.0
    max_retry_after: float = 10.0
    lock_timeout: float = 30.0
    request_timeout: float = 10.0


def refresh_margin(lifetime: float | None, policy: RefreshPolicy) -> float:
    """Seconds before expiry at which a token is refreshed: min(max_margin, lifetime x fraction).

    An unknown or nonsensical lifetime gets the full ``max_margin``.
    """
    if lifetime is None or lifetime <= 0:
        return policy.max_margin
    return min(policy.max_margin, lifetime * policy.lifetime_fraction)


def needs_refresh(
    expires_at: datetime, issued_at: datetime | None, now: datetime, policy: RefreshPolicy
) -> bool:
    """Whether a token issued at ``issued_at`` and expiring at ``expires_at`` is due at ``now``."""
    lifetime = None if issued_at is None else (expires_at - issued_at).total_seconds()
    return (expires_at - now).total_seconds() < refresh_margin(lifetime, policy)


def backoff_delay(attempt: int, policy: RefreshPolicy, jitter: float) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based).

    Capped exponential backoff, scaled by ``jitter`` (0..1) into the upper half of the value so
    that workers that failed together do not retry together.
    """
    base = min(policy.backoff_base * 2.0 ** (attempt - 1), policy.backoff_cap)
    return base * (0.5 + 0.5 * min(max(jitter, 0.0), 1.0))


def retry_delay(
    attempt: int, error: Exception, policy: RefreshPolicy, jitter: float
) -> float | None:
    """Seconds to wait before retrying a refresh that failed with ``error``, or ``None`` to stop.

    Only 429, 5xx and unreachable endpoints are retried: a 4xx means the grant or the client
    is wrong, and sending a rotated refresh token again cannot help.
    """
    if attempt >= policy.max_attempts:
        return None
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        return error.retry_after if error.retry_after <= policy.max_retry_after else None
    if isinstance(error, RateLimitError | ProviderUnavailableError):
        return backoff_delay(attempt, policy, jitter)
    return None


def cooldown_remaining(info: ConnectionInfo, now: datetime, policy: RefreshPolicy) -> float:
    """Seconds left before a connection whose last refresh failed may be refreshed again."""
    if info.health is not Health.REFRESH_FAILED or info.last_failure_at is None:
        return 0.0
    waited = (now - info.last_failure_at).total_seconds()
    return max(0.0, policy.cooldown - waited)


def cooldown_error(info: ConnectionInfo, wait: float) -> AccountingError:
    """The error for a refresh held back by the cooldown: retryable when the failure was."""
    message = (
        f"the last token refresh of connection {info.connection!r} failed "
        f"({info.last_error or 'unknown error'}); next attempt allowed in {wait:.0f}s"
    )
    if info.last_error in TRANSIENT_ERRORS:
        return ProviderUnavailableError(message)
    return AuthenticationError(message)


#: Short failure codes after which a later refresh may succeed without anyone's help.
TRANSIENT_ERRORS = frozenset({"unreachable", "rate_limited", "server_error"})


def error_code(error: AccountingError) -> str:
    """A short code for a failed refresh, stored as the connection's ``last_error``."""
    if isinstance(error, RateLimitError):
        return "rate_limited"
    if isinstance(error, ProviderUnavailableError):
        return "unreachable" if error.status is None else "server_error"
    if error.code:
        return error.code
    return "http_error" if error.status is None else f"http_{error.status}"
