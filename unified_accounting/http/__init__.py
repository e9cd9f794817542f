"""The HTTP transport shared by mapped resources and the proxy.

:class:`Transport` sends requests with a client-side limiter, retries with backoff and
``Retry-After``, idempotency-token reuse, one token refresh after a 401 and redacted logs.
The retry policy lives in :mod:`unified_accounting.http.retry` as pure functions.
"""

from __future__ import annotations

from unified_accounting.http.limiter import (
    Limiter,
    LimiterRegistry,
    LimitScope,
    LocalLimiter,
    RateLimits,
)
from unified_accounting.http.options import CallOptions, RetryConfig, Timeouts
from unified_accounting.http.policies import OutgoingRequest, Page, ProviderPolicies
from unified_accounting.http.redis_limiter import RedisLimiter
from unified_accounting.http.response import HttpResponse, ProxyResponse, error_from_response
from unified_accounting.http.transport import Transport

__all__ = [
    "CallOptions",
    "HttpResponse",
    "LimitScope",
    "Limiter",
    "LimiterRegistry",
    "LocalLimiter",
    "OutgoingRequest",
    "Page",
    "ProviderPolicies",
    "ProxyResponse",
    "RateLimits",
    "RedisLimiter",
    "RetryConfig",
    "Timeouts",
    "Transport",
    "error_from_response",
]
