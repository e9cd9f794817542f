"""A Sage sandbox on loopback per test module, and clients of its GB business."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import open_client


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SageSandbox]:
    """A running sandbox (real HTTP on 127.0.0.1, a free port)."""
    with SageSandbox.running(port=0, seed=17) as sb:
        yield sb


@pytest.fixture(scope="module")
def token(sandbox: SageSandbox) -> str:
    """An access token from the sandbox's OAuth code flow."""
    return str(sandbox.issue_tokens()["access_token"])


@pytest.fixture
def client(sandbox: SageSandbox, token: str) -> Iterator[ua.Client]:
    """A client of the GB business."""
    connected = open_client(sandbox, token)
    yield connected
    connected.close()
