"""A worker killed (SIGKILL) in the middle of a refresh leaves the store usable or clearly dead.

- Killed while holding the refresh lock, before contacting the provider: the lock is freed
  (SQLite: by the operating system at once; Redis: when its TTL runs out) and the next worker
  refreshes normally.
- Killed after the provider rotated the refresh token and before the new one reached the
  store: the provider has already invalidated the stored refresh token and the new one died
  with the worker, so no one can recover the grant. The next worker gets ``invalid_grant``,
  re-reads the store once, and raises ``ReauthorizationRequired`` naming the connection; the
  connection's health says ``needs_reauthorization`` and a new authorization restores it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from support.connections import PROVIDER_NAME, seed_connection
from support.oauth_server import OAuthTestServer
from support.workers import run_together, worker_command

from unified_accounting.errors import ReauthorizationRequired
from unified_accounting.tokens import (
    Health,
    RedisTokenStore,
    SQLiteTokenStore,
    TokenManager,
    TokenStore,
)
from unified_accounting.tokens.endpoint import StandardOAuthProvider

pytestmark = pytest.mark.slow


@dataclass
class Shared:
    store: TokenStore
    url: str


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def shared(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shared]:
    monkeypatch.delenv("UNIFIED_ACCOUNTING_TOKEN_KEY", raising=False)
    if request.param == "sqlite":
        path = request.getfixturevalue("tmp_path") / "tokens.sqlite3"
        store: TokenStore = SQLiteTokenStore(path)
        url = f"sqlite://{path}"
    else:
        redis_url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        store = RedisTokenStore(url=redis_url, prefix=prefix)
        # A short lease, so the dead worker's lock frees itself quickly.
        url = f"{redis_url}?prefix={prefix}&lock_ttl=1"
    yield Shared(store, url)
    store.close()


def next_worker(store: TokenStore, server: OAuthTestServer) -> TokenManager:
    return TokenManager(
        "acme",
        token_store=store,
        provider=StandardOAuthProvider(server.endpoints, name=PROVIDER_NAME),
        client_id=server.client_id,
        client_secret=server.client_secret,
    )


def test_killed_while_holding_the_lock_the_next_worker_recovers(shared: Shared) -> None:
    with OAuthTestServer() as server:
        seed = seed_connection(shared.store, server, access_lifetime=0)
        [(code, _)] = run_together([worker_command(shared.url, server, mode="crash-holding-lock")])
        assert code == -9
        assert server.counters.token_requests == 0
        token = next_worker(shared.store, server).access_token()
        assert token != seed.access_token
        assert (server.counters.refreshes, server.counters.invalid_grants) == (1, 0)


def test_killed_before_saving_the_rotated_token_reports_reauthorization(shared: Shared) -> None:
    with OAuthTestServer() as server:
        seed = seed_connection(shared.store, server, access_lifetime=0)
        [(code, _)] = run_together([worker_command(shared.url, server, mode="crash-before-save")])
        assert code == -9
        assert server.counters.refreshes == 1  # the provider rotated; the new token is lost
        record = shared.store.load("acme")
        assert record is not None
        assert record.tokens.refresh_token == seed.refresh_token

        manager = next_worker(shared.store, server)
        with pytest.raises(ReauthorizationRequired, match="'acme' must be authorized again"):
            manager.access_token()
        assert server.counters.invalid_grants == 1
        health = manager.health()
        assert (health.health, health.last_error) == (Health.NEEDS_REAUTHORIZATION, "invalid_grant")

        # A new authorization (stored as complete_authorization does) brings it back.
        seed_connection(shared.store, server)
        assert manager.access_token() is not None
        assert manager.health().health is Health.OK
