"""Sync jobs on real Celery workers: separate processes, Redis, PostgreSQL and the sandbox.

Two ``unified-accounting worker`` processes share one Redis (broker, results, job locks,
token store, rate limiter) under the test's key prefix and one PostgreSQL schema; the Sage
sandbox serves every tenant over loopback HTTP from the test process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.sync_workers import (
    RESOURCES,
    add_tenants,
    deployment,
    mirror_differences,
    running_workers,
)
from unified_accounting_sage.sandbox import SageSandbox

from unified_accounting.jobs.app import create_app, enqueue_sync
from unified_accounting.jobs.schedule import every_connection, sync_schedule
from unified_accounting.jobs.settings import JobSettings
from unified_accounting.syncing import Scope
from unified_accounting.syncing.postgres_mirror import PostgresMirror
from unified_accounting.tokens import RedisTokenStore

SCALING = Path(__file__).resolve().parents[2] / "docs" / "scaling.md"
pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=18) as sb:
        yield sb


def test_jobs_of_many_tenants_on_two_workers_fill_the_mirror_once_and_refresh_once(
    sandbox: SageSandbox, redis_url: str, redis_prefix: str, postgres_url: str,
    postgres_schema: str,
) -> None:
    settings, env = deployment(sandbox, redis_url=redis_url, prefix=redis_prefix,
                               postgres_url=postgres_url, schema=postgres_schema)
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    tenants = add_tenants(sandbox, store, 4, contacts=120, invoices=40)
    sandbox.expire_access_tokens()  # every worker finds stale tokens: one refresh each
    sandbox.reset_counters()
    app = create_app(settings)
    with running_workers(env, count=2, concurrency=2):
        # Each job twice at once: the second waits for the first and finds nothing new.
        results = [enqueue_sync(app, t.connection, t.business_id, resources=RESOURCES)
                   for t in tenants for _ in "ab"]
        summaries = [result.get(timeout=120) for result in results]
    assert sum(s["inserted"] for s in summaries) == 4 * (120 + 40)
    assert sorted(s["inserted"] for s in summaries) == [0] * 4 + [160] * 4
    assert {s["failed"] == {} for s in summaries} == {True}
    assert sandbox.counters.refreshes == len(tenants)
    assert sandbox.counters.total_429 == 0
    with PostgresMirror(postgres_url, schema=postgres_schema) as mirror:
        for tenant in tenants:
            assert mirror_differences(mirror, sandbox, tenant) == []
            scope = Scope("sage", tenant.connection, tenant.business_id)
            assert mirror.count(scope, "contacts") == 120
    store.close()


def test_the_scaling_guide_example_runs(
    sandbox: SageSandbox, redis_url: str, redis_prefix: str, postgres_url: str,
    postgres_schema: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, env = deployment(sandbox, redis_url=redis_url, prefix=redis_prefix,
                        postgres_url=postgres_url, schema=postgres_schema)
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    (tenant,) = add_tenants(sandbox, store, 1, contacts=30, invoices=10)
    sandbox.connect("GB", token_store=store, connection="acme",
                    business_id=tenant.business_id).close()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (example,) = re.findall(r"```python\n(.*?)```", SCALING.read_text(encoding="utf-8"), re.S)
    namespace: dict[str, object] = {"ACME_BUSINESS": tenant.business_id}
    with running_workers(env, count=1):
        exec(compile(example, "docs/scaling.md", "exec"), namespace)  # noqa: S102
    summary = namespace["summary"]
    assert isinstance(summary, dict)
    assert (summary["connection"], summary["inserted"]) == ("acme", 40)
    store.close()


def test_a_beat_schedule_covers_every_connection_and_expires_with_its_period(
    sandbox: SageSandbox, redis_url: str, redis_prefix: str,
) -> None:
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    tenants = add_tenants(sandbox, store, 2, contacts=1, invoices=1)
    schedule = sync_schedule(every_connection(store), minutes=5)
    assert sorted(entry["args"] for entry in schedule.values()) == sorted(
        (t.connection, t.business_id) for t in tenants)
    entry = next(iter(schedule.values()))
    assert entry["task"] == "unified_accounting.sync_business"
    assert (entry["schedule"].total_seconds(), entry["options"]["expires"]) == (300, 300)
    store.close()


def test_settings_travel_through_the_environment() -> None:
    settings = JobSettings(broker_url="redis://cache:6379/3", prefix="billing:",
                           token_store="redis://cache:6379/3?prefix=billing:",
                           mirror_url="postgresql://app@db/billing",
                           provider_settings={"requests_per_second": 5}, lock_ttl=12.5)
    assert JobSettings.from_env(settings.to_env()) == settings
    app = create_app(settings)
    assert (app.conf.task_acks_late, app.conf.task_reject_on_worker_lost,
            app.conf.worker_prefetch_multiplier) == (True, True, 1)
    assert app.conf.broker_transport_options["global_keyprefix"] == "billing:"


def test_the_worker_command_with_every_schedules_each_connection(
    sandbox: SageSandbox, redis_url: str, redis_prefix: str, postgres_url: str,
    postgres_schema: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from unified_accounting.cli import main
    from unified_accounting.jobs import app as app_module

    settings, _ = deployment(sandbox, redis_url=redis_url, prefix=redis_prefix,
                             postgres_url=postgres_url, schema=postgres_schema)
    store = RedisTokenStore(url=redis_url, prefix=redis_prefix)
    tenants = add_tenants(sandbox, store, 2, contacts=1, invoices=1)
    celery = create_app(settings)
    started: list[list[str]] = []
    monkeypatch.setattr(app_module, "app", celery)
    monkeypatch.setattr(celery, "worker_main", started.append)
    done = CliRunner().invoke(main, ["worker", "-c", "3", "--every", "10"])
    assert done.exit_code == 0, done.output
    assert "beat: 2 syncs every 10 minutes" in done.output
    (argv,) = started
    assert {"--concurrency=3", "--beat", "--prefetch-multiplier=1"} <= set(argv)
    assert sorted(e["args"] for e in celery.conf.beat_schedule.values()) == sorted(
        (t.connection, t.business_id) for t in tenants)
    store.close()
