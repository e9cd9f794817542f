"""Outbox delivery as Celery tasks on real ``unified-accounting worker`` processes.

Two tenants of the Sage sandbox queue writes in a PostgreSQL outbox; delivery tasks, several
at once on two worker processes, drain them: each write once, in order per business, and a
business that Sage holds back with 429 does not keep a task (the task returns, its write
waits in the store with a not-before time, and a later task delivers it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from support.sync_workers import Tenant, add_tenants, deployment, running_workers
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.jobs.app import create_app
from unified_accounting.jobs.outbox_tasks import (
    OUTBOX_TASK,
    enqueue_outbox_delivery,
    outbox_schedule,
)
from unified_accounting.outbox import PostgresOutbox
from unified_accounting.tokens import RedisTokenStore

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

WRITES = 30  # per tenant


@pytest.fixture
def sandbox() -> Iterator[SageSandbox]:
    # A frozen clock one second before a minute ends: a 429 asks to wait one second, and the
    # test moves the clock to the next minute while the writes wait.
    start = datetime(2026, 3, 2, 9, 0, 59, tzinfo=UTC)
    with SageSandbox.running(port=0, seed=21, start_time=start) as sb:
        yield sb


def enqueue(sb: SageSandbox, store: RedisTokenStore, tenant: Tenant,
            outbox: PostgresOutbox) -> list[str]:
    with sb.connect("GB", token_store=store, connection=tenant.connection,
                    business_id=tenant.business_id, outbox=outbox) as client:
        return [client.outbox.create(ua.Contact(name=f"{tenant.connection} {n:02d}",
                                                is_customer=True)) for n in range(WRITES)]


def test_delivery_tasks_drain_the_outbox_once_in_order_and_give_workers_back(
    sandbox: SageSandbox, redis_url: str, redis_prefix: str, postgres_url: str,
    postgres_schema: str,
) -> None:
    settings, env = deployment(sandbox, redis_url=redis_url, prefix=redis_prefix,
                               postgres_url=postgres_url, schema=postgres_schema)
    outbox_url = f"{postgres_url}&schema={postgres_schema}&max_size=2"
    env.update({"UNIFIED_ACCOUNTING_OUTBOX": outbox_url,
                "UNIFIED_ACCOUNTING_OUTBOX_BACKOFF": "0.05",
                "UNIFIED_ACCOUNTING_OUTBOX_CALL_RETRIES": "0"})
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    tenants = add_tenants(sandbox, store, 2, contacts=0, invoices=0)
    outbox = PostgresOutbox(postgres_url, schema=postgres_schema)
    planned = {tenant.connection: enqueue(sandbox, store, tenant, outbox) for tenant in tenants}
    sandbox.set_rate_limits(business_per_minute=25)  # 60 writes: some wait for the next minute
    app = create_app(settings)
    assert OUTBOX_TASK in app.tasks
    summaries = []
    with running_workers(env, count=2, concurrency=2):
        while outbox.counts()["delivered"] < 2 * WRITES and len(summaries) < 40:
            results = [enqueue_outbox_delivery(app, max_seconds=5) for _ in range(3)]
            summaries += [result.get(timeout=60) for result in results]
            if outbox.counts()["delivered"] < 2 * WRITES:
                sandbox.advance_clock(60)  # the next minute: the paused writes are due soon
                time.sleep(1)
    counts = outbox.counts()
    items = {connection: [outbox.get(i) for i in ids] for connection, ids in planned.items()}
    outbox.close()
    assert counts["delivered"] == 2 * WRITES
    assert sum(s["delivered"] for s in summaries) == 2 * WRITES
    assert sum(s["requeued"] for s in summaries) >= 1  # a 429 paused a business
    assert len({s["pid"] for s in summaries}) >= 2
    token = str(sandbox.issue_tokens()["access_token"])
    for tenant in tenants:
        with ua.connect("sage", access_token=token, business_id=tenant.business_id,
                        settings=sandbox.settings) as client:
            names = [c.name for c in client.contacts.list()
                     if c.name.startswith(tenant.connection)]
        assert names == [f"{tenant.connection} {n:02d}" for n in range(WRITES)]
        provider_ids = [item.provider_id for item in items[tenant.connection]
                        if item is not None]
        assert len(set(provider_ids)) == WRITES
    store.close()


def test_a_beat_schedule_queues_delivery_tasks() -> None:
    schedule = outbox_schedule(seconds=10, tasks=2)
    assert sorted(schedule) == ["deliver outbox 0", "deliver outbox 1"]
    entry = schedule["deliver outbox 0"]
    assert entry["task"] == OUTBOX_TASK
    assert entry["schedule"].total_seconds() == 10
    assert entry["options"] == {"expires": 10}
    with pytest.raises(ua.ConfigurationError):
        outbox_schedule(seconds=0)
