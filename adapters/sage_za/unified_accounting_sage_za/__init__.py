"""Sage Business Cloud Accounting API v2.0 (South Africa) for unified-accounting.

The provider registers as ``sage_za``; see ``docs/sage_za.md``.
"""

from __future__ import annotations

__all__: list[str] = []
