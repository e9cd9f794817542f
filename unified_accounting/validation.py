"""Checks a unified model before it is sent to any provider."""

from __future__ import annotations

from typing import Any

__all__ = ["validate_model"]


def validate_model(model: Any) -> None:
    """Check ``model`` and raise if it must not reach a provider.

    Args:
        model: a unified model instance (``Contact``, ``Invoice``, ...).

    Raises:
        ValidationError: with every failing field path and its messages.
    """
