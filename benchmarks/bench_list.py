"""Full list over loopback: the library's ``list()`` against a plain ``requests`` loop.

Both sides read every record of the same sandbox business with ``items_per_page=200`` and the
same ``attributes`` (the fields the Sage mapper reads), following ``$next``. The plain loop
only counts the items; the library maps each one to a unified model. Rounds alternate the
order; the table shows medians, their ratio, and the requests and bytes each side received.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from harness import (
    Bench,
    Report,
    alternate,
    freeze_heap,
    log,
    median,
    ratio,
    running_sandbox,
    timed,
    verdict,
)
from unified_accounting_sage.mappers import contacts, invoices

import unified_accounting as ua
from unified_accounting.http.response import HttpResponse

TARGET_RATIO = 1.2


class WireCount:
    """Counts the library's responses and bytes through the transport's response hook."""

    def __init__(self, client: ua.Client) -> None:
        self.requests = 0
        self.bytes = 0
        client.context.transport.response_hooks.append(self._seen)

    def _seen(self, response: HttpResponse) -> None:
        self.requests += 1
        self.bytes += len(response.content)

    def take(self) -> tuple[int, int]:
        """Return (requests, bytes) since the last call and start counting again."""
        counted = (self.requests, self.bytes)
        self.requests = self.bytes = 0
        return counted


def queries(resource: str) -> list[tuple[str, dict[str, Any]]]:
    """The Sage collections behind a unified resource and the query of their first page."""
    if resource == "contacts":
        return [("contacts", {"items_per_page": 200, "attributes": ",".join(contacts.ATTRIBUTES)})]
    return [(f"{kind}_invoices", {"items_per_page": 200,
                                  "attributes": ",".join(invoices.ATTRIBUTES_BY_TYPE[kind])})
            for kind in ("sales", "purchase")]


def _sides(bench: Bench, resource: str) -> dict[str, Callable[[], dict[str, Any]]]:
    client = bench.client()
    wire = WireCount(client)
    raw = bench.session()

    def library() -> dict[str, Any]:
        cpu = time.thread_time()
        seconds, count = timed(lambda: sum(1 for _ in getattr(client, resource).list()))
        cpu = time.thread_time() - cpu
        sent, received = wire.take()
        return {"seconds": seconds, "cpu": cpu, "records": count, "requests": sent,
                "bytes": received}

    def plain() -> dict[str, Any]:
        raw.requests = raw.bytes = 0
        cpu = time.thread_time()
        seconds, count = timed(lambda: sum(raw.count_list(c, q) for c, q in queries(resource)))
        cpu = time.thread_time() - cpu
        return {"seconds": seconds, "cpu": cpu, "records": count, "requests": raw.requests,
                "bytes": raw.bytes}

    return {"requests": plain, "library": library}


def run(bench: Bench, resource: str, rounds: int) -> dict[str, Any]:
    """Time both sides of one resource; return medians, ratio and wire counts."""
    sandbox = bench.sandbox
    sides = _sides(bench, resource)
    for side in sides.values():  # warm up connections, caches and the sandbox's list cache
        side()
    sandbox.reset_counters()
    runs = alternate(sides, rounds)
    served = sandbox.counters.total_requests
    figures: dict[str, Any] = {"runs": runs, "sandbox_requests": served}
    for name, results in runs.items():
        figures[name] = {
            "median_seconds": median([r["seconds"] for r in results]),
            "median_cpu_seconds": median([r["cpu"] for r in results]),
            "records": sorted({r["records"] for r in results}),
            "requests": sorted({r["requests"] for r in results}),
            "bytes": sorted({r["bytes"] for r in results}),
        }
    figures["ratio"] = ratio(figures["library"]["median_seconds"],
                             figures["requests"]["median_seconds"])
    return figures


def main() -> None:
    """Seed the sandbox, run both resources at each latency, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--latency-rounds", type=int, default=5,
                        help="rounds when the sandbox adds latency (the runs are longer)")
    parser.add_argument("--latency-ms", type=float, action="append",
                        help="sandbox delay per request; repeat for several (default 0 and 20)")
    args = parser.parse_args()
    latencies = args.latency_ms or [0.0, 20.0]

    report = Report(
        "list", "1. Full list over loopback: library list() vs a plain requests loop",
        ["resource", "records", "added latency", "requests (plain / library)", "MB per run",
         "plain s", "library s", "ratio", "client CPU us/record (plain / library)",
         "target ratio <= 1.2"],
    )
    with running_sandbox() as bench:
        log(f"seeding {args.contacts:,} contacts and {args.invoices:,} invoices of "
            f"{args.lines} lines")
        ids = bench.sandbox.seed_contacts(args.contacts)
        bench.sandbox.seed_invoices(args.invoices, lines=args.lines, contact_ids=ids[:200])
        freeze_heap()
        for latency in latencies:
            bench.sandbox.set_fault_rates(latency=1.0 if latency else 0.0,
                                          latency_seconds=latency / 1000)
            for resource in ("contacts", "invoices"):
                rounds = args.rounds if latency == 0 else args.latency_rounds
                log(f"{resource}, {latency:g} ms added per request: {rounds} rounds")
                figures = run(bench, resource, rounds)
                report.figures[f"{resource} +{latency:g} ms"] = figures
                report.rows.append(_row(resource, latency, figures))
    report.notes.append(
        f"Medians of {args.rounds} rounds ({args.latency_rounds} with added latency), the two "
        "sides alternating. Invoices have "
        f"{args.lines} lines; `client.invoices.list()` reads sales and purchase invoices, so "
        "the plain loop reads both collections too (the purchase list is one empty page). "
        "The sandbox serves from this process; 'added latency' is a delay the sandbox adds to "
        "each request, standing in for the network between a product and Sage. The target "
        "applies to the loopback rows (0 ms). Client CPU is the CPU time of the thread that "
        "reads the list (the sandbox's threads excluded), which a busy machine disturbs "
        "less than wall time.")
    report.show()
    report.save()


def _row(resource: str, latency: float, figures: dict[str, Any]) -> list[Any]:
    plain, library = figures["requests"], figures["library"]
    same = plain["requests"] == library["requests"] and plain["bytes"] == library["bytes"]
    records = library["records"][0]
    cpu = [side["median_cpu_seconds"] / records * 1e6 for side in (plain, library)]
    return [
        resource, records, f"{latency:g} ms",
        f"{plain['requests'][0]} / {library['requests'][0]}" + ("" if same else " (DIFFER)"),
        round(library["bytes"][0] / 1e6, 1), plain["median_seconds"],
        library["median_seconds"], round(figures["ratio"], 3),
        f"{cpu[0]:.1f} / {cpu[1]:.1f}",
        verdict(figures["ratio"] <= TARGET_RATIO and same) if latency == 0 else "-",
    ]


if __name__ == "__main__":
    main()
