"""The retry policy, as small pure functions.

Reads (GET, HEAD, OPTIONS) are retried on connection errors and on 429, 500, 502, 503 and
504: a read changes nothing, so a transient 500 in the middle of a list costs a retry, not the
list. Writes are retried on the same failures only when they carry an idempotency token,
which the transport attaches once so that every retry resends the same token.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from unified_accounting.utctime import as_utc

__all__ = [
    "READ_METHODS",
    "RETRYABLE_STATUSES",
    "RetryPlan",
    "backoff_delay",
    "full_jitter",
    "is_read",
    "parse_retry_after",
    "plan_retry",
    "should_retry",
]

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# 500 may mean the write happened; only a replay-safe (idempotent) write may be resent.
IDEMPOTENT_WRITE_STATUSES = RETRYABLE_STATUSES | {500}
# A read is always replay-safe, so it is retried on 500 too.
READ_RETRY_STATUSES = IDEMPOTENT_WRITE_STATUSES

Jitter = Callable[[float], float]


def is_read(method: str) -> bool:
    """Return whether ``method`` never changes state on the provider."""
    return method.upper() in READ_METHODS


def should_retry(method: str, status: int | None, *, has_idempotency_key: bool) -> bool:
    """Return whether a failed attempt may be sent again.

    Args:
        method: the HTTP method.
        status: the response status, or ``None`` for a connection error or timeout.
        has_idempotency_key: whether the request carries an idempotency token.
    """
    if is_read(method):
        return status is None or status in READ_RETRY_STATUSES
    if not has_idempotency_key:
        return False
    return status is None or status in IDEMPOTENT_WRITE_STATUSES


def full_jitter(ceiling: float) -> float:
    """Return a uniformly random wait between 0 and ``ceiling`` ("full jitter")."""
    return random.uniform(0.0, ceiling)


def backoff_delay(
    retry_number: int,
    *,
    base: float = 0.5,
    cap: float = 8.0,
    jitter: Jitter = full_jitter,
) -> float:
    """Return the wait before retry ``retry_number`` (1 for the first retry).

    The ceiling doubles from ``base`` and never exceeds ``cap``; ``jitter`` picks the wait
    below the ceiling so that many clients do not retry in step.
    """
    exponent = max(0, retry_number - 1)
    ceiling = cap if exponent >= 63 else min(cap, base * (2**exponent))
    return max(0.0, min(ceiling, jitter(ceiling)))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks to wait.

    Accepts a number of seconds or an HTTP date. A date in the past gives 0.

    Args:
        value: the header value, or ``None`` when absent.
        now: an aware "now" for HTTP dates (the current UTC time when omitted).

    Returns:
        Seconds (never negative), or ``None`` when the header is absent or unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    when = as_utc(when)
    moment = now or datetime.now(UTC)
    return max(0.0, (when - moment).total_seconds())


@dataclass(frozen=True)
class RetryPlan:
    """What to do after a failed attempt.

    Attributes:
        retry: whether to send the request again.
        delay: seconds to wait first.
        reason: why not, when ``retry`` is false (``not_retryable``, ``exhausted``,
            ``retry_after_too_long`` or ``deadline``).
    """

    retry: bool
    delay: float = 0.0
    reason: str | None = None


def plan_retry(
    *,
    method: str,
    status: int | None,
    has_idempotency_key: bool,
    retries_done: int,
    max_retries: int,
    retry_after: float | None,
    retry_after_cap: float,
    time_left: float | None,
    backoff: float,
) -> RetryPlan:
    """Decide whether and when to retry a failed attempt.

    Args:
        method: the HTTP method.
        status: the response status, or ``None`` for a connection error.
        has_idempotency_key: whether the request carries an idempotency token.
        retries_done: retries already made for this call.
        max_retries: retries allowed for this call.
        retry_after: seconds the provider asked to wait, if it did.
        retry_after_cap: the longest ``Retry-After`` the client will sleep through.
        time_left: seconds left before the call's deadline, or ``None`` without one.
        backoff: the jittered backoff to use when the provider gave no ``Retry-After``.
    """
    if not should_retry(method, status, has_idempotency_key=has_idempotency_key):
        return RetryPlan(False, reason="not_retryable")
    if retry_after is not None and retry_after > retry_after_cap:
        return RetryPlan(False, delay=retry_after, reason="retry_after_too_long")
    if retries_done >= max_retries:
        return RetryPlan(False, reason="exhausted")
    delay = retry_after if retry_after is not None else backoff
    if time_left is not None and delay >= time_left:
        return RetryPlan(False, delay=delay, reason="deadline")
    return RetryPlan(True, delay=delay)
