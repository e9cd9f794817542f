"""Finding a PostgreSQL for the tests: ``POSTGRES_URL``, or the local server on 127.0.0.1:5432.

Order: the server named by ``POSTGRES_URL`` when set; otherwise 127.0.0.1:5432 with trust
authentication, trying the users ``postgres`` and ``root`` on the databases ``test`` and
``postgres``. Each test gets a schema of its own (dropped afterwards), so parallel runs on
one server never see each other's rows. When no server answers the tests skip with the
reason, except in CI (env ``CI`` set), where they fail: ``.ci/run`` starts PostgreSQL, and
the report hook in :mod:`support.redis_server` reports any skipped test marked ``postgres``
as failed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import NoReturn

import pytest
from support.redis_server import in_ci

LOCAL_CANDIDATES = tuple(
    f"postgresql://{user}@127.0.0.1:5432/{database}?connect_timeout=2"
    for database in ("test", "postgres") for user in ("postgres", "root")
)


def postgres_answers(url: str) -> bool:
    """Whether a PostgreSQL server at ``url`` accepts a connection."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def find_postgres() -> tuple[str | None, str]:
    """Return ``(url, reason)``; ``url`` is ``None`` when no PostgreSQL is usable."""
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install '.[postgres]')"
    named = os.environ.get("POSTGRES_URL")
    if named:
        return (named, "") if postgres_answers(named) else (None, f"POSTGRES_URL={named} "
                                                                  "does not answer")
    for url in LOCAL_CANDIDATES:
        if postgres_answers(url):
            return url, ""
    return None, ("no PostgreSQL: POSTGRES_URL is unset and nothing accepts a trusted "
                  "connection on 127.0.0.1:5432 (start it, or run .ci/run)")


def postgres_unavailable(reason: str) -> NoReturn:
    """Skip a PostgreSQL test for ``reason``; in CI fail it instead, because CI must run it."""
    if in_ci():
        pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL for the session; skips (or fails in CI) when there is none."""
    url, reason = find_postgres()
    if url is None:
        postgres_unavailable(reason)
    return url


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A schema name no other test (or test run) uses; the schema is dropped afterwards."""
    import psycopg

    schema = f"ua_test_{uuid.uuid4().hex[:16]}"
    yield schema
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
