"""Plain records shared by the transport and the provider contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["OutgoingRequest", "Page", "RateLimits"]


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
