"""Storm: 4 processes x 16 threads share one connection whose access token has just expired.

Exactly one refresh may reach the token endpoint (it rotates the refresh token, so a second
one would be ``invalid_grant`` and the customer would be disconnected), and every one of the
64 calls to the protected endpoint must succeed. Run with SQLite and with Redis.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.connections import seed_connection
from support.oauth_server import OAuthTestServer
from support.workers import run_together, worker_command

from unified_accounting.tokens import RedisTokenStore, SQLiteTokenStore, TokenStore

PROCESSES = 4
THREADS = 16

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The workers run without UNIFIED_ACCOUNTING_* variables; so does this side.
    monkeypatch.delenv("UNIFIED_ACCOUNTING_TOKEN_KEY", raising=False)


def storm(store: TokenStore, store_url: str) -> None:
    # The refresh takes a while on the server, so that without a shared lock every worker
    # would have time to send the same refresh token.
    with OAuthTestServer(refresh_delay=0.2) as server:
        seed = seed_connection(store, server, access_lifetime=0)
        results = run_together(
            [worker_command(store_url, server, threads=THREADS) for _ in range(PROCESSES)]
        )
        outcomes = [outcome for _, result in results for outcome in result["outcomes"]]
        assert outcomes == ["200"] * PROCESSES * THREADS
        assert server.counters.refreshes == 1
        assert server.counters.invalid_grants == 0
        assert server.counters.protected_unauthorized == 0
        assert server.counters.protected_ok == PROCESSES * THREADS
        record = store.load("acme")
        assert record is not None
        assert record.tokens.refresh_token != seed.refresh_token
        assert record.tokens.refresh_token is not None
        assert server.refresh_token_is_valid(record.tokens.refresh_token.reveal())


def test_storm_with_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "tokens.sqlite3"
    store = SQLiteTokenStore(path)
    storm(store, f"sqlite://{path}")
    store.close()


@pytest.mark.redis
def test_storm_with_redis(redis_url: str, redis_prefix: str) -> None:
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    storm(store, f"{redis_url}?prefix={redis_prefix}")
    store.close()
