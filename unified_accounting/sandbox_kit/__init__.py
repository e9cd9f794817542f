"""Machinery for provider sandboxes: a loopback HTTP server, a clock, faults, limits, counters.

Every provider's sandbox (a local imitation of its API, for tests, demos and benchmarks) is
built from these parts, so no provider copies them. The kit imports no provider: a sandbox
hands the server an object with ``handle(SandboxRequest) -> SandboxResponse``.
"""

from __future__ import annotations

from unified_accounting.sandbox_kit.clock import SandboxClock
from unified_accounting.sandbox_kit.counters import Counters, CounterSnapshot
from unified_accounting.sandbox_kit.faults import (
    FAULT_HEADER,
    WRITE_METHODS,
    FaultDecision,
    FaultInjector,
    FaultRates,
)
from unified_accounting.sandbox_kit.limits import RateLimiter, Refusal, window_wait
from unified_accounting.sandbox_kit.server import RequestHandler, SandboxHTTPServer
from unified_accounting.sandbox_kit.wire import SandboxRequest, SandboxResponse

__all__ = [
    "FAULT_HEADER",
    "WRITE_METHODS",
    "CounterSnapshot",
    "Counters",
    "FaultDecision",
    "FaultInjector",
    "FaultRates",
    "RateLimiter",
    "Refusal",
    "RequestHandler",
    "SandboxClock",
    "SandboxHTTPServer",
    "SandboxRequest",
    "SandboxResponse",
    "window_wait",
]
