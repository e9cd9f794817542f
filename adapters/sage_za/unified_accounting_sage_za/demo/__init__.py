"""``unified-accounting demo --provider sage_za``: the story of the v3.1 demo, against v2."""

from __future__ import annotations

from unified_accounting_sage_za.demo.command import demo, run_demo

__all__ = ["demo", "run_demo"]
