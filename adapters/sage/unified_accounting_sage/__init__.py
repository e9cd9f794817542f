"""Sage Business Cloud Accounting v3.1 provider for unified-accounting."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
