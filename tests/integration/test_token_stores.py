"""The TokenStore contract, run against a real SQLite file and a real Redis."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from support.connections import NOW
from support.connections import make_tokens as tokens

from unified_accounting.credentials import Secret
from unified_accounting.tokens import (
    Health,
    LockTimeoutError,
    RedisTokenStore,
    SQLiteTokenStore,
    TokenStore,
)


def test_save_and_load_round_trip_keeps_several_kb_tokens_whole(any_store: TokenStore) -> None:
    big = tokens("at-", "rt-", size=8192)
    info = any_store.save(
        "acme", big, provider="sage", client_id="cid", metadata={"country": "GB"}, now=NOW
    )
    record = any_store.load("acme")
    assert record is not None
    assert record.tokens == big
    assert len(record.tokens.access_token.reveal()) == 8195
    assert (info.provider, info.client_id, info.metadata) == ("sage", "cid", {"country": "GB"})
    assert (info.issued_at, info.expires_at, info.created_at) == (NOW, big.expires_at, NOW)
    assert (info.health, info.version, info.scope) == (Health.OK, 1, "full_access")


def test_load_and_describe_of_unknown_connection_are_none(any_store: TokenStore) -> None:
    assert any_store.load("nobody") is None
    assert any_store.describe("nobody") is None


def test_compare_and_swap_is_keyed_on_the_old_refresh_token(any_store: TokenStore) -> None:
    any_store.save("acme", tokens("at1", "rt1"), provider="sage", now=NOW)
    later = NOW + timedelta(seconds=240)
    assert any_store.compare_and_swap("acme", Secret("rt1"), tokens("at2", "rt2"), now=later)
    # A second worker still holding rt1 must not overwrite rt2.
    assert not any_store.compare_and_swap("acme", Secret("rt1"), tokens("at3", "rt3"), now=later)
    record = any_store.load("acme")
    assert record is not None
    assert record.tokens.refresh_token == Secret("rt2")
    assert (record.info.version, record.info.last_refresh_at, record.info.issued_at) == (
        2,
        later,
        later,
    )


def test_compare_and_swap_refuses_a_smaller_fence(any_store: TokenStore) -> None:
    any_store.save("acme", tokens("at1", "rt1"), provider="sage", now=NOW)
    # A non-rotating provider: the refresh token stays rt1, so only the fence tells a late
    # writer (fence 1) from the later holder that already wrote (fence 2).
    assert any_store.compare_and_swap("acme", Secret("rt1"), tokens("at2", "rt1"), fence=2)
    assert not any_store.compare_and_swap("acme", Secret("rt1"), tokens("old", "rt1"), fence=1)
    record = any_store.load("acme")
    assert record is not None
    assert (record.tokens.access_token, record.info.fence) == (Secret("at2"), 2)


def test_compare_and_swap_of_missing_connection_fails(any_store: TokenStore) -> None:
    assert not any_store.compare_and_swap("ghost", Secret("rt"), tokens("a", "r"))
    assert any_store.load("ghost") is None


def test_compare_and_swap_with_no_refresh_token_stored(any_store: TokenStore) -> None:
    any_store.save("acme", tokens("at1", None), provider="sage")
    assert not any_store.compare_and_swap("acme", Secret("x"), tokens("at2", "rt2"))
    assert any_store.compare_and_swap("acme", None, tokens("at2", "rt2"))


def test_save_again_replaces_tokens_and_clears_failure(any_store: TokenStore) -> None:
    any_store.save("acme", tokens("at1", "rt1"), provider="sage", now=NOW)
    any_store.set_business_ids("acme", ("b1", "b2"))
    any_store.record_health("acme", Health.NEEDS_REAUTHORIZATION, error="invalid_grant", now=NOW)
    info = any_store.save("acme", tokens("at9", "rt9"), provider="sage", now=NOW)
    assert (info.health, info.last_error, info.business_ids, info.version) == (
        Health.OK,
        None,
        (),
        2,
    )
    assert info.created_at == NOW


def test_health_records_failure_and_recovery(any_store: TokenStore) -> None:
    any_store.save("acme", tokens("at1", "rt1"), provider="sage", now=NOW)
    failed_at = NOW + timedelta(seconds=5)
    any_store.record_health("acme", Health.REFRESH_FAILED, error="server_error", now=failed_at)
    info = any_store.describe("acme")
    assert info is not None
    assert (info.health, info.last_failure_at, info.last_error) == (
        Health.REFRESH_FAILED,
        failed_at,
        "server_error",
    )
    any_store.compare_and_swap("acme", Secret("rt1"), tokens("at2", "rt2"), now=failed_at)
    info = any_store.describe("acme")
    assert info is not None
    assert (info.health, info.last_error, info.last_failure_at) == (Health.OK, None, failed_at)


def test_health_of_missing_connection_creates_nothing(any_store: TokenStore) -> None:
    any_store.record_health("ghost", Health.REFRESH_FAILED, error="x")
    any_store.set_business_ids("ghost", ("b",))
    assert any_store.describe("ghost") is None


def test_list_and_delete(any_store: TokenStore) -> None:
    any_store.save("zeta", tokens("a", "r"), provider="sage")
    any_store.save("alpha", tokens("b", "s"), provider="sage")
    any_store.set_business_ids("alpha", ("biz-1",))
    infos = any_store.list_connections()
    assert [i.connection for i in infos] == ["alpha", "zeta"]
    assert infos[0].business_ids == ("biz-1",)
    assert any_store.delete("zeta")
    assert not any_store.delete("zeta")
    assert [i.connection for i in any_store.list_connections()] == ["alpha"]


def test_lock_fence_grows_and_lock_excludes_other_threads(any_store: TokenStore) -> None:
    with any_store.lock("acme") as first:
        pass
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with any_store.lock("acme"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    with pytest.raises(LockTimeoutError), any_store.lock("acme", timeout=0.05):
        pass
    # Another connection's lock is independent.
    with any_store.lock("other", timeout=1):
        pass
    release.set()
    thread.join()
    with any_store.lock("acme", timeout=5) as later:
        assert later.fence > first.fence + 1


def _second_handle(store: TokenStore) -> TokenStore:
    """The same stored data opened again, as another process would open it."""
    if isinstance(store, SQLiteTokenStore):
        return SQLiteTokenStore(store.path)
    assert isinstance(store, RedisTokenStore)
    return RedisTokenStore(store._redis, prefix=store.prefix)


def test_a_lock_held_by_another_process_times_out_naming_the_connection(
    any_store: TokenStore,
) -> None:
    other = _second_handle(any_store)
    busy = pytest.raises(LockTimeoutError, match="refresh lock of connection 'acme' is busy")
    # No thread of this handle holds the lock: the wait is on the file or Redis lock itself.
    with other, other.lock("acme"), busy, any_store.lock("acme", timeout=0.05):
        pass


def test_state_is_single_use(any_store: TokenStore) -> None:
    expires = datetime.now(UTC) + timedelta(minutes=10)
    any_store.put_state("s1", {"client_id": "cid"}, expires)
    first = any_store.consume_state("s1")
    second = any_store.consume_state("s1")
    assert first is not None
    assert second is not None
    assert (first.used, second.used) == (False, True)
    assert first.data == {"client_id": "cid"}
    assert first.expires_at == expires
    assert any_store.consume_state("unknown") is None
