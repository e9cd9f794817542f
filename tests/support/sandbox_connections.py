"""Connections to a running Sage sandbox shared by several worker processes.

The storm and crash tests run the sandbox in the test process (a real HTTP server on
loopback, in a thread) and hand its URLs to worker processes; the token store is shared by
URL: a SQLite file, or a key prefix on a real Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.tokens import ConnectionRecord, RedisTokenStore, SQLiteTokenStore
from unified_accounting.tokens.base import TokenStore
from unified_accounting.utctime import utcnow

CONNECTION = "acme"


@dataclass
class SharedStore:
    """A store opened here, and the URL worker processes open the same store by."""

    store: TokenStore
    url: str


def open_shared_store(
    request: pytest.FixtureRequest, kind: str, *, lock_ttl: float | None = None
) -> SharedStore:
    """Open a SQLite store in the test's folder, or a Redis store under a fresh prefix.

    ``lock_ttl`` shortens the Redis lock's lease (for tests that kill a lock holder).
    """
    if kind == "sqlite":
        path: Path = request.getfixturevalue("tmp_path") / "tokens.sqlite3"
        return SharedStore(SQLiteTokenStore(path), f"sqlite://{path}")
    redis_url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    options = {} if lock_ttl is None else {"lock_ttl": lock_ttl}
    store = RedisTokenStore(url=redis_url, prefix=prefix, **options)
    lease = "" if lock_ttl is None else f"&lock_ttl={lock_ttl:g}"
    return SharedStore(store, f"{redis_url}?prefix={prefix}{lease}")


@pytest.fixture
def sage_sandbox() -> Iterator[SageSandbox]:
    """A fresh sandbox on a free loopback port (counters start at zero)."""
    with SageSandbox.running(port=0, seed=7) as sb:
        yield sb


def authorize(sb: SageSandbox, store: TokenStore, connection: str = CONNECTION) -> ConnectionRecord:
    """Authorize ``connection`` through the sandbox's code flow; return what was stored."""
    sb.connect(token_store=store, connection=connection).close()
    record = store.load(connection)
    assert record is not None
    return record


def expire_access_token(sb: SageSandbox, store: TokenStore,
                        connection: str = CONNECTION) -> ConnectionRecord:
    """Make the connection's access token expire now, at the sandbox and in the store.

    The store then says the token was issued five minutes ago and has just run out, as every
    worker of a product finds it after a quiet spell.
    """
    record = store.load(connection)
    assert record is not None
    now = utcnow()
    expired = replace(record.tokens, expires_at=now)
    store.save(connection, expired, provider=record.info.provider,
               client_id=record.info.client_id, metadata=record.info.metadata,
               now=now - timedelta(seconds=300))
    sb.expire_access_tokens()
    return ConnectionRecord(info=record.info, tokens=expired)


def next_worker(sb: SageSandbox, store: TokenStore, connection: str = CONNECTION) -> ua.Client:
    """A client opened the way the worker processes open theirs."""
    return ua.connect(
        "sage", connection=connection, settings=sb.settings, business_id=sb.business_id("GB"),
        token_store=store, client_id=sb.client_id, client_secret=sb.client_secret,
    )


def first_contacts(client: ua.Client) -> list[ua.Contact]:
    """One real API call: the first page of ``GET /contacts`` (at most one contact kept)."""
    contacts: list[ua.Contact] = []
    for contact in client.contacts.list():
        contacts.append(contact)
        break
    return contacts
