"""How hard a call tries and how long it waits: the transport's defaults and per-call overrides."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CallOptions", "RetryConfig", "Timeouts"]


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
