"""Outbox workers in separate processes spend one provider quota through a shared Redis limiter.

The Sage v3.1 sandbox (a real HTTP server in this process) is set to serve one request of the
app at a time, answering 429 to any overlap, and to take 80 ms over each request. Two
``unified-accounting outbox run`` processes deliver the writes of two businesses, so each
process would send to its own business at the same time as the other; a limiter kept in each
process knows nothing of the other process. With ``--limiter`` (``UNIFIED_ACCOUNTING_LIMITER_URL``
for the second), both pace through one Redis, and the sandbox sees no overlap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.outbox import SQLiteOutbox

pytestmark = [pytest.mark.redis]

WRITES_PER_BUSINESS = 15
COMMAND = [str(Path(sys.executable).with_name("unified-accounting")), "outbox", "run",
           "--until-idle", "--call-retries", "0", "--backoff", "0", "--json",
           "--loglevel", "warning"]


@pytest.fixture
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=41, access_token_ttl=3600) as sb:
        yield sb


def enqueue(sandbox: SageSandbox, outbox: SQLiteOutbox, tokens: ua.TokenStore) -> int:
    businesses = [sandbox.business_id("GB"), sandbox.add_business("GB", key="limiter-2")]
    for number, business_id in enumerate(businesses):
        with sandbox.connect("GB", token_store=tokens, connection=f"tenant-{number}",
                             business_id=business_id, outbox=outbox) as client:
            for write in range(WRITES_PER_BUSINESS):
                client.outbox.create(ua.Contact(name=f"Customer {number}-{write}",
                                                is_customer=True))
    return len(businesses) * WRITES_PER_BUSINESS


def worker_env(sandbox: SageSandbox, tmp_path: Path, redis_url: str,
               redis_prefix: str) -> dict[str, str]:
    settings = {**sandbox.settings, "max_concurrency": 1, "requests_per_second": 1000}
    return {**os.environ,
            "UNIFIED_ACCOUNTING_OUTBOX": f"sqlite://{tmp_path / 'outbox.sqlite3'}",
            "UNIFIED_ACCOUNTING_TOKEN_STORE": f"sqlite://{tmp_path / 'tokens.sqlite3'}",
            "UNIFIED_ACCOUNTING_PROVIDER_SETTINGS": json.dumps(settings),
            "UNIFIED_ACCOUNTING_CLIENT_SECRET": sandbox.client_secret,
            "UNIFIED_ACCOUNTING_JOBS_PREFIX": redis_prefix}


def run_two_workers(env: dict[str, str], redis_url: str) -> list[dict[str, Any]]:
    """One worker names the Redis by option, the other by variable; both run at once."""
    processes = [
        subprocess.Popen([*COMMAND, "--limiter", redis_url], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen(COMMAND, env={**env, "UNIFIED_ACCOUNTING_LIMITER_URL": redis_url},
                         text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE),
    ]
    summaries = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        summaries.append(json.loads(out))
    return summaries


def test_two_worker_processes_never_overlap_a_one_request_quota(
    sandbox: SageSandbox, tmp_path: Path, redis_url: str, redis_prefix: str,
) -> None:
    tokens = ua.SQLiteTokenStore(tmp_path / "tokens.sqlite3")
    with SQLiteOutbox(tmp_path / "outbox.sqlite3") as outbox:
        planned = enqueue(sandbox, outbox, tokens)
        sandbox.set_rate_limits(app_concurrent=1)
        sandbox.set_fault_rates(latency=1.0, latency_seconds=0.08)
        sandbox.reset_counters()
        summaries = run_two_workers(worker_env(sandbox, tmp_path, redis_url, redis_prefix),
                                    redis_url)
        counts = outbox.counts()
    tokens.close()
    served = sandbox.counters
    assert served.rate_limited == {}, served.rate_limited
    assert counts["delivered"] == planned
    assert sum(summary["delivered"] for summary in summaries) == planned
    assert served.requests.get("POST /contacts") == planned
