"""A worker killed (SIGKILL) in the middle of a refresh leaves the store usable or clearly dead.

The sandbox runs in this process; the worker is a separate process that opens a client with
``ua.connect("sage", token_store=...)`` and makes one API call whose refresh is cut short.

- Killed while holding the refresh lock, before contacting the provider: the lock is freed
  (SQLite: by the operating system at once; Redis: when its lease runs out) and the next worker
  refreshes normally.
- Killed after the provider rotated the refresh token and before the new one reached the
  store: the sandbox has already invalidated the stored refresh token and the new one died
  with the worker, so no one can recover the grant. The next worker gets ``invalid_grant``,
  re-reads the store once, and raises ``ReauthorizationRequired`` naming the connection; the
  connection's health says ``needs_reauthorization`` and a new authorization restores it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.sandbox_connections import (
    CONNECTION,
    SharedStore,
    authorize,
    expire_access_token,
    first_contacts,
    next_worker,
    open_shared_store,
)
from support.workers import run_together, worker_command
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.tokens import Health

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def shared(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SharedStore]:
    monkeypatch.delenv("UNIFIED_ACCOUNTING_TOKEN_KEY", raising=False)
    # A short Redis lease, so the dead worker's lock frees itself quickly.
    opened = open_shared_store(request, request.param, lock_ttl=1)
    yield opened
    opened.store.close()


def crash(sb: SageSandbox, shared: SharedStore, mode: str) -> None:
    [(code, result)] = run_together([worker_command(shared.url, sb, mode=mode)])
    assert (code, result) == (-9, None)  # SIGKILL, before it could report anything


def test_killed_while_holding_the_lock_the_next_worker_recovers(
    sage_sandbox: SageSandbox, shared: SharedStore
) -> None:
    authorize(sage_sandbox, shared.store)
    seed = expire_access_token(sage_sandbox, shared.store)
    sage_sandbox.reset_counters()

    crash(sage_sandbox, shared, "crash-holding-lock")
    assert sage_sandbox.counters.requests.get("POST /token") is None  # it died first

    with next_worker(sage_sandbox, shared.store) as client:
        first_contacts(client)
    counters = sage_sandbox.counters
    assert (counters.refreshes, counters.refresh_failures) == (1, 0)
    assert counters.requests.get("GET /contacts") == 1
    record = shared.store.load(CONNECTION)
    assert record is not None
    assert record.tokens.refresh_token != seed.tokens.refresh_token
    assert record.info.health is Health.OK


def test_killed_before_saving_the_rotated_token_reports_reauthorization(
    sage_sandbox: SageSandbox, shared: SharedStore
) -> None:
    authorize(sage_sandbox, shared.store)
    seed = expire_access_token(sage_sandbox, shared.store)
    sage_sandbox.reset_counters()

    crash(sage_sandbox, shared, "crash-before-save")
    # The sandbox rotated the refresh token; the new one died with the worker.
    assert (sage_sandbox.counters.refreshes, sage_sandbox.counters.refresh_failures) == (1, 0)
    record = shared.store.load(CONNECTION)
    assert record is not None
    assert record.tokens.refresh_token == seed.tokens.refresh_token

    with next_worker(sage_sandbox, shared.store) as client:
        with pytest.raises(ua.ReauthorizationRequired) as caught:
            first_contacts(client)
        assert caught.value.connection == CONNECTION
        assert f"{CONNECTION!r} must be authorized again" in str(caught.value)
        assert "invalid_grant" in str(caught.value)
        assert sage_sandbox.counters.refresh_failures == 1  # asked once, not retried
        assert sage_sandbox.counters.requests.get("GET /contacts") is None
        info = shared.store.describe(CONNECTION)
        assert info is not None
        assert (info.health, info.last_error) == (Health.NEEDS_REAUTHORIZATION, "invalid_grant")

        # Later calls fail at once, without asking the sandbox again.
        with pytest.raises(ua.ReauthorizationRequired):
            first_contacts(client)
        assert sage_sandbox.counters.requests.get("POST /token") == 2

        # A new authorization under the same name brings the same client back.
        authorize(sage_sandbox, shared.store)
        first_contacts(client)
    assert sage_sandbox.counters.requests.get("GET /contacts") == 1
    info = shared.store.describe(CONNECTION)
    assert info is not None
    assert info.health is Health.OK
