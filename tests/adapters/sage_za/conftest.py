"""Fixtures of the sage_za tests: a sandbox on loopback and clients connected to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua


@pytest.fixture
def za_sandbox() -> Iterator[SageZASandbox]:
    with SageZASandbox(seed=7, limits={"per_minute": 100_000}).running() as sandbox:
        yield sandbox


@pytest.fixture
def za_client(za_sandbox: SageZASandbox) -> Iterator[ua.Client]:
    with ua.connect("sage_za", settings=za_sandbox.settings(),
                    credentials=za_sandbox.credentials,
                    business_id=za_sandbox.company_id) as client:
        yield client
