"""Plain records shared by the transport and the provider contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CallOptions", "OutgoingRequest", "Page", "RateLimits", "RetryConfig", "Timeouts"]


@dataclass(frozen=True)
class RateLimits:
    """A provider's published limits, which the client-side limiter enforces.

    ``None`` means "no limit at this level". App limits are shared by every connection of one
    provider app in the process; business limits apply to each business separately.
    """

    requests_per_second: float | None = None
    max_concurrency: int | None = None
    business_requests_per_second: float | None = None
    business_max_concurrency: int | None = None


@dataclass(frozen=True)
class Page:
    """One page of a list response.

    Attributes:
        items: the raw records of this page.
        next_path: the path (with its query) of the next page relative to the base URL, or
            ``None`` on the last page.
        total: the number of records in all pages, when the provider says.
    """

    items: list[dict[str, Any]]
    next_path: str | None = None
    total: int | None = None


@dataclass
class OutgoingRequest:
    """A request about to be sent, as provider hooks may adjust it before the first attempt."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection and for each read of the response."""

    connect: float = 5.0
    read: float = 30.0


@dataclass(frozen=True)
class RetryConfig:
    """How hard one call tries.

    Attributes:
        max_retries: retries after the first attempt (0 disables retries).
        backoff_base: the first backoff ceiling in seconds; it doubles per retry.
        backoff_cap: the largest backoff ceiling.
        retry_after_cap: the longest ``Retry-After`` slept through; a longer one raises.
        deadline: seconds one call may take in all, retries and waits included
            (``None``: no deadline).
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    retry_after_cap: float = 60.0
    deadline: float | None = 120.0


@dataclass(frozen=True)
class CallOptions:
    """Per-call overrides of the client's retry policy and timeouts (``None``: keep)."""

    max_retries: int | None = None
    deadline: float | None = None
    timeouts: Timeouts | None = None
    retry_after_cap: float | None = None
