"""TokenManager against a real OAuth server on loopback and a real SQLite store, fake clock."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
from support.connections import FakeClock, seed_connection
from support.oauth_server import OAuthTestServer

from unified_accounting.credentials import AccessTokenSource, Secret
from unified_accounting.errors import (
    AuthenticationError,
    ProviderUnavailableError,
    RateLimitError,
    ReauthorizationRequired,
    StoreUnavailableError,
)
from unified_accounting.sqlite_files import sqlite_failure
from unified_accounting.tokens import (
    Health,
    RefreshPolicy,
    SQLiteTokenStore,
    StoreLock,
    TokenManager,
    TokenStore,
)
from unified_accounting.tokens.endpoint import StandardOAuthProvider


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_manager(
    sqlite_store: SQLiteTokenStore,
    provider: StandardOAuthProvider,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> Callable[..., TokenManager]:
    def make(store: TokenStore | None = None, **options: Any) -> TokenManager:
        return TokenManager(
            "acme",
            token_store=store or sqlite_store,
            provider=provider,
            client_id=oauth_server.client_id,
            client_secret=oauth_server.client_secret,
            clock=clock,
            sleep=clock.sleep,
            jitter=lambda: 1.0,
            **options,
        )

    return make


def stored_access(store: TokenStore) -> Secret:
    record = store.load("acme")
    assert record is not None
    return record.tokens.access_token


def run_in_threads(count: int, work: Callable[[], None]) -> None:
    """Run ``work`` in ``count`` threads at once and wait for all of them."""
    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_manager_is_an_access_token_source(make_manager: Callable[..., TokenManager]) -> None:
    assert isinstance(make_manager(), AccessTokenSource)


def test_fresh_token_is_used_without_refreshing(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed = seed_connection(sqlite_store, oauth_server, now=clock.now)
    manager = make_manager()
    clock.advance(239)  # 61 s left of 300: outside the 60 s margin
    assert manager.access_token() == seed.access_token
    assert oauth_server.counters.token_requests == 0


@pytest.mark.parametrize(
    ("lifetime", "elapsed", "refreshes"),
    [
        (300, 241, 1),  # 59 s left < min(60, 300/5)
        (300, 239, 0),
        (100, 79, 0),  # 21 s left >= min(60, 100/5) = 20
        (100, 81, 1),  # 19 s left
    ],
)
def test_proactive_refresh_margin(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
    lifetime: int,
    elapsed: int,
    refreshes: int,
) -> None:
    seed_connection(sqlite_store, oauth_server, access_lifetime=lifetime, now=clock.now)
    clock.advance(elapsed)
    token = make_manager().access_token()
    assert oauth_server.counters.refreshes == refreshes
    assert token == stored_access(sqlite_store)


def test_refresh_saves_the_rotated_token_before_returning_it(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed = seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)
    token = make_manager().access_token()
    record = sqlite_store.load("acme")
    assert record is not None
    assert token == record.tokens.access_token != seed.access_token
    assert record.tokens.refresh_token != seed.refresh_token
    assert record.tokens.refresh_token is not None
    assert oauth_server.refresh_token_is_valid(record.tokens.refresh_token.reveal())
    assert (record.info.health, record.info.last_refresh_at) == (Health.OK, clock.now)
    assert requests.get(
        oauth_server.protected_url,
        headers={"Authorization": f"Bearer {token.reveal()}"},
        timeout=10,
    ).ok


def test_401_refreshes_once_and_a_stale_rejection_reuses_the_new_token(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed = seed_connection(sqlite_store, oauth_server, now=clock.now)
    first, second = make_manager(), make_manager()
    fresh = first.refresh_after_unauthorized(seed.access_token)
    assert fresh != seed.access_token
    # A second worker was refused the same old token: it gets the new one, no new refresh.
    assert second.refresh_after_unauthorized(seed.access_token) == fresh
    assert oauth_server.counters.refreshes == 1


def test_invalid_grant_reports_reauthorization_with_the_connection_name(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed_connection(sqlite_store, oauth_server, now=clock.now)
    oauth_server.fail_next(400, error="invalid_grant")
    clock.advance(300)
    manager = make_manager()
    with pytest.raises(ReauthorizationRequired) as caught:
        manager.access_token()
    assert caught.value.connection == "acme"
    assert "acme" in str(caught.value)
    assert "invalid_grant" in str(caught.value)
    health = manager.health()
    assert (health.health, health.last_error, health.last_failure_at) == (
        Health.NEEDS_REAUTHORIZATION,
        "invalid_grant",
        clock.now,
    )
    # Known dead: later calls do not hit the token endpoint again.
    with pytest.raises(ReauthorizationRequired):
        make_manager().access_token()
    assert oauth_server.counters.token_requests == 1


class SiblingFirstSession(requests.Session):
    """Lets a 'sibling' rotate the refresh token just before this worker's refresh lands."""

    def __init__(self, sibling: Callable[[], None]) -> None:
        super().__init__()
        self._sibling: Callable[[], None] | None = sibling

    def post(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self._sibling is not None:
            sibling, self._sibling = self._sibling, None
            sibling()
        return super().post(*args, **kwargs)


def test_invalid_grant_rereads_the_store_and_uses_a_siblings_token(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    provider: StandardOAuthProvider,
    clock: FakeClock,
) -> None:
    seed = seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)

    def sibling() -> None:
        # A worker whose lease expired refreshes outside our lock and saves its result.
        payload = oauth_server.token(
            {
                "grant_type": "refresh_token",
                "refresh_token": seed.refresh_token.reveal() if seed.refresh_token else "",
                "client_id": oauth_server.client_id,
                "client_secret": oauth_server.client_secret,
            }
        )[1]
        new = provider.parse_token_response(payload, clock.now)
        assert sqlite_store.compare_and_swap("acme", seed.refresh_token, new, now=clock.now)

    manager = make_manager(session=SiblingFirstSession(sibling))
    token = manager.access_token()
    assert token == stored_access(sqlite_store)
    assert oauth_server.counters.invalid_grants == 1
    assert manager.health().health is Health.OK


def test_5xx_is_retried_with_backoff(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)
    oauth_server.fail_next(503, count=2)
    token = make_manager().access_token()
    assert token == stored_access(sqlite_store)
    assert clock.sleeps == [0.5, 1.0]
    assert (oauth_server.counters.token_requests, oauth_server.counters.refreshes) == (3, 1)


def test_429_honours_retry_after(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)
    oauth_server.fail_next(429, retry_after="3")
    make_manager().access_token()
    assert clock.sleeps == [3.0]


def test_429_asking_too_long_a_wait_is_not_slept(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)
    oauth_server.fail_next(429, retry_after="600")
    with pytest.raises(RateLimitError) as caught:
        make_manager().access_token()
    assert caught.value.retry_after == 600
    assert clock.sleeps == []


@pytest.mark.parametrize(("status", "error"), [(401, "invalid_client"), (400, "invalid_scope")])
def test_other_4xx_is_never_retried(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
    status: int,
    error: str,
) -> None:
    seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)
    oauth_server.fail_next(status, error=error)
    manager = make_manager()
    with pytest.raises(AuthenticationError) as caught:
        manager.access_token()
    assert not isinstance(caught.value, ReauthorizationRequired)
    assert caught.value.code == error
    assert oauth_server.counters.token_requests == 1
    assert clock.sleeps == []
    assert (manager.health().health, manager.health().last_error) == (
        Health.REFRESH_FAILED,
        error,
    )


def test_cooldown_after_a_failed_refresh_then_recovery(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)
    oauth_server.fail_next(503, count=3)
    manager = make_manager(policy=RefreshPolicy(cooldown=15))
    with pytest.raises(ProviderUnavailableError):
        manager.access_token()
    failed_at = clock.now
    requests_so_far = oauth_server.counters.token_requests
    clock.advance(5)
    # Every worker is held back during the cooldown, without calling the provider.
    with pytest.raises(ProviderUnavailableError, match="next attempt allowed in 10s"):
        make_manager().access_token()
    assert oauth_server.counters.token_requests == requests_so_far
    clock.advance(11)
    assert make_manager().access_token() == stored_access(sqlite_store)
    health = manager.health()
    assert (health.health, health.last_refresh_at, health.last_failure_at) == (
        Health.OK,
        clock.now,
        failed_at,
    )


def test_failed_proactive_refresh_keeps_serving_an_unexpired_token(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed = seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(270)  # 30 s left: due, but still valid
    oauth_server.fail_next(503, count=3)
    with caplog.at_level(logging.WARNING):
        assert make_manager().access_token() == seed.access_token
    # 30 s were left; the two backoffs (0.5 s + 1 s) took 1.5 of them.
    assert "using the current token for 28s" in caplog.text
    # ...but a token the provider refused is never handed out again.
    with pytest.raises(ProviderUnavailableError):
        make_manager().refresh_after_unauthorized(seed.access_token)


def test_a_success_without_an_access_token_is_a_recorded_refresh_failure(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed = seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(270)  # due, but still valid for 30 s
    oauth_server.fail_next(200)  # an empty JSON object
    manager = make_manager()
    assert manager.access_token() == seed.access_token
    assert manager.health().health is Health.REFRESH_FAILED
    assert stored_access(sqlite_store) == seed.access_token


def test_missing_connection_needs_authorization(make_manager: Callable[..., TokenManager]) -> None:
    with pytest.raises(ReauthorizationRequired, match="no tokens are stored") as caught:
        make_manager().access_token()
    assert caught.value.connection == "acme"


def test_client_id_defaults_to_the_stored_one(
    sqlite_store: SQLiteTokenStore,
    provider: StandardOAuthProvider,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)
    manager = TokenManager(
        "acme",
        token_store=sqlite_store,
        provider=provider,
        client_secret=oauth_server.client_secret,
        clock=clock,
    )
    manager.access_token()
    assert oauth_server.counters.refreshes == 1


def test_threads_of_one_process_refresh_once(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    seed_connection(sqlite_store, oauth_server, now=clock.now)
    clock.advance(300)
    oauth_server.refresh_delay = 0.05
    barrier = threading.Barrier(12)
    tokens: list[Secret] = []

    def work() -> None:
        manager = make_manager()
        barrier.wait()
        tokens.append(manager.access_token())

    run_in_threads(12, work)
    assert len(tokens) == 12
    assert len(set(tokens)) == 1
    assert (oauth_server.counters.refreshes, oauth_server.counters.invalid_grants) == (1, 0)


class NoLockStore(SQLiteTokenStore):
    """A store whose lock does nothing: what every worker sharing tokens without one does."""

    def lock(self, connection: str, *, timeout: float = 30.0) -> Any:
        return contextlib.nullcontext(StoreLock(connection=connection, fence=0))


def test_without_the_store_lock_workers_replay_a_rotated_refresh_token(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    """The control for the storm tests: they would notice a missing lock."""
    store = NoLockStore(sqlite_store.path)
    seed_connection(store, oauth_server, now=clock.now)
    clock.advance(300)
    oauth_server.refresh_delay = 0.1
    barrier = threading.Barrier(4)

    def work() -> None:
        manager = make_manager(store)
        barrier.wait()
        # A loser that re-read the store before the winner saved gives up.
        with contextlib.suppress(ReauthorizationRequired):
            manager.access_token()

    run_in_threads(4, work)
    assert oauth_server.counters.token_requests == 4
    assert oauth_server.counters.invalid_grants == 3


class FlakyStore(SQLiteTokenStore):
    """A store whose token writes fail a number of times, as a busy or unreachable one does."""

    failures = 0

    def compare_and_swap(self, *args: Any, **kwargs: Any) -> bool:
        if self.failures > 0:
            self.failures -= 1
            raise sqlite_failure("token store", self.path,
                                 sqlite3.OperationalError("database is locked"))
        return super().compare_and_swap(*args, **kwargs)


def test_saving_rotated_tokens_is_retried_on_transient_store_errors(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
) -> None:
    store = FlakyStore(sqlite_store.path)
    seed_connection(store, oauth_server, now=clock.now)
    clock.advance(300)
    store.failures = 2
    token = make_manager(store).access_token()
    assert token == stored_access(store)
    assert clock.sleeps == [0.1, 0.5]
    assert oauth_server.counters.refreshes == 1


def test_a_store_that_stays_down_is_reported(
    make_manager: Callable[..., TokenManager],
    sqlite_store: SQLiteTokenStore,
    oauth_server: OAuthTestServer,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FlakyStore(sqlite_store.path)
    seed_connection(store, oauth_server, now=clock.now)
    clock.advance(300)
    store.failures = 10
    with pytest.raises(StoreUnavailableError, match="is locked by another process"):
        make_manager(store).access_token()
    assert "could not save the refreshed tokens of connection 'acme'" in caplog.text
