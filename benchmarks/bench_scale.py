"""Scale: many tenants synced by 1, 2 and 4 Celery worker processes into PostgreSQL.

The Sage sandbox runs in a process of its own with one business per tenant (contacts and
two-line sales invoices) and a quota of R requests per fixed one-second window and C in
flight for the app, answering anything more with 429. Each tenant is a connection in a Redis
token store. For each worker count, that many ``unified-accounting worker`` processes
(concurrency 1 each) start against a fresh PostgreSQL schema and a fresh Redis prefix; the
clock starts when the jobs are queued (one per tenant) and stops when the last one finished.
The workers share the quota through ``RedisLimiter``, told the same R and C.

Reported per worker count: records synced per second, requests admitted per second as a
share of R, 429s, and whether the mirror equals the sandbox (every live id with its
``updated_at``, nothing more). Then one tenant synced in this process into PostgreSQL and
into SQLite, quota lifted, alternating: the wall-time ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC
from pathlib import Path
from typing import Any

import scale_sandbox
from harness import Report, alternate, log, ratio, verdict

import unified_accounting as ua
from unified_accounting.jobs.app import create_app, enqueue_sync
from unified_accounting.jobs.settings import JobSettings
from unified_accounting.syncing import Syncer
from unified_accounting.syncing.postgres_mirror import PostgresMirror
from unified_accounting.syncing.sqlite_mirror import SQLiteMirror
from unified_accounting.tokens import token_store_from_url

RESOURCES = ["contacts", "invoices"]
TARGET_SHARE = 0.95
WORKER = [str(Path(sys.executable).with_name("unified-accounting")), "worker"]
POSTGRES_CANDIDATES = [f"postgresql://{user}@127.0.0.1:5432/{db}?connect_timeout=2"
                       for db in ("test", "postgres") for user in ("postgres", "root")]


def find_postgres() -> str:
    """``POSTGRES_URL``, else the first local server that accepts a trusted connection."""
    import psycopg

    for url in filter(None, [os.environ.get("POSTGRES_URL"), *POSTGRES_CANDIDATES]):
        try:
            psycopg.connect(url).close()
        except psycopg.Error:
            continue
        return url
    sys.exit("no PostgreSQL on 127.0.0.1:5432 (set POSTGRES_URL)")


def start_workers(count: int, env: dict[str, str]) -> list[tuple[subprocess.Popen[str], Path]]:
    """Start ``count`` workers (concurrency 1); return them once each says it is ready."""
    workers = []
    for number in range(count):
        log_path = Path(tempfile.mkstemp(prefix=f"ua-bench-worker-{number}-", suffix=".log")[1])
        process = subprocess.Popen(
            [*WORKER, "--concurrency=1", f"--hostname=bench{number}@%h", "--loglevel=warning"],
            env={**os.environ, **env}, stdout=subprocess.DEVNULL,
            stderr=log_path.open("w"), text=True)
        workers.append((process, log_path))
    ping = create_app(JobSettings.from_env(env))
    deadline = time.monotonic() + 120
    while len(ping.control.ping(timeout=0.5) or []) < count:
        if time.monotonic() > deadline:
            sys.exit("workers did not start: " + workers[0][1].read_text()[-2000:])
    return workers


def stop_workers(workers: list[tuple[subprocess.Popen[str], Path]]) -> None:
    """Warm-stop every worker and remove its log."""
    for process, _ in workers:
        process.terminate()
    for process, log_path in workers:
        process.wait(timeout=60)
        log_path.unlink(missing_ok=True)


def mirror_check(pg_url: str, schema: str, expected: dict[str, dict[str, Any]]) -> list[str]:
    """Ways the mirror differs from the sandbox's snapshot (empty when they are equal)."""
    import psycopg

    held: dict[tuple[str, str], dict[str, str]] = {}
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(f'SELECT business_id, resource, id, updated_at, deleted FROM '  # noqa: S608
                            f'"{schema}".mirror_records').fetchall()
    problems = []
    for business_id, resource, record_id, updated_at, deleted in rows:
        if deleted:
            problems.append(f"{business_id} {resource}/{record_id} marked deleted")
        stamp = updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        held.setdefault((business_id, resource), {})[record_id] = stamp
    for business_id, resources in expected.items():
        for resource, live in resources.items():
            if held.get((business_id, resource), {}) != live:
                problems.append(f"{business_id} {resource} differs")
    if len(rows) != sum(len(live) for r in expected.values() for live in r.values()):
        problems.append(f"{len(rows)} rows in the mirror")
    return problems


def run_workers(sandbox: scale_sandbox.SandboxProcess, count: int, base: JobSettings, secret: str,
                tenants: list[tuple[str, str]], expected: dict[str, Any], pg_url: str,
                quota: tuple[int, int] | None) -> dict[str, Any]:
    """Sync every tenant once with ``count`` workers under ``quota`` (R, C); return figures."""
    schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
    rate, concurrent = quota or (1_000_000, 100)
    sandbox.ask("quota", *(quota or (None, None)))
    settings = JobSettings(**{
        **base.__dict__, "prefix": f"ua-bench:{uuid.uuid4().hex[:8]}:",
        "mirror_url": f"{pg_url}&schema={schema}&max_size=2",
        "provider_settings": {**base.provider_settings, "requests_per_second": rate,
                              "max_concurrency": concurrent}})
    env = {**settings.to_env(), "UNIFIED_ACCOUNTING_CLIENT_SECRET": secret}
    PostgresMirror(pg_url, schema=schema).close()  # migrated before the clock starts
    workers = start_workers(count, env)
    app = create_app(settings)
    sandbox.ask("reset")
    started = time.perf_counter()
    results = [enqueue_sync(app, c, b, resources=RESOURCES) for c, b in tenants]
    summaries = [result.get(timeout=3600) for result in results]
    elapsed = time.perf_counter() - started
    counters = sandbox.ask("counters")
    stop_workers(workers)
    problems = mirror_check(pg_url, schema, expected)
    admitted = counters["requests"] - counters["total_429"]
    records = sum(s["fetched"] for s in summaries)
    return {"workers": count, "seconds": elapsed, "records": records,
            "records_per_second": records / elapsed, "admitted": admitted,
            "total_429": counters["total_429"], "share": admitted / elapsed / rate,
            "busy_seconds": counters["busy_seconds"],
            "busy_share": admitted / counters["busy_seconds"] / rate
            if counters["busy_seconds"] else 0.0,
            "mirror_problems": problems[:10], "schema": schema,
            "pids": len({s["pid"] for s in summaries})}


def compare_mirrors(sandbox: scale_sandbox.SandboxProcess, base: JobSettings, secret: str,
                    tenant: tuple[str, str], pg_url: str, rounds: int) -> dict[str, Any]:
    """One tenant, synced in this process into PostgreSQL and into SQLite: median walls."""
    sandbox.ask("quota", None, None)
    store = token_store_from_url(base.token_store or "")
    settings = {**base.provider_settings, "requests_per_second": 1e6, "max_concurrency": 100}

    def run(kind: str) -> float:
        client = ua.connect("sage", connection=tenant[0], business_id=tenant[1],
                            token_store=store, settings=settings, client_secret=secret)
        with tempfile.TemporaryDirectory() as folder:
            mirror = (PostgresMirror(pg_url, schema=f"bench_cmp_{uuid.uuid4().hex[:8]}")
                      if kind == "postgres" else SQLiteMirror(Path(folder) / "m.sqlite3"))
            started = time.perf_counter()
            Syncer(mirror, resources=RESOURCES).run(client).raise_for_errors()
            elapsed = time.perf_counter() - started
            mirror.close()
        client.close()
        return elapsed

    walls = alternate({"postgres": lambda: run("postgres"), "sqlite": lambda: run("sqlite")},
                      rounds)
    store.close()
    return {name: statistics.median(values) for name, values in walls.items()}


def scale_row(quota: tuple[int, int] | None, figures: dict[str, Any]) -> list[Any]:
    """One table row; shares and the target only where a quota was set."""
    ok = figures["busy_share"] >= TARGET_SHARE and figures["total_429"] == 0
    return [f"R={quota[0]}/s, C={quota[1]}" if quota else "none",
            figures["workers"], figures["records"], round(figures["seconds"], 1),
            round(figures["records_per_second"]),
            round(figures["admitted"] / figures["seconds"], 2),
            f"{figures['share']:.1%}" if quota else "-",
            f"{figures['busy_share']:.1%}" if quota else "-", figures["total_429"],
            "yes" if not figures["mirror_problems"] else "NO",
            verdict(ok) if quota else "(report)"]


def main() -> None:
    """Seed the sandbox, run each worker count, compare the mirrors, print and save."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=1_000, help="per connection")
    parser.add_argument("--invoices", type=int, default=1_000, help="per connection")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--rate", type=int, default=8, help="quota: requests per second")
    parser.add_argument("--concurrent", type=int, default=4, help="quota: requests at once")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the mirror comparison")
    parser.add_argument("--headroom", type=float, default=0.04,
                        help="window headroom of the shared limiter (0.04 = 4 %%)")
    parser.add_argument("--unlimited-too", action=argparse.BooleanOptionalAction, default=True,
                        help="also run every worker count with no quota (CPU-bound)")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    pg_url = find_postgres()
    token_store = f"{redis_url}?prefix=ua-bench-tokens:{uuid.uuid4().hex[:8]}:"

    sandbox = scale_sandbox.SandboxProcess()
    log(f"seeding {args.connections} businesses with {args.contacts:,} contacts and "
        f"{args.invoices:,} invoices each, one connection each")
    made = sandbox.ask("setup", args.connections, args.contacts, args.invoices, token_store)
    tenants = [tuple(t) for t in made["tenants"]]
    expected = sandbox.ask("snapshot")
    base = JobSettings(broker_url=redis_url, token_store=token_store, page_size=200,
                       provider_settings=made["settings"], limit_headroom=args.headroom)
    report = Report(
        "scale", f"6. Scale: {args.connections} connections x "
        f"{args.contacts + args.invoices:,} records into PostgreSQL, limiter headroom "
        f"{args.headroom:.0%}",
        ["quota", "worker processes", "records", "seconds", "records/s", "achieved req/s",
         "share of R (wall)", "share of R (busy)", "429s", "mirror = sandbox",
         "target >= 95 % and 0 429s"])
    quotas: list[tuple[int, int] | None] = [(args.rate, args.concurrent)]
    if args.unlimited_too:
        quotas.append(None)
    for quota in quotas:
        for count in (int(n) for n in args.workers.split(",")):
            log(f"syncing with {count} worker process(es), quota {quota or 'none'}")
            figures = run_workers(sandbox, count, base, made["client_secret"], tenants,  # type: ignore[arg-type]
                                  expected, pg_url, quota)
            report.figures[f"quota={quota},workers={count}"] = figures
            report.rows.append(scale_row(quota, figures))
    log("one connection into PostgreSQL and into SQLite, quota lifted")
    walls = compare_mirrors(sandbox, base, made["client_secret"], tenants[0],  # type: ignore[arg-type]
                            pg_url, args.rounds)
    sandbox.stop()
    report.figures["mirror_walls"] = walls
    report.notes.append(
        f"PostgreSQL vs SQLite mirror, one connection ({args.contacts + args.invoices:,} "
        f"records, quota lifted, median of {args.rounds} alternating rounds): PostgreSQL "
        f"{walls['postgres']:.2f} s, SQLite {walls['sqlite']:.2f} s, wall ratio "
        f"{ratio(walls['postgres'], walls['sqlite']):.2f}.")
    report.notes.append(
        "Each worker process is a `unified-accounting worker --concurrency=1`; the sandbox "
        "runs in its own process; records are contacts and two-line sales invoices; 200 "
        "records a page. Requests are those the sandbox admitted; 'wall' divides them by the "
        "time from queueing the first job to the last result, 'busy' by the time from the "
        "first admitted request to the last (the wall less the workers' pick-up of the "
        "first jobs and the wait for the last result).")
    report.show()
    report.save()


if __name__ == "__main__":
    main()
