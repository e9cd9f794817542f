"""Quota use: one sync of ten businesses against a sandbox limited to R req/s and C at once.

The sandbox's own rate windows are a minute long; here it is given a limiter with the same
interface that admits at most R requests per one-second window and C requests in flight per
OAuth app, and answers anything more with 429 and ``Retry-After: 1``, as the sandbox does.
The library is told the same quota (``requests_per_second=R``, ``max_concurrency=C``) and one
``Syncer`` run syncs ten connections at once into a SQLite mirror. The sandbox has seven
businesses (one per country), so ten connections means the seven plus a second connection
to three of them; each connection is its own scope in the mirror and its own sync stream.

Reported: requests admitted per second of the run as a share of R, and the 429s served.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness import Bench, Report, freeze_heap, log, running_sandbox, verdict

from unified_accounting.http import RateLimits
from unified_accounting.http.limiter import LimitScope, LocalLimiter
from unified_accounting.sandbox_kit import Refusal
from unified_accounting.syncing import SQLiteMirror, Syncer

COUNTRIES = ("GB", "IE", "US", "CA", "FR", "ES", "DE")
TARGET_SHARE = 0.95


class SecondWindows:
    """Sandbox limiter: R requests per fixed one-second window and C in flight, per app.

    Same interface as the sandbox's ``RateLimiter`` (``acquire``, ``release``,
    ``configure``); it also keeps the admission count of every window.
    """

    def __init__(self, per_second: int, concurrent: int) -> None:
        self.per_second = per_second
        self.concurrent = concurrent
        self.windows: Counter[int] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()

    def configure(self, limits: Any) -> None:
        """Ignore the sandbox's own limits while this one is installed."""

    def acquire(self, keys: Sequence[tuple[str, str]], now: float) -> Refusal | None:
        """Admit one request of the app named in ``keys`` or refuse it (``Retry-After: 1``)."""
        app = _app_of(keys)
        window = math.floor(now)
        with self._lock:
            if self._in_flight[app] >= self.concurrent:
                return Refusal("app_concurrent", 1)
            if self.windows[window] >= self.per_second:
                return Refusal("app_per_second", 1)
            self._in_flight[app] += 1
            self.windows[window] += 1
            return None

    def release(self, keys: Sequence[tuple[str, str]]) -> None:
        """Free the request's concurrency slot."""
        with self._lock:
            self._in_flight[_app_of(keys)] -= 1


def _app_of(keys: Sequence[tuple[str, str]]) -> str:
    """The app of a sandbox limiter call: its ``("app", client_id)`` scope."""
    return next((key for kind, key in keys if kind == "app"), "")


class TokenBucket:
    """The library's earlier rate policy, kept here to compare: a thread-safe token bucket.

    Args:
        rate: tokens added per second.
        burst: the most tokens kept (``max(1, rate)`` by default).
        clock: a monotonic clock, injectable for tests.
    """

    def __init__(self, rate: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self._clock = clock
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token and return how many seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            return max(0.0, -self._tokens / self.rate)

    def cancel(self) -> None:
        """Give back a reservation that will not be used."""
        with self._lock:
            self._tokens = min(self.capacity, self._tokens + 1.0)


class VariantLimiter(LocalLimiter):
    """The library's limiter with another rate policy, to measure a proposed change."""

    def __init__(self, limits: RateLimits, policy: str) -> None:
        super().__init__(limits)
        self.policy = policy

    def _bucket(self, key: LimitScope, rate: float) -> Any:
        with self._guard:
            if key not in self._buckets:
                burst = 1.0 if self.policy == "burst-1" else None
                self._buckets[key] = TokenBucket(rate, burst=burst)  # type: ignore[assignment]
            return self._buckets[key]


#: Client-side rate policies: the library's default, and two measured alternatives.
POLICIES = {
    "default": "library default (at most R starts in any 1.04 s)",
    "bucket": "token bucket, burst = R (the earlier default)",
    "burst-1": "token bucket, burst = 1",
}


def seed(bench: Bench, contacts: int, invoices: int) -> None:
    """Give every business the same contacts and five-line invoices."""
    for country in COUNTRIES:
        ids = bench.sandbox.seed_contacts(contacts, country=country)
        bench.sandbox.seed_invoices(invoices, country=country, contact_ids=ids[:100])


def run_sync(bench: Bench, rate: int, concurrent: int, policy: str, workdir: Path,
             page_size: int = 200) -> dict[str, Any]:
    """Sync ten connections once under the quota and return what happened."""
    limiter = SecondWindows(rate, concurrent)
    bench.sandbox.core.limiter = limiter
    bench.sandbox.reset_counters()
    run = f"{rate}-{concurrent}-{policy}"
    # A client id of its own gives each run a fresh shared limiter (one per app).
    quota = {"requests_per_second": rate, "max_concurrency": concurrent,
             "client_id": f"quota-{run}"}
    options: dict[str, Any] = {}
    if policy != "default":
        options["limiter"] = VariantLimiter(RateLimits(requests_per_second=rate,
                                                       max_concurrency=concurrent), policy)
    targets = [(c, "first") for c in COUNTRIES] + [(c, "second") for c in COUNTRIES[:3]]
    clients = [bench.client(country, connection=f"{name}-{country}", settings=quota, **options)
               for country, name in targets]
    with SQLiteMirror(workdir / f"mirror-{run}.sqlite3") as mirror:
        syncer = Syncer(mirror, max_workers=len(clients), page_size=page_size)
        started, cpu = time.perf_counter(), time.process_time()
        result = syncer.run(clients)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    for client in clients:
        client.close()
    counters = bench.sandbox.counters
    admitted = counters.total_requests - counters.total_429
    busy = sorted(limiter.windows.values())
    return {
        "rate": rate, "concurrent": concurrent, "policy": policy, "seconds": elapsed,
        "page_size": page_size, "process_cpu_seconds": cpu, "cpu_share": cpu / elapsed,
        "admitted": admitted, "total_429": counters.total_429,
        "rate_limited": counters.rate_limited, "achieved_per_second": admitted / elapsed,
        "share": admitted / elapsed / rate, "streams": len(result.streams),
        "failed": [f"{s.scope.business_id} {s.resource}: {s.error!r}" for s in result.failed],
        "fetched": result.total("fetched"), "requests_reported": result.total("requests"),
        "windows": len(busy), "windows_full": sum(1 for n in busy if n >= rate),
    }


#: The default runs: every policy at a rate one process can serve, then the library's
#: default at Sage's published app rate, where this one process runs out of CPU first.
DEFAULT_RUNS = ["8,4,default", "8,4,bucket", "8,4,burst-1", "15,4,default"]


def main() -> None:
    """Seed the sandbox, run the sync under each quota and policy, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000, help="per business")
    parser.add_argument("--invoices", type=int, default=500, help="per business")
    parser.add_argument("--run", action="append", metavar="R,C,POLICY",
                        help="requests per second, concurrent requests and client policy "
                        f"({', '.join(POLICIES)}); repeat (default {' '.join(DEFAULT_RUNS)})")
    args = parser.parse_args()
    runs = [(int(r), int(c), policy) for r, c, policy in
            (run.split(",") for run in (args.run or DEFAULT_RUNS))]

    report = Report("quota", "4. Quota use: sync of 10 connections under R req/s and C at once",
                    ["R req/s", "C", "client rate policy", "requests", "seconds",
                     "achieved req/s", "share of R", "429s", "process CPU s per s",
                     "target >= 95 % and 0 429s"])
    with running_sandbox() as bench, tempfile.TemporaryDirectory() as tmp:
        log(f"seeding {len(COUNTRIES)} businesses with {args.contacts:,} contacts and "
            f"{args.invoices:,} invoices each")
        seed(bench, args.contacts, args.invoices)
        freeze_heap()
        for rate, concurrent, policy in runs:
            log(f"syncing 10 connections at R={rate}/s, C={concurrent}, policy {policy}")
            figures = run_sync(bench, rate, concurrent, policy, Path(tmp))
            report.figures[f"R={rate},C={concurrent},{policy}"] = figures
            ok = figures["share"] >= TARGET_SHARE and figures["total_429"] == 0
            report.rows.append([rate, concurrent, POLICIES[policy], figures["admitted"],
                                round(figures["seconds"], 1),
                                round(figures["achieved_per_second"], 2),
                                f"{figures['share']:.1%}", figures["total_429"],
                                round(figures["cpu_share"], 2), verdict(ok)])
            if figures["failed"]:
                report.notes.append(f"R={rate}, C={concurrent}, {policy}: failed streams: "
                                    f"{figures['failed']}")
    report.notes.append(
        "Requests are those the sandbox admitted, divided by the wall time of the whole "
        "Syncer.run (start-up and the last page included). Each connection syncs contacts, "
        "contact persons, ledger accounts, tax rates, invoices, payments and journals, 200 "
        f"records a page; {args.contacts:,} contacts and {args.invoices:,} invoices of five "
        "lines per business. 'Process CPU s per s' is the CPU time of this whole process "
        "(sandbox included) per second of the run: near 0.7 the interpreter's lock, not the "
        "quota, sets the pace.")
    report.show()
    report.save()


if __name__ == "__main__":
    main()
