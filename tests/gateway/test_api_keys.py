"""API keys: shown once, stored as a digest, bound to a tenant, limited, revocable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from unified_accounting.cli import main
from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.gateway.apikeys import ApiKeys
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.gateway.ratelimit import KeyLimiter

from .conftest import LiveGateway


@pytest.fixture
def keys(tmp_path: Path) -> ApiKeys:
    return ApiKeys(GatewayDatabase(tmp_path / "gateway.sqlite3"))


def test_a_key_is_stored_only_as_a_digest(keys: ApiKeys, tmp_path: Path) -> None:
    record, plain = keys.create("acme", name="billing")
    prefix = f"uak_{record.key_id}_"
    assert plain.startswith(prefix)
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert plain.encode() not in raw
    # The secret itself (URL-safe base64 may hold "_", so it is what follows the prefix).
    assert plain.removeprefix(prefix).encode() not in raw
    assert keys.authenticate(plain) == record


def test_a_wrong_or_malformed_key_is_refused(keys: ApiKeys) -> None:
    record, plain = keys.create("acme")
    forged = plain[:-1] + ("A" if plain[-1] != "A" else "B")
    assert keys.authenticate(forged) is None
    assert keys.authenticate("uak_" + record.key_id) is None
    assert keys.authenticate("") is None


def test_a_revoked_key_is_refused_and_listed_as_revoked(keys: ApiKeys) -> None:
    record, plain = keys.create("acme")
    keys.revoke(record.key_id)
    assert keys.authenticate(plain) is None
    (listed,) = keys.list("acme")
    assert listed.revoked_at is not None
    with pytest.raises(NotFoundError):
        keys.revoke("000000000000")


def test_tenant_names_are_checked(keys: ApiKeys) -> None:
    with pytest.raises(ValidationError) as caught:
        keys.create("acme:evil")
    assert "tenant" in caught.value.errors


def test_the_bucket_refills_at_the_key_rate() -> None:
    now = [0.0]
    limiter = KeyLimiter(clock=lambda: now[0])
    assert all(limiter.acquire("k", 3) == 0 for _ in range(3))
    assert limiter.acquire("k", 3) == 20  # 3 a minute: the next one in 20 s
    now[0] = 20.0
    assert limiter.acquire("k", 3) == 0
    assert limiter.acquire("other", 3) == 0


def test_over_the_limit_the_gateway_answers_429_with_retry_after(live: LiveGateway) -> None:
    _, plain = live.keys.create("acme", per_minute=2)
    answers = [requests.get(f"{live.url}/v1/connections", headers=live.headers(plain),
                            timeout=10) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert answers[2].json()["type"] == "/docs#problem-rate-limited"


def test_a_request_without_a_valid_key_answers_401(live: LiveGateway) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        answer = requests.get(f"{live.url}/v1/connections", headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_cli_shows_a_key_once_and_never_lists_it(tmp_path: Path) -> None:
    db = str(tmp_path / "gw.sqlite3")
    runner = CliRunner()
    made = runner.invoke(main, ["apikeys", "create", "--tenant", "acme", "--name", "ci",
                                "--per-minute", "30", "--db", db, "--json"])
    assert made.exit_code == 0, made.output
    created = json.loads(made.output)
    listed = runner.invoke(main, ["apikeys", "list", "--db", db, "--json"])
    assert created["key"] not in listed.output
    assert json.loads(listed.output)[0]["per_minute"] == 30
    table = runner.invoke(main, ["apikeys", "list", "--db", db])
    assert created["id"] in table.output
    assert created["key"] not in table.output
    revoked = runner.invoke(main, ["apikeys", "revoke", created["id"], "--db", db])
    assert revoked.exit_code == 0
    keys = ApiKeys(GatewayDatabase(db))
    assert keys.authenticate(created["key"]) is None
