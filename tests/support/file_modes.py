"""File modes in tests: a umask of 0, so a file gets exactly the mode it is created with."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

__all__ = ["open_umask"]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Files created under umask 0 get exactly the mode they are opened with."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)
