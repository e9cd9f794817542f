"""Storm: 4 processes x 16 threads share one connection whose access token has just expired.

The sandbox runs in this process (a real HTTP server on loopback); four worker processes each
open 16 clients with ``ua.connect("sage", token_store=...)`` over one shared store and make one
real API call each (``GET /contacts``). The sandbox's token endpoint rotates the refresh token
on every refresh, exactly as Sage's does, so a second refresh with the same refresh token would
be ``invalid_grant`` and would disconnect the customer. The sandbox counts what reached it:
exactly one refresh, no refused refresh, no 401, and 64 successful calls. Run with SQLite and
with Redis, once with the expiry known to the workers (proactive refresh) and once with the
token expired only at the sandbox (every worker gets a 401 and refreshes reactively).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.sandbox_connections import (
    CONNECTION,
    SharedStore,
    authorize,
    expire_access_token,
    open_shared_store,
)
from support.workers import run_together, worker_command
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

PROCESSES = 4
THREADS = 16
CALLS = PROCESSES * THREADS

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def shared(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SharedStore]:
    # The workers run without UNIFIED_ACCOUNTING_* variables; so does this side.
    monkeypatch.delenv("UNIFIED_ACCOUNTING_TOKEN_KEY", raising=False)
    opened = open_shared_store(request, request.param)
    yield opened
    opened.store.close()


def run_storm(sandbox: SageSandbox, shared: SharedStore) -> list[str]:
    """Start every worker at once; return the outcome of each of the 64 calls."""
    results = run_together(
        [worker_command(shared.url, sandbox, threads=THREADS) for _ in range(PROCESSES)]
    )
    assert [code for code, _ in results] == [0] * PROCESSES
    return [outcome for _, result in results for outcome in result["outcomes"]]


def assert_one_refresh_and_a_live_grant(sandbox: SageSandbox, shared: SharedStore,
                                        old_refresh_token: object) -> None:
    counters = sandbox.counters
    assert counters.refreshes == 1
    assert counters.refresh_failures == 0  # no invalid_grant
    assert counters.requests.get("POST /token") == 1
    record = shared.store.load(CONNECTION)
    assert record is not None
    assert record.tokens.refresh_token not in (None, old_refresh_token)
    # The stored refresh token is the live one: the next refresh is accepted.
    ua.TokenManager(CONNECTION, token_store=shared.store, provider="sage",
                    client_secret=sandbox.client_secret, settings=sandbox.settings).refresh()
    assert (sandbox.counters.refreshes, sandbox.counters.refresh_failures) == (2, 0)


def test_expired_token_is_refreshed_once_for_every_worker(
    sage_sandbox: SageSandbox, shared: SharedStore
) -> None:
    authorize(sage_sandbox, shared.store)
    seed = expire_access_token(sage_sandbox, shared.store)
    sage_sandbox.reset_counters()

    outcomes = run_storm(sage_sandbox, shared)

    assert outcomes == ["ok"] * CALLS
    counters = sage_sandbox.counters
    assert counters.requests.get("GET /contacts") == CALLS
    assert counters.statuses.get(401, 0) == 0  # nobody sent the expired token
    assert counters.statuses.get(200) == CALLS + 1  # the calls and the one refresh
    assert_one_refresh_and_a_live_grant(sage_sandbox, shared, seed.tokens.refresh_token)


def test_token_refused_by_the_provider_is_refreshed_once_for_every_worker(
    sage_sandbox: SageSandbox, shared: SharedStore
) -> None:
    seed = authorize(sage_sandbox, shared.store)
    # Expired at the sandbox only: every worker still believes its token valid.
    sage_sandbox.expire_access_tokens()
    sage_sandbox.reset_counters()

    outcomes = run_storm(sage_sandbox, shared)

    assert outcomes == ["ok"] * CALLS
    counters = sage_sandbox.counters
    # Workers that read the store before the refresh was saved sent the refused token once
    # (at least the first one did); each 401 was followed by exactly one retry.
    unauthorized = counters.statuses.get(401, 0)
    assert 1 <= unauthorized <= CALLS
    assert counters.requests.get("GET /contacts") == CALLS + unauthorized
    assert counters.statuses.get(200) == CALLS + 1
    assert_one_refresh_and_a_live_grant(sage_sandbox, shared, seed.tokens.refresh_token)
