"""Numbered documents are written one at a time per business: threads, processes, proxy.

Sage numbers invoices, credit notes, quotes, contacts and the rest as it stores them; two
POSTs to one business at once can draw the same number or fail. The transport takes the
business's write lock for every POST to one of those collections, whether a mapped resource
or the proxy sends it. A gauge server on loopback answers each POST after a pause and records
how many were in flight together: with the lock, never more than one. Each test also runs a
control that the gauge does see overlapping requests, so a broken lock would fail it.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.workers import run_together
from support.write_gauge import NUMBERED, gauged_provider

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits

BUSINESS = "b" * 32
WRITER = Path(__file__).resolve().parents[1] / "support" / "numbered_writer.py"


def _client(base_url: str) -> ua.Client:
    return ua.connect("sage", access_token="t" * 40, business_id=BUSINESS,
                      settings={"base_url": base_url}, limiter=LocalLimiter(RateLimits()))


def test_threads_write_numbered_documents_one_at_a_time_mapped_or_proxied() -> None:
    with gauged_provider() as (server, gauge):
        client = _client(server.origin + "/v3.1")

        def work(thread: int) -> None:
            for n in range(len(NUMBERED)):
                if n % 4 == 0:
                    client.contacts.create(ua.Contact(name=f"T{thread}-{n}", is_customer=True))
                else:
                    client.proxy.request("POST", f"/{NUMBERED[(thread + n) % len(NUMBERED)]}",
                                         json={"n": n})

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(work, range(8)))
        assert gauge.writes == 8 * len(NUMBERED)
        assert gauge.most_at_once == 1
        client.close()


def test_the_gauge_sees_writes_that_need_no_lock_overlap() -> None:
    """The control: POSTs to a collection that numbers nothing run side by side."""
    with gauged_provider(("ledger_accounts",), pause=0.1) as (server, gauge):
        client = _client(server.origin + "/v3.1")
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda n: client.proxy.request("POST", "/ledger_accounts", json={}),
                          range(8)))
        assert gauge.most_at_once > 1
        client.close()


def _writers(base_url: str, redis: list[str]) -> list[list[str]]:
    return [[sys.executable, str(WRITER), "--base-url", base_url, "--business", BUSINESS,
             "--threads", "4", "--writes", "4", *redis] for _ in range(3)]


@pytest.mark.redis
def test_processes_sharing_a_redis_limiter_write_one_at_a_time(
    redis_url: str, redis_prefix: str,
) -> None:
    with gauged_provider() as (server, gauge):
        results = run_together(_writers(server.origin + "/v3.1",
                                        ["--redis", redis_url, "--prefix", redis_prefix]))
        assert [out for _, out in results] == [{"writes": 16}] * 3
        assert gauge.writes == 48
        assert gauge.most_at_once == 1


def test_processes_with_their_own_limiters_overlap() -> None:
    """The control: without a shared limiter, each process only serializes its own writes."""
    with gauged_provider(pause=0.05) as (server, gauge):
        run_together(_writers(server.origin + "/v3.1", []))
        assert gauge.writes == 48
        assert gauge.most_at_once > 1
