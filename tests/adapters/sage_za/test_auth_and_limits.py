"""Logins that fail are final; blocked companies fail fast; the daily budget is counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from unified_accounting_sage_za.quota import RedisQuota, quota_key
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.login_credentials import LoginCredentials, save_credentials
from unified_accounting.plugins import load_provider
from unified_accounting.tokens import SQLiteTokenStore
from unified_accounting.tokens.base import Health
from unified_accounting.tokens.crypto import FernetCipher, generate_key

# Limit windows are fixed minutes: a frozen clock keeps a test's calls inside one of them.
FROZEN = datetime(2026, 6, 1, 10, 0, 5, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteTokenStore]:
    with SQLiteTokenStore(tmp_path / "tokens.db") as opened:
        yield opened


def test_a_refused_login_is_never_retried_and_later_calls_fail_fast(
        za_sandbox: SageZASandbox, store: SQLiteTokenStore) -> None:
    wrong = {**za_sandbox.credentials, "password": "not-it"}
    save_credentials(store, "shop", "sage_za", LoginCredentials(wrong))
    client = ua.connect("sage_za", connection="shop", token_store=store,
                        settings=za_sandbox.settings(), business_id=za_sandbox.company_id)
    with pytest.raises(ua.ReauthorizationRequired):
        client.tax_rates.list().__next__()
    assert za_sandbox.counters().statuses == {401: 1}
    assert store.describe("shop").health is Health.NEEDS_REAUTHORIZATION  # type: ignore[union-attr]
    other_worker = ua.connect("sage_za", connection="shop", token_store=store,
                              settings=za_sandbox.settings(), business_id=za_sandbox.company_id)
    for attempt in (client, other_worker):
        with pytest.raises(ua.ReauthorizationRequired):
            list(attempt.tax_rates.list())
    assert za_sandbox.counters().total_requests == 1
    save_credentials(store, "shop", "sage_za", LoginCredentials(za_sandbox.credentials))
    assert len(list(client.tax_rates.list())) == 4


def test_a_login_given_to_connect_is_final_after_a_401(za_sandbox: SageZASandbox) -> None:
    client = ua.connect("sage_za", settings=za_sandbox.settings(),
                        business_id=za_sandbox.company_id,
                        credentials={**za_sandbox.credentials, "api_key": "{WRONG}"})
    for _ in range(3):
        with pytest.raises(ua.ReauthorizationRequired):
            client.contacts.get("C1")
    assert za_sandbox.counters().total_requests == 1


def test_connect_needs_a_stored_login(store: SQLiteTokenStore) -> None:
    with pytest.raises(ua.ReauthorizationRequired, match="unified-accounting connect sage_za"):
        ua.connect("sage_za", connection="none", token_store=store)


def test_the_default_pace_is_one_request_a_second_per_company() -> None:
    limits = load_provider("sage_za").rate_limits({})
    assert limits.business_requests_per_second == 1.0
    assert limits.requests_per_second is None


def _client(sandbox: SageZASandbox, company: str, **extra: object) -> ua.Client:
    return ua.connect("sage_za", settings=sandbox.settings(**extra), business_id=company,
                      credentials=sandbox.credentials, clock=sandbox.core.clock.epoch)


def test_a_429_blocks_the_company_for_an_hour_for_every_client_others_go_on() -> None:
    with SageZASandbox(seed=21, companies=("One", "Two"), start_time=FROZEN).running() as sb:
        one, two = (str(c) for c in sb.core.company_ids)
        first, second = _client(sb, one), _client(sb, one)
        for _ in range(50):
            list(first.tax_rates.list())  # 50 requests (a list of 4 is one page)
        for _ in range(50):
            list(second.tax_rates.list())
        with pytest.raises(ua.RateLimitError) as caught:
            list(first.tax_rates.list())
        assert caught.value.retry_after == 3600
        sent = sb.counters().total_requests
        with pytest.raises(ua.RateLimitError) as again:
            list(second.tax_rates.list())
        assert 0 < (again.value.retry_after or 0) <= 3600
        assert sb.counters().total_requests == sent, "a blocked company must fail before sending"
        assert len(list(_client(sb, two).tax_rates.list())) == 4
        sb.advance_clock(3601)
        assert len(list(second.tax_rates.list())) == 4


@pytest.mark.redis
def test_with_redis_a_block_reaches_every_process(redis_url: str, redis_prefix: str) -> None:
    with SageZASandbox(seed=22, limits={"per_minute": 3}, start_time=FROZEN).running() as sb:
        one = str(sb.core.company_ids[0])
        settings = {"redis_url": redis_url}
        first = _client(sb, one, **settings)
        for _ in range(3):
            list(first.tax_rates.list())
        with pytest.raises(ua.RateLimitError):
            list(first.tax_rates.list())
        # A client in another process shares nothing with this one but Redis.
        key = quota_key(sb.credentials["api_key"], sb.credentials["username"], one)
        assert RedisQuota(redis_url).blocked_for(key, sb.core.clock.epoch()) > 3500
        RedisQuota(redis_url)._redis.delete("ua:sage_za:block:" + key)


def test_the_daily_budget_is_counted_and_enforced_when_asked() -> None:
    with SageZASandbox(seed=23, limits={"per_minute": 1000}).running() as sb:
        company = sb.company_id
        client = _client(sb, company, daily_budget=5, enforce_daily_budget=True)
        before = client.extras.daily_usage()["used"]
        for _ in range(5 - before):
            list(client.tax_rates.list())
        assert client.extras.daily_usage() == {"used": 5, "budget": 5, "remaining": 0}
        sent = sb.counters().total_requests
        with pytest.raises(ua.RateLimitError, match="daily budget"):
            list(client.tax_rates.list())
        assert sb.counters().total_requests == sent


def test_the_stored_login_is_encrypted_at_rest_with_a_key(tmp_path: Path) -> None:
    login = {"username": "me@example.co.za", "password": "pa55-word-at-rest",
             "api_key": "{ABCDEF0123456789ABCDEF0123456789}"}
    with SQLiteTokenStore(tmp_path / "t.db", cipher=FernetCipher([generate_key()])) as store:
        save_credentials(store, "shop", "sage_za", LoginCredentials(login))
        record = store.load("shop")
    raw = (tmp_path / "t.db").read_bytes()
    assert b"pa55-word-at-rest" not in raw
    assert b"ABCDEF0123456789" not in raw
    assert record is not None
    assert LoginCredentials.from_secret(record.tokens.access_token).value(
        "password").reveal() == "pa55-word-at-rest"
