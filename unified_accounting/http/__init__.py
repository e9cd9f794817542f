"""The HTTP transport shared by mapped resources and the proxy.

:class:`Transport` sends requests with a client-side limiter, retries with backoff and
``Retry-After``, idempotency-token reuse, one token refresh after a 401 and redacted logs.
The retry policy lives in :mod:`unified_accounting.http.retry` as pure functions.
"""

from __future__ import annotations

from unified_accounting.http.limiter import Limiter, LimiterRegistry, LimitScope, LocalLimiter
from unified_accounting.http.redis_limiter import RedisLimiter
from unified_accounting.http.response import HttpResponse, ProxyResponse
from unified_accounting.http.transport import Transport
from unified_accounting.http.types import (
    CallOptions,
    OutgoingRequest,
    Page,
    RateLimits,
    RetryConfig,
    Timeouts,
)

__all__ = [
    "CallOptions",
    "HttpResponse",
    "LimitScope",
    "Limiter",
    "LimiterRegistry",
    "LocalLimiter",
    "OutgoingRequest",
    "Page",
    "ProxyResponse",
    "RateLimits",
    "RedisLimiter",
    "RetryConfig",
    "Timeouts",
    "Transport",
]
