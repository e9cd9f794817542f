"""The files and servers the library keeps its state in: private, and clear when they fail.

- Files: the SQLite token store, the SQLite mirror and the gateway's database, their ``-wal``
  and ``-shm`` files, their lock folders and lock files are created ``0600`` in ``0700``
  folders, even under a umask of 0 (so nothing relies on the process's umask).
- A corrupt or locked SQLite file raises ``StoreUnavailableError`` naming the file, never a
  bare ``sqlite3`` error, and the file and the tokens in it stay as they were: a refresh that
  cannot write never spends the refresh token at the provider.
- Redis down (token store, shared limiter, job lock) raises ``StoreUnavailableError`` naming
  the Redis without its password; nothing is sent to the provider.
"""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from support.connections import FakeClock, make_tokens, seed_connection
from support.hostile_server import Answer, hostile_server
from support.oauth_server import OAuthTestServer
from support.redis_server import free_port

import unified_accounting as ua
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.http import RateLimits, RedisLimiter
from unified_accounting.jobs.locks import JobLock
from unified_accounting.syncing import Scope, SQLiteMirror, StreamKey
from unified_accounting.syncing.cursor import StreamState
from unified_accounting.syncing.mirror import MirrorItem
from unified_accounting.tokens import RedisTokenStore, SQLiteTokenStore, TokenManager
from unified_accounting.tokens.endpoint import StandardOAuthProvider

SCOPE = Scope("sage", "acme", "biz-1")
KEY = StreamKey(SCOPE, "contacts")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _item(record_id: str) -> MirrorItem:
    return MirrorItem(id=record_id, updated_at=datetime(2026, 1, 1, tzinfo=UTC),
                      data={"id": record_id, "name": f"Contact {record_id}"})


# -- modes ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("open_umask")
def test_token_store_mirror_and_gateway_files_are_private(tmp_path: Path) -> None:
    tokens_path = tmp_path / "tokens" / "tokens.sqlite3"
    store = SQLiteTokenStore(tokens_path)
    store.save("acme", make_tokens("at", "rt"), provider="sage")
    with store.lock("acme"):
        pass
    mirror_path = tmp_path / "mirror" / "mirror.sqlite3"
    mirror = SQLiteMirror(mirror_path)
    with mirror.stream_lock(KEY):
        mirror.commit(KEY, state=StreamState(), upserts=[_item("c1")])
    gateway_path = tmp_path / "gateway" / "gateway.sqlite3"
    gateway = GatewayDatabase(gateway_path)
    gateway.secret("signing")
    for database in (tokens_path, mirror_path, gateway_path):
        assert mode(database.parent) == 0o700, database
        assert mode(database) == 0o600, database
        for suffix in ("-wal", "-shm"):
            companion = database.with_name(database.name + suffix)
            assert companion.exists(), companion
            assert mode(companion) == 0o600, companion
    for database in (tokens_path, mirror_path):
        locks = database.with_name(database.name + ".locks")
        assert mode(locks) == 0o700, locks
        assert [mode(p) for p in locks.iterdir()] == [0o600], locks
    store.close()
    mirror.close()
    gateway.close()


# -- corrupt files ----------------------------------------------------------------------------

GARBAGE = b"this is no database, just bytes that happen to be here\n" * 200


def test_a_corrupt_token_store_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "tokens.sqlite3"
    path.write_bytes(GARBAGE)
    with pytest.raises(ua.StoreUnavailableError) as caught:
        SQLiteTokenStore(path)
    assert str(path) in str(caught.value)
    assert "is not a SQLite database" in str(caught.value)
    assert caught.value.retryable is False
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert path.read_bytes() == GARBAGE


def test_a_corrupt_mirror_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "mirror.sqlite3"
    path.write_bytes(GARBAGE)
    with pytest.raises(ua.StoreUnavailableError, match="is not a SQLite database") as caught:
        SQLiteMirror(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == GARBAGE


def test_a_token_store_damaged_after_opening_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "tokens.sqlite3"
    store = SQLiteTokenStore(path)
    store.close()
    path.write_bytes(GARBAGE)  # replaced behind the store's back (a bad restore, say)
    for call in (lambda: store.load("acme"), lambda: store.list_connections(),
                 lambda: store.save("acme", make_tokens("at", "rt"), provider="sage")):
        with pytest.raises(ua.StoreUnavailableError, match=str(path)):
            call()
    assert path.read_bytes() == GARBAGE


# -- locked files -----------------------------------------------------------------------------


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_locked_token_store_fails_before_the_refresh_token_is_spent(
    tmp_path: Path, oauth_server: OAuthTestServer,
) -> None:
    clock = FakeClock()
    store = SQLiteTokenStore(tmp_path / "tokens.sqlite3", busy_timeout=0.2)
    seeded = seed_connection(store, oauth_server, access_lifetime=0, now=clock.now)
    manager = TokenManager(
        "acme", token_store=store, client_id=oauth_server.client_id,
        provider=StandardOAuthProvider(oauth_server.endpoints, name="testauth"),
        client_secret=oauth_server.client_secret, clock=clock, sleep=clock.sleep)
    holder = _hold_write_lock(store.path)
    with pytest.raises(ua.StoreUnavailableError) as caught:
        manager.access_token()
    assert f"token store {store.path} is locked" in str(caught.value)
    assert caught.value.retryable is True
    # The refresh lock could not be taken, so the provider was never asked.
    assert oauth_server.counters.token_requests == 0
    holder.execute("ROLLBACK")
    holder.close()
    # The stored refresh token is still the live one.
    assert manager.access_token() != seeded.access_token
    assert oauth_server.counters.refreshes == 1
    assert oauth_server.counters.invalid_grants == 0
    store.close()


def test_a_locked_mirror_fails_clearly_and_keeps_what_it_holds(tmp_path: Path) -> None:
    mirror = SQLiteMirror(tmp_path / "mirror.sqlite3", busy_timeout=0.2)
    mirror.commit(KEY, state=StreamState(), upserts=[_item("c1")])
    holder = _hold_write_lock(mirror.path)
    with pytest.raises(ua.StoreUnavailableError, match="is locked") as caught:
        mirror.commit(KEY, state=StreamState(), upserts=[_item("c2")])
    assert f"mirror {mirror.path}" in str(caught.value)
    holder.execute("ROLLBACK")
    holder.close()
    assert [r.id for r in mirror.records(SCOPE, "contacts")] == ["c1"]
    mirror.commit(KEY, state=StreamState(), upserts=[_item("c2")])
    assert mirror.count(SCOPE, "contacts") == 2
    mirror.close()


# -- Redis down -------------------------------------------------------------------------------


@pytest.fixture
def down_url() -> str:
    """A Redis URL (with a password) where nothing listens."""
    return f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0"


def _clear_about_redis(error: ua.StoreUnavailableError, what: str) -> None:
    port = error.message.split("127.0.0.1:", 1)[1].split("/", 1)[0]
    assert port.isdigit()
    assert f"{what} at redis://" in error.message
    assert "cannot be reached (ConnectionError)" in error.message
    assert "hunter2" not in f"{error} {error!r}"
    assert error.retryable is True


def test_a_redis_token_store_that_is_down_says_so(down_url: str) -> None:
    store = RedisTokenStore(url=down_url, prefix="ua-test-down:")
    for call in (lambda: store.load("acme"), lambda: store.describe("acme"),
                 lambda: store.save("acme", make_tokens("at", "rt"), provider="sage"),
                 lambda: store.lock("acme", timeout=1).__enter__()):
        with pytest.raises(ua.StoreUnavailableError) as caught:
            call()
        _clear_about_redis(caught.value, "Redis token store")
    assert "hunter2" not in repr(store)
    store.close()


def test_a_shared_limiter_without_redis_lets_nothing_through(down_url: str) -> None:
    with hostile_server() as server:
        server.routes["/v3.1/contacts"] = Answer(body=b'{"$items": []}')
        limiter = RedisLimiter(RateLimits(business_requests_per_second=5), url=down_url)
        client = ua.connect("sage", access_token="t" * 40, business_id="b" * 32,
                            settings={"base_url": server.origin + "/v3.1"}, limiter=limiter)
        for call in (lambda: client.proxy.request("GET", "/contacts"),
                     lambda: list(client.contacts.list())):
            with pytest.raises(ua.StoreUnavailableError) as caught:
                call()
            _clear_about_redis(caught.value, "the shared rate limiter")
        assert server.requests == []
        client.close()
        limiter.close()


def test_a_job_lock_without_redis_says_so(down_url: str) -> None:
    down = redis.Redis.from_url(down_url)
    lock = JobLock(down, "ua-test-down:job:acme:biz-1", ttl=5)
    for call in (lock.acquire, lock.holder):
        with pytest.raises(ua.StoreUnavailableError) as caught:
            call()
        _clear_about_redis(caught.value, "job lock")
    down.close()


def test_a_sync_job_whose_lock_redis_is_down_is_retried_not_failed(
    down_url: str, tmp_path: Path,
) -> None:
    from celery.exceptions import Retry

    from unified_accounting.jobs.app import SYNC_TASK, create_app
    from unified_accounting.jobs.settings import JobSettings

    # Another app in the same process first: its settings must not leak into this one's task.
    create_app(JobSettings(mirror_url="postgresql://nobody@127.0.0.1:1/nothing"))
    settings = JobSettings(broker_url=down_url, mirror_url=f"sqlite:///{tmp_path / 'm.db'}",
                           token_store=f"sqlite:///{tmp_path / 'tokens.db'}")
    celery = create_app(settings)
    celery.conf.task_always_eager = True
    task = celery.tasks[SYNC_TASK]
    # Run the task body in this process the way a worker would, without a broker.
    with pytest.raises(Retry) as caught:
        task.run("acme", "biz-1")
    assert isinstance(caught.value.__cause__, ua.StoreUnavailableError)
    assert "hunter2" not in str(caught.value)
