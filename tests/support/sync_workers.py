"""Real Celery sync workers for the tests: processes of ``unified-accounting worker``.

A deployment is what the workers share: a Redis (broker, results, job locks, limiter and the
token store, all under one test's key prefix), a PostgreSQL schema of the test's own, and
the Sage sandbox running in the test process as a real HTTP server. Tenants are further
businesses of the sandbox's user (``add_business``), each with a connection of its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.jobs.settings import JobSettings
from unified_accounting.syncing import Mirror, Scope
from unified_accounting.tokens import RedisTokenStore

WORKER_COMMAND = [str(Path(sys.executable).with_name("unified-accounting")), "worker"]
RESOURCES = ("contacts", "invoices")


@dataclass
class Tenant:
    """One customer: a connection in the token store and the business it syncs."""

    connection: str
    business_id: str


@dataclass
class WorkerProcess:
    """A running ``unified-accounting worker`` and the lines it has logged."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until Celery says the worker is ready to take jobs."""
        deadline = time.monotonic() + timeout
        while not any(" ready." in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start:\n" + "".join(self.lines[-40:]))
            time.sleep(0.05)

    def stop(self) -> None:
        """Ask for a warm shutdown, then kill it if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_worker(env: dict[str, str], *, name: str, concurrency: int = 1) -> WorkerProcess:
    """Start a worker process; its log is collected in :attr:`WorkerProcess.lines`."""
    process = subprocess.Popen(
        [*WORKER_COMMAND, f"--concurrency={concurrency}", f"--hostname={name}@%h",
         "--loglevel=info"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    worker = WorkerProcess(process)

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            worker.lines.append(line)

    threading.Thread(target=collect, daemon=True).start()
    return worker


@contextmanager
def running_workers(env: dict[str, str], count: int, concurrency: int = 1
                    ) -> Iterator[list[WorkerProcess]]:
    """``count`` workers, started together and stopped at the end of the block."""
    workers = [start_worker(env, name=f"w{n}", concurrency=concurrency) for n in range(count)]
    try:
        for worker in workers:
            worker.wait_ready()
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def deployment(sb: SageSandbox, *, redis_url: str, prefix: str, postgres_url: str,
               schema: str, lock_ttl: float = 30.0, page_size: int = 50,
               quota: dict[str, Any] | None = None) -> tuple[JobSettings, dict[str, str]]:
    """The settings every worker and the test share, and the environment that carries them."""
    settings = JobSettings(
        broker_url=redis_url, prefix=prefix, token_store=f"{redis_url}?prefix={prefix}",
        mirror_url=f"{postgres_url}&schema={schema}&max_size=2",
        provider_settings={**sb.settings, **(quota or {"requests_per_second": 1000})},
        lock_ttl=lock_ttl, page_size=page_size,
    )
    env = {**settings.to_env(), "UNIFIED_ACCOUNTING_CLIENT_SECRET": sb.client_secret}
    return settings, env


def add_tenants(sb: SageSandbox, store: RedisTokenStore, count: int, *, contacts: int,
                invoices: int, countries: tuple[str, ...] = ("GB", "IE")) -> list[Tenant]:
    """Give the sandbox user ``count`` more businesses with records; connect each one."""
    tenants = []
    for number in range(count):
        country = countries[number % len(countries)]
        business_id = sb.add_business(country, key=f"tenant-{number}")
        ids = sb.seed_contacts(contacts, country=country, business_id=business_id)
        sb.seed_invoices(invoices, country=country, business_id=business_id,
                         contact_ids=ids[:20], lines=2)
        connection = f"tenant-{number}"
        sb.connect(country, token_store=store, connection=connection,
                   business_id=business_id).close()
        store.set_business_ids(connection, (business_id,))
        tenants.append(Tenant(connection, business_id))
    return tenants


def mirror_differences(mirror: Mirror, sb: SageSandbox, tenant: Tenant) -> list[str]:
    """Every way the mirror differs from what the sandbox lists for one tenant."""
    token = str(sb.issue_tokens()["access_token"])
    scope = Scope("sage", tenant.connection, tenant.business_id)
    problems: list[str] = []
    with ua.connect("sage", access_token=token, business_id=tenant.business_id,
                    settings={**sb.settings, "requests_per_second": 1000}) as client:
        for resource in RESOURCES:
            live = {model.id: model for model in getattr(client, resource).list()}
            held = {record.id: record for record in mirror.records(scope, resource)}
            problems += [f"{resource}/{i} missing" for i in sorted(live.keys() - held.keys())]
            problems += [f"{resource}/{i} extra" for i in sorted(held.keys() - live.keys())]
            for record_id in sorted(live.keys() & held.keys()):
                model, record = live[record_id], held[record_id]
                data = ua.dump(model)
                data.pop("remote_data", None)
                if (record.updated_at, record.data) != (model.updated_at, data):
                    problems.append(f"{resource}/{record_id} stale")
    return problems
