"""Pool processes of real Celery workers killed with SIGKILL in the middle of syncs.

Two ``unified-accounting worker`` processes sync two tenants of the Sage sandbox (1,500
contacts and 100 invoices each, 25 records a page, a little latency on every request) into
one PostgreSQL schema. Ten times, the test finds a job that is committing pages (the job
lock names its holder's process id, and the tenant's mirror has grown since the last kill),
and kills that process with SIGKILL. Celery requeues the job (acks late, rejected when the
worker is lost); the new run waits for the dead holder's lease to end and resumes from the
cursor committed with the last page. Every job must complete, and the mirror must then equal
the sandbox: no record lost, none twice, none stale.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
import redis
from support.sync_workers import (
    RESOURCES,
    Tenant,
    add_tenants,
    deployment,
    mirror_differences,
    running_workers,
)
from unified_accounting_sage.sandbox import SageSandbox

from unified_accounting.jobs.app import create_app, enqueue_sync
from unified_accounting.syncing import Scope
from unified_accounting.syncing.postgres_mirror import PostgresMirror
from unified_accounting.tokens import RedisTokenStore

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

KILLS = 10
CONTACTS, INVOICES = 1_500, 100


@pytest.fixture
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=19) as sb:
        yield sb


def holder_pid(client: redis.Redis, prefix: str, tenant: Tenant) -> int | None:
    """The process id in the tenant's job lock, while a live process holds it."""
    value = client.get(f"{prefix}job-lock:{{{tenant.connection}}}:{tenant.business_id}")
    if value is None:
        return None
    pid = int(value.decode().split(":")[1])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def kill_mid_sync(client: redis.Redis, prefix: str, mirror: PostgresMirror,
                  tenants: list[Tenant], seen: dict[str, int], deadline: float) -> bool:
    """Kill one process that is committing a tenant's contacts; False once every job is done."""
    while time.monotonic() < deadline:
        for tenant in tenants:
            held = mirror.count(Scope("sage", tenant.connection, tenant.business_id), "contacts")
            pid = holder_pid(client, prefix, tenant)
            if pid is not None and seen[tenant.connection] < held < CONTACTS:
                os.kill(pid, signal.SIGKILL)
                seen[tenant.connection] = held
                return True
        time.sleep(0.01)
    return False


def test_ten_kills_in_the_middle_of_syncs_lose_and_duplicate_nothing(
    sandbox: SageSandbox, redis_url: str, redis_prefix: str, postgres_url: str,
    postgres_schema: str,
) -> None:
    settings, env = deployment(sandbox, redis_url=redis_url, prefix=redis_prefix,
                               postgres_url=postgres_url, schema=postgres_schema,
                               lock_ttl=1.5, page_size=25)
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    tenants = add_tenants(sandbox, store, 2, contacts=CONTACTS, invoices=INVOICES)
    sandbox.set_fault_rates(latency=1.0, latency_seconds=0.03)
    app = create_app(settings)
    client = redis.Redis.from_url(redis_url)
    seen = {tenant.connection: 0 for tenant in tenants}
    with running_workers(env, count=2) as workers, PostgresMirror(
            postgres_url, schema=postgres_schema) as mirror:
        results = [enqueue_sync(app, t.connection, t.business_id, resources=RESOURCES)
                   for t in tenants]
        deadline = time.monotonic() + 50
        kills = sum(kill_mid_sync(client, redis_prefix, mirror, tenants, seen, deadline)
                    for _ in range(KILLS))
        summaries = [result.get(timeout=120) for result in results]
        # Each kill is a pool process lost while running a job, which Celery requeued.
        lost = [line for w in workers for line in w.lines
                if "Task handler raised error: WorkerLostError" in line]
        assert kills == KILLS
        assert len(lost) == KILLS
        assert all(summary["failed"] == {} for summary in summaries)
        assert any("contacts" in summary["resumed"] for summary in summaries)
        for tenant in tenants:
            assert mirror_differences(mirror, sandbox, tenant) == []
            scope = Scope("sage", tenant.connection, tenant.business_id)
            assert mirror.count(scope, "contacts", include_deleted=True) == CONTACTS
            assert mirror.count(scope, "invoices", include_deleted=True) == INVOICES
    client.close()
    store.close()
