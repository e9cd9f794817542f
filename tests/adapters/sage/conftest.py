"""Fixtures for the Sage provider's unit tests."""

from __future__ import annotations

from .sage_http import client, rsps

__all__ = ["client", "rsps"]
