"""A local Sage Business Cloud Accounting API v2.0 (South Africa) for tests, demos and benchmarks.

Built on the core's sandbox kit; see ``docs/sage_za.md`` for what it imitates.
"""

from __future__ import annotations

from unified_accounting.sandbox_kit import FAULT_HEADER, FaultRates
from unified_accounting_sage_za.sandbox.access import Login, RequestLimits
from unified_accounting_sage_za.sandbox.core import API_PREFIX
from unified_accounting_sage_za.sandbox.sandbox import SAGE_ZA_ORIGIN, SageZASandbox

__all__ = [
    "API_PREFIX",
    "FAULT_HEADER",
    "SAGE_ZA_ORIGIN",
    "FaultRates",
    "Login",
    "RequestLimits",
    "SageZASandbox",
]
