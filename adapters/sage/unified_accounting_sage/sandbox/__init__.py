"""A local Sage Business Cloud Accounting v3.1 for tests, demos and benchmarks.

One core with two faces: a threaded HTTP server on loopback (:meth:`SageSandbox.running`) and
callbacks for a ``responses`` mock (:meth:`SageSandbox.register`). See ``docs/sandbox.md``.
"""

from __future__ import annotations

from unified_accounting.sandbox_kit import FAULT_HEADER, CounterSnapshot
from unified_accounting_sage.sandbox.options import (
    SAGE_REPORTED_LIMITS,
    FaultRates,
    SandboxOptions,
    SandboxRateLimits,
)
from unified_accounting_sage.sandbox.sandbox import SageSandbox

__all__ = [
    "FAULT_HEADER",
    "SAGE_REPORTED_LIMITS",
    "CounterSnapshot",
    "FaultRates",
    "SageSandbox",
    "SandboxOptions",
    "SandboxRateLimits",
]
