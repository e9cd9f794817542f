"""The HTTP transport shared by mapped resources and the proxy.

:class:`Transport` sends requests with a client-side limiter, retries with backoff and
``Retry-After``, idempotency-token reuse, one token refresh after a 401 and redacted logs.
The retry policy lives in :mod:`unified_accounting.http.retry` as pure functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unified_accounting.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from unified_accounting.http.deadline import DeadlineAdapter
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

# Public name -> its module, imported on first use: ``CallOptions`` does not load requests.
_IMPORTS: dict[str, str] = {
    "CallOptions": "unified_accounting.http.options",
    "DeadlineAdapter": "unified_accounting.http.deadline",
    "HttpResponse": "unified_accounting.http.response",
    "LimitScope": "unified_accounting.http.limiter",
    "Limiter": "unified_accounting.http.limiter",
    "LimiterRegistry": "unified_accounting.http.limiter",
    "LocalLimiter": "unified_accounting.http.limiter",
    "OutgoingRequest": "unified_accounting.http.policies",
    "Page": "unified_accounting.http.policies",
    "ProviderPolicies": "unified_accounting.http.policies",
    "ProxyResponse": "unified_accounting.http.response",
    "RateLimits": "unified_accounting.http.limiter",
    "RedisLimiter": "unified_accounting.http.redis_limiter",
    "RetryConfig": "unified_accounting.http.options",
    "Timeouts": "unified_accounting.http.options",
    "Transport": "unified_accounting.http.transport",
    "error_from_response": "unified_accounting.http.response",
}

__all__ = [
    "CallOptions",
    "DeadlineAdapter",
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

__getattr__, __dir__ = lazy_exports(globals(), _IMPORTS)
