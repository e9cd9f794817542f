"""The floor: the library against hand-written ``requests`` code doing the same work, with the
Sage sandbox in a process of its own.

A sandbox in the benchmark's process shares the interpreter lock with the client, so its work
hides the client's; here the sandbox answers from a child process (``scale_sandbox.serve``)
and this process runs only client code. Every figure runs both sides in one run, alternating
which goes first, and shows the median of the rounds:

- **full sync**: ``Syncer`` (contacts and invoices, full run) into a fresh SQLite mirror, vs a
  loop that follows ``$next`` through ``/contacts``, ``/sales_invoices`` and
  ``/purchase_invoices`` (200 a page, the same ``attributes``) and writes each record's JSON
  into SQLite, one commit per page: wall time, and this process's CPU time per record;
- **invoice create**: ``client.invoices.create`` vs a ``requests`` POST of the same Sage body
  (the one the library sent, without its idempotency id), five lines, one customer, contact
  check already remembered: requests the sandbox received and wall time per invoice;
- **list**: ``list()`` (and ``list(read_ahead=True)``) vs the ``$next`` loop counting records;
- **parallel**: ``list(parallel=N)`` vs ``list()`` with a delay added to every request, the
  client's limiter lifted (and once at Sage's default limit of 15 requests a second).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from bench_list import queries
from harness import UNLIMITED, RawSession, Report, alternate, log, median, ratio, verdict
from scale_sandbox import SandboxProcess

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.syncing import SQLiteMirror, Syncer

Side = Callable[[], dict[str, Any]]
COLLECTIONS = ("contacts", "invoices")


class Floor:
    """The sandbox process, the seeded business, and both kinds of client."""

    def __init__(self, sandbox: SandboxProcess, seeded: dict[str, Any], folder: Path) -> None:
        self.sandbox = sandbox
        self.seeded = seeded
        self.folder = folder
        self._files = 0

    def client(self, limits: RateLimits | None = None) -> ua.Client:
        """A library client of the seeded business: with a limiter of its own enforcing
        ``limits``, or with the client-side limiter lifted."""
        options: dict[str, Any] = {} if limits is None else {"limiter": LocalLimiter(limits)}
        return ua.connect("sage", access_token=self.seeded["token"],
                          business_id=self.seeded["business_id"],
                          settings={**self.seeded["settings"], **UNLIMITED}, **options)

    def raw(self) -> RawSession:
        """Hand-written code's ``requests`` session."""
        return RawSession(self.seeded["settings"]["base_url"], self.seeded["token"],
                          self.seeded["business_id"])

    def served(self) -> int:
        """Requests the sandbox has received so far."""
        return int(self.sandbox.ask("counters")["requests"])

    def new_file(self, side: str) -> Path:
        """A fresh SQLite path for one run."""
        self._files += 1
        return self.folder / f"{side}-{self._files}.sqlite3"


def measured(floor: Floor, action: Callable[[], int]) -> dict[str, Any]:
    """Run ``action`` (returning a count); its wall and process CPU seconds, the count, and
    the requests the sandbox received meanwhile."""
    before = floor.served()
    cpu, started = time.process_time(), time.perf_counter()
    count = action()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": wall, "cpu": cpu, "count": count, "requests": floor.served() - before}


# -- full sync ----------------------------------------------------------------------------

def plain_sync(raw: RawSession, path: Path) -> int:
    """Hand-written sync: every page of the three lists into SQLite as JSON, a commit a page."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE records (collection TEXT, id TEXT, updated_at TEXT, data TEXT, "
               "PRIMARY KEY (collection, id))")
    count = 0
    for collection, params in [q for resource in COLLECTIONS for q in queries(resource)]:
        for items in raw.pages(collection, params):
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
                           [(collection, item["id"], item.get("updated_at"), json.dumps(item))
                            for item in items])
            db.commit()
            count += len(items)
    db.close()
    return count


def library_sync(client: ua.Client, path: Path) -> int:
    """``Syncer.run(full=True)`` of contacts and invoices into a fresh SQLite mirror."""
    with SQLiteMirror(path) as mirror:
        result = Syncer(mirror, resources=COLLECTIONS).run(client, full=True)
    result.raise_for_errors()
    return result.total("fetched")


def sync_sides(floor: Floor) -> dict[str, Side]:
    client, raw = floor.client(), floor.raw()
    return {
        "requests": lambda: measured(floor, lambda: plain_sync(raw, floor.new_file("plain"))),
        "library": lambda: measured(floor, lambda: library_sync(client,
                                                                floor.new_file("library"))),
    }


# -- invoice create -----------------------------------------------------------------------

def invoice(floor: Floor, lines: int) -> ua.Invoice:
    """A sales invoice of ``lines`` lines to the first seeded customer."""
    return ua.Invoice(
        type="sales", contact_id=floor.seeded["customer_ids"][0], issue_date=date(2025, 3, 1),
        lines=[ua.InvoiceLine(description=f"Consulting, day {n + 1}",
                              unit_price=Decimal("100.00"), quantity=Decimal("1"),
                              account_id=floor.seeded["sales_account"])
               for n in range(lines)])


def create_sides(floor: Floor, writes: int, lines: int) -> dict[str, Side]:
    client, raw = floor.client(), floor.raw()
    model = invoice(floor, lines)
    body = sent_body(client, model)

    def library() -> int:
        for _ in range(writes):
            client.invoices.create(model)
        return writes

    def plain() -> int:
        for _ in range(writes):
            raw.post("/sales_invoices", body)
        return writes

    return {"requests": lambda: measured(floor, plain),
            "library": lambda: measured(floor, library)}


def sent_body(client: ua.Client, model: ua.Invoice) -> dict[str, Any]:
    """Create ``model`` once (the contact check is remembered from now on) and return the
    JSON body the library sent, without its idempotency id."""
    bodies: list[bytes] = []
    session = client.context.transport.session

    def keep(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "POST" and isinstance(response.request.body, bytes):
            bodies.append(response.request.body)

    session.hooks["response"].append(keep)
    try:
        client.invoices.create(model)
    finally:
        session.hooks["response"].remove(keep)
    body: dict[str, Any] = json.loads(bodies[-1])
    for wrapped in body.values():
        if isinstance(wrapped, dict):
            wrapped.pop("idempotency_id", None)
    body.pop("idempotency_id", None)
    return body


# -- lists --------------------------------------------------------------------------------

def list_sides(floor: Floor, resource: str) -> dict[str, Side]:
    client, raw = floor.client(), floor.raw()
    listed = getattr(client, resource)
    return {
        "requests": lambda: measured(floor, lambda: sum(raw.count_list(c, q)
                                                        for c, q in queries(resource))),
        "library": lambda: measured(floor, lambda: sum(1 for _ in listed.list())),
        "read-ahead": lambda: measured(
            floor, lambda: sum(1 for _ in listed.list(read_ahead=True))),
    }


def parallel_sides(floor: Floor, resource: str, workers: int,
                   limits: RateLimits | None) -> dict[str, Side]:
    listed = getattr(floor.client(limits), resource)
    return {
        "sequential": lambda: measured(floor, lambda: sum(1 for _ in listed.list())),
        "parallel": lambda: measured(floor, lambda: sum(
            1 for _ in listed.list(parallel=workers))),
    }


# -- running and reporting ----------------------------------------------------------------

def medians(sides: dict[str, Side], rounds: int) -> dict[str, dict[str, Any]]:
    """Warm each side up once, then alternate them; per side the medians and the runs."""
    for side in sides.values():
        side()
    runs = alternate(sides, rounds)
    return {name: {"seconds": median([r["seconds"] for r in results]),
                   "cpu": median([r["cpu"] for r in results]),
                   "counts": sorted({r["count"] for r in results}),
                   "requests": sorted({r["requests"] for r in results}),
                   "runs": results}
            for name, results in runs.items()}


def us_per(figure: dict[str, Any], key: str) -> float:
    """Microseconds of ``key`` (seconds or cpu) per counted record or write."""
    return figure[key] / figure["counts"][0] * 1e6


def within(value: float, goal: float) -> str:
    return verdict(value <= goal)


def main() -> None:
    """Start and seed the sandbox process, measure every figure, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of lists and writes")
    parser.add_argument("--sync-rounds", type=int, default=3)
    parser.add_argument("--writes", type=int, default=200, help="invoices a side per round")
    parser.add_argument("--latency-ms", type=float, default=20.0,
                        help="delay the sandbox adds to each request for the parallel rows")
    parser.add_argument("--parallel", type=int, default=4, help="pages fetched at once")
    args = parser.parse_args()

    report = Report("floor", "Floor: the library vs a hand-written requests loop "
                    "(sandbox in its own process)",
                    ["figure", "requests loop", "library", "library / loop", "goal", "verdict"])
    sandbox = SandboxProcess()
    try:
        log(f"seeding {args.contacts:,} contacts and {args.invoices:,} invoices of "
            f"{args.lines} lines in the sandbox process")
        seeded = sandbox.ask("seed", args.contacts, args.invoices, args.lines)
        with tempfile.TemporaryDirectory() as folder:
            floor = Floor(sandbox, seeded, Path(folder))
            measure_all(floor, args, report)
    finally:
        sandbox.stop()
    report.show()
    report.save()


def measure_all(floor: Floor, args: argparse.Namespace, report: Report) -> None:
    log(f"full sync: {args.sync_rounds} rounds")
    sync = medians(sync_sides(floor), args.sync_rounds)
    plain, library = sync["requests"], sync["library"]
    report.figures["sync"] = sync
    sync_ratio = ratio(library["seconds"], plain["seconds"])
    report.rows.append([f"full sync, {plain['counts'][0]:,} records into SQLite, wall s",
                        f"{plain['seconds']:.2f}", f"{library['seconds']:.2f}",
                        f"{sync_ratio:.2f}x", "<= 1.2x", within(sync_ratio, 1.2)])
    cpu = us_per(library, "cpu")
    report.rows.append(["same, client CPU per record, us", f"{us_per(plain, 'cpu'):.0f}",
                        f"{cpu:.0f}", f"{ratio(cpu, us_per(plain, 'cpu')):.2f}x", "<= 200 us",
                        within(cpu, 200)])

    for resource in COLLECTIONS:
        log(f"list {resource}: {args.rounds} rounds")
        listed = medians(list_sides(floor, resource), args.rounds)
        report.figures[f"list {resource}"] = listed
        plain = listed["requests"]
        for side, label in (("library", "list()"), ("read-ahead", "list(read_ahead=True)")):
            value = ratio(listed[side]["seconds"], plain["seconds"])
            report.rows.append([f"{resource}: {label} of {plain['counts'][0]:,}, wall s",
                                f"{plain['seconds']:.2f}", f"{listed[side]['seconds']:.2f}",
                                f"{value:.2f}x", "<= 1.1x", within(value, 1.1)])

    floor.sandbox.ask("latency", args.latency_ms / 1000)
    try:
        measure_parallel(floor, args, report)
    finally:
        floor.sandbox.ask("latency", 0.0)

    log(f"invoice create: {args.rounds} rounds of {args.writes} a side")
    writes = medians(create_sides(floor, args.writes, args.lines), args.rounds)
    plain, library = writes["requests"], writes["library"]
    report.figures["create"] = writes
    per_invoice = library["requests"][-1] / args.writes
    report.rows.append(["invoice create, requests per invoice",
                        f"{plain['requests'][-1] / args.writes:g}", f"{per_invoice:g}", "",
                        "1", within(per_invoice, 1)])
    write_ratio = ratio(library["seconds"], plain["seconds"])
    report.rows.append(["invoice create, wall per write, ms",
                        f"{us_per(plain, 'seconds') / 1000:.2f}",
                        f"{us_per(library, 'seconds') / 1000:.2f}", f"{write_ratio:.2f}x",
                        "<= 1.15x", within(write_ratio, 1.15)])

    report.notes.append(
        f"{args.contacts:,} contacts and {args.invoices:,} sales invoices of {args.lines} "
        "lines in one business (the writes come last: the sync and the lists read only the "
        f"seeded records). Medians of {args.rounds} rounds ({args.sync_rounds} for the "
        f"sync), sides alternating, after one warm-up run each; {args.writes} invoices a side "
        "a round. CPU is this process's (the sandbox runs in its own). The parallel rows "
        "compare list() with list(parallel=N) (\"requests loop\" column: list(); \"library\" "
        "column: parallel); their goal is a speed-up of at least 2.")


def measure_parallel(floor: Floor, args: argparse.Namespace, report: Report) -> None:
    latency, workers = args.latency_ms, args.parallel
    runs: list[tuple[str, RateLimits | None, str]] = [
        (resource, None, "limiter lifted") for resource in COLLECTIONS]
    runs.append(("contacts", RateLimits(requests_per_second=15, max_concurrency=150),
                 "Sage's default 15 requests/s"))
    for resource, limits, label in runs:
        rounds = args.rounds if limits is None else 1
        log(f"{resource} at +{latency:g} ms, parallel={workers}, {label}: {rounds} rounds")
        timed = medians(parallel_sides(floor, resource, workers, limits), rounds)
        report.figures[f"parallel {resource} {label}"] = timed
        sequential, parallel = timed["sequential"], timed["parallel"]
        if sequential["counts"] != parallel["counts"]:
            raise RuntimeError(f"parallel listed {parallel['counts']} {resource}, "
                               f"sequential {sequential['counts']}")
        speedup = ratio(sequential["seconds"], parallel["seconds"])
        goal = ">= 2x faster" if limits is None else "(limit-bound)"
        report.rows.append([
            f"{resource}: list() vs list(parallel={workers}) at +{latency:g} ms, {label}, "
            "wall s", f"{sequential['seconds']:.2f}", f"{parallel['seconds']:.2f}",
            f"{speedup:.2f}x faster", goal,
            verdict(speedup >= 2) if limits is None else "-"])


if __name__ == "__main__":
    main()
