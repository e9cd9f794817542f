"""Redis store specifics: fencing against a stalled lock holder, lock TTL, URLs, encryption."""

from __future__ import annotations

import time

import pytest
from support.connections import make_tokens as tokens

from unified_accounting.credentials import Secret
from unified_accounting.errors import ConfigurationError
from unified_accounting.tokens import RedisTokenStore, generate_key, token_store_from_url

pytestmark = pytest.mark.redis


@pytest.fixture
def other_worker(redis_url: str, redis_prefix: str) -> RedisTokenStore:
    """A second store on the same keys, as a worker on another machine would have."""
    return RedisTokenStore(url=redis_url, prefix=redis_prefix)


def expire_lock(store: RedisTokenStore, connection: str) -> None:
    """End a holder's lease as if its TTL had passed."""
    store._redis.delete(store._key("lock", connection))


def test_stalled_holder_cannot_overwrite_a_newer_token(
    redis_store: RedisTokenStore, other_worker: RedisTokenStore
) -> None:
    redis_store.save("acme", tokens("at1", "rt1"), provider="sage")
    stalled = redis_store.lock("acme")
    first = stalled.__enter__()
    expire_lock(redis_store, "acme")
    with other_worker.lock("acme", timeout=5) as second:
        assert second.fence > first.fence
        assert other_worker.compare_and_swap(
            "acme", Secret("rt1"), tokens("at2", "rt1"), fence=second.fence
        )
    # A wakes up and writes what it received earlier: refused although rt1 still matches.
    assert not redis_store.compare_and_swap(
        "acme", Secret("rt1"), tokens("stale", "rt1"), fence=first.fence
    )
    stalled.__exit__(None, None, None)
    record = redis_store.load("acme")
    assert record is not None
    assert record.tokens.access_token == Secret("at2")


def test_stalled_holder_does_not_release_the_next_holders_lock(
    redis_store: RedisTokenStore, other_worker: RedisTokenStore
) -> None:
    stalled = redis_store.lock("acme")
    stalled.__enter__()
    expire_lock(redis_store, "acme")
    with other_worker.lock("acme", timeout=5):
        stalled.__exit__(None, None, None)  # must not delete B's lock
        assert redis_store._redis.exists(redis_store._key("lock", "acme")) == 1


def test_a_dead_holders_lock_expires_after_its_ttl(redis_url: str, redis_prefix: str) -> None:
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix, lock_ttl=0.2)
    # A holder that never releases (it died): take the key the way the lock does.
    store._acquire(
        keys=[store._key("lock", "acme"), store._key("fence", "acme")], args=["dead", 200]
    )
    started = time.monotonic()
    with store.lock("acme", timeout=5) as held:
        waited = time.monotonic() - started
    assert held.fence == 2
    assert 0.05 < waited < 4


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "inf"])
def test_a_url_lock_ttl_that_is_no_positive_number_names_the_parameter(
    redis_url: str, value: str
) -> None:
    with pytest.raises(ConfigurationError, match="lock_ttl in the Redis URL"):
        token_store_from_url(f"{redis_url}?lock_ttl={value}")


def test_opened_from_url_with_prefix_and_lock_ttl(redis_url: str, redis_prefix: str) -> None:
    store = token_store_from_url(f"{redis_url}?prefix={redis_prefix}&lock_ttl=7")
    assert isinstance(store, RedisTokenStore)
    assert (store.prefix, store.lock_ttl) == (redis_prefix, 7.0)
    store.save("acme", tokens("at", "rt"), provider="sage")
    keys = store._redis.keys(f"{redis_prefix}*")
    assert keys
    assert all(k.startswith(redis_prefix) for k in keys)
    store.close()


def test_tokens_are_encrypted_at_rest(
    redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIFIED_ACCOUNTING_TOKEN_KEY", generate_key())
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    big = tokens("secret-access-", "secret-refresh-", size=6000)
    store.save("acme", big, provider="sage")
    raw = store._redis.hgetall(store._key("conn", "acme"))
    assert not any("secret-" in value for value in raw.values())
    record = store.load("acme")
    assert record is not None
    assert record.tokens == big
    assert store.compare_and_swap("acme", big.refresh_token, tokens("a2", "r2"))
    store.close()
