"""Connecting to Sage the default way: tokens in a store, refreshed after they expire."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from unified_accounting_sage.provider import SageProvider
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.tokens import Health


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ua.SQLiteTokenStore]:
    with ua.SQLiteTokenStore(tmp_path / "tokens.sqlite3") as token_store:
        yield token_store


def _connect(sandbox: SageSandbox, store: ua.SQLiteTokenStore, country: str,
             **options: object) -> ua.Client:
    issued = sandbox.issue_tokens()
    tokens = SageProvider().parse_token_response(issued, datetime.now(UTC))
    store.save("acme-books", tokens, provider="sage", client_id=sandbox.client_id)
    return ua.connect("sage", connection="acme-books", token_store=store,
                      client_secret=sandbox.client_secret, settings=sandbox.settings,
                      business_id=sandbox.business_id(country),
                      limiter=LocalLimiter(RateLimits()), **options)


def test_stored_tokens_are_refreshed_when_sage_refuses_them(
        sandbox: SageSandbox, store: ua.SQLiteTokenStore) -> None:
    client = _connect(sandbox, store, "GB")
    tokens = store.load("acme-books").tokens  # type: ignore[union-attr]
    before = sandbox.counters.refreshes
    sandbox.expire_access_tokens()
    assert list(client.tax_rates.list())
    assert sandbox.counters.refreshes == before + 1
    saved = store.load("acme-books")
    assert saved is not None
    assert saved.tokens.refresh_token != tokens.refresh_token


def test_lost_access_is_recorded_in_the_token_store(
        sandbox: SageSandbox, store: ua.SQLiteTokenStore) -> None:
    client = _connect(sandbox, store, "DE", forbidden_threshold=2)
    sandbox.set_business_access("DE", False)
    try:
        with pytest.raises(ua.PermissionDeniedError):
            list(client.contacts.list())
        with pytest.raises(ua.ReauthorizationRequired):
            list(client.contacts.list())
        assert store.load("acme-books").info.health is Health.NEEDS_REAUTHORIZATION  # type: ignore[union-attr]
    finally:
        sandbox.set_business_access("DE", True)
    list(client.contacts.list())
    assert store.load("acme-books").info.health is Health.OK  # type: ignore[union-attr]
