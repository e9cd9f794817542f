"""What a delivery attempt leads to: pure rules, tested without a store or a provider.

- delivered: the provider stored the write (its id is kept);
- a rate limit or a provider block: the item goes back to the queue with a not-before time of
  the provider's ``retry_after``, and the attempt does not count as a failure; since the
  later items of the queue wait behind it, the whole (connection, business) pauses, and the
  worker moves on to other businesses;
- a transient error (5xx, a dropped connection, a refused login, a store that cannot be used
  even if it says waiting will not help, anything unexpected): back off exponentially, with
  jitter; after ``max_failures`` of them the item is dead;
- any other error of the library (a validation error, a missing record): failed for good,
  the unified error kept as JSON;
- a delete repeated after an attempt that may have reached the provider and now answered
  404 was done by that attempt: delivered.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from unified_accounting.errors import (
    AccountingError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    StoreUnavailableError,
    ValidationError,
)
from unified_accounting.outbox.items import OutboxItem, Status

# An unexpected error's text is not the library's own; keep it short.
_MESSAGE_LIMIT = 500

__all__ = ["ItemOutcome", "RetryPolicy", "delivered", "error_json", "failed_outcome", "outcome_of"]


@dataclass(frozen=True)
class RetryPolicy:
    """How the outbox waits and when it gives up.

    Attributes:
        max_failures: transient failures after which an item is dead.
        backoff_base, backoff_cap: the first wait after a failure and the longest, in
            seconds; the wait doubles per failure and is jittered down to half.
        rate_limit_pause: the pause after a rate limit that named no wait.
    """

    max_failures: int = 8
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    rate_limit_pause: float = 60.0

    def backoff(self, failures: int, jitter: Callable[[], float] = random.random) -> float:
        """Seconds to wait after the ``failures``-th failure (half to all of the ceiling)."""
        exponent = max(0, failures - 1)
        ceiling = self.backoff_cap if exponent >= 40 else min(self.backoff_cap,
                                                              self.backoff_base * 2 ** exponent)
        return ceiling * (0.5 + 0.5 * jitter())


@dataclass(frozen=True, kw_only=True)
class ItemOutcome:
    """How a claimed item ends its attempt: the state and fields a store writes.

    ``counted`` says whether the attempt counts as a failure; ``not_before`` applies to
    ``queued``.
    """

    status: Status
    not_before: float = 0.0
    counted: bool = False
    provider_id: str | None = None
    result: Any = None
    error: Mapping[str, Any] | None = None


def delivered(provider_id: str | None, result: Any) -> ItemOutcome:
    """The provider stored the write."""
    return ItemOutcome(status="delivered", provider_id=provider_id, result=result)


def failed_outcome(error: Mapping[str, Any]) -> ItemOutcome:
    """The write cannot succeed as it is (a refusal, or a referenced write that failed)."""
    return ItemOutcome(status="failed", error=error)


def outcome_of(error: BaseException, item: OutboxItem, policy: RetryPolicy, now: float,
               jitter: Callable[[], float] = random.random, *,
               retry_any: bool = False) -> ItemOutcome:
    """Decide what an error raised by one delivery attempt of ``item`` does to it.

    ``item`` is the claimed item: its ``attempts`` and ``failures`` do not count this attempt's
    failure yet. ``retry_any`` treats every error as one another attempt may cure (the
    worker could not connect: its configuration, not the write, is at fault).
    """
    described = error_json(error)
    if isinstance(error, RateLimitError):
        wait = error.retry_after if error.retry_after is not None else policy.rate_limit_pause
        return ItemOutcome(status="queued", not_before=now + max(0.0, wait), error=described)
    if isinstance(error, NotFoundError) and item.action == "delete" and item.attempts > 1:
        return delivered(item.target_id, None)
    if _final(error) and not retry_any:
        return failed_outcome(described)
    failures = item.failures + 1
    if failures >= policy.max_failures:
        return ItemOutcome(status="dead", counted=True, error=described)
    return ItemOutcome(status="queued", counted=True, error=described,
                       not_before=now + policy.backoff(failures, jitter))


def _final(error: BaseException) -> bool:
    """Errors that another attempt of the same write cannot cure."""
    if not isinstance(error, AccountingError) or isinstance(
            error, AuthenticationError | StoreUnavailableError):
        # A login, a grant or a corrupt token store may be restored by a person; unexpected
        # errors are kept for one. None of them is the write's fault.
        return False
    return not error.retryable


def error_json(error: BaseException) -> dict[str, Any]:
    """The unified error as JSON: type, message and field errors (and what else it knows)."""
    if not isinstance(error, AccountingError):
        message = str(error)[:_MESSAGE_LIMIT] or type(error).__name__
        return {"type": type(error).__name__, "message": message, "field_errors": {}}
    described: dict[str, Any] = {
        "type": type(error).__name__, "message": error.message,
        "field_errors": dict(error.errors if isinstance(error, ValidationError)
                             else error.field_errors),
    }
    extra = {"status": error.status, "code": error.code, "request_id": error.request_id,
             "provider": error.provider, "retry_after": getattr(error, "retry_after", None)}
    described.update({key: value for key, value in extra.items() if value is not None})
    return described
