"""Webhook delivery: events per second to a local receiver, and what recording events costs.

Delivery: N change events are queued by mirror commits (pages of 200 contacts, one webhook
endpoint), then one ``Deliverer`` sends them at several concurrencies to a receiver running as
its own process (``tests/support/webhook_receiver.py``, a threaded ``http.server`` that checks
every signature with ``ua.webhooks.verify``). The figure is events delivered per second of
wall time, from the first claim until nothing is due; the receiver's count must equal N, with
no signature refused. Each configuration runs ``--rounds`` times on fresh files; medians.

Commit cost: the same pages committed into an empty mirror with nobody listening, with an
``on_change`` listener, and with one webhook endpoint (events and deliveries written in the
same transaction); the table gives microseconds per record, sides alternating.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from harness import ROOT, Report, alternate, log, median, timed

from unified_accounting.syncing import MirrorItem, Scope, SQLiteMirror, StreamKey, StreamState
from unified_accounting.syncing.mirror import Mirror
from unified_accounting.webhooks.delivery import Deliverer
from unified_accounting.webhooks.registry import open_webhook_store
from unified_accounting.webhooks.signing import generate_secret

RECEIVER = ROOT / "tests" / "support" / "webhook_receiver.py"
KEY = StreamKey(Scope("sage", "acme", "biz-bench"), "contacts")
PAGE = 200


def pages(count: int, version: int = 0) -> list[list[MirrorItem]]:
    """``count`` contacts in pages of 200, shaped like unified contacts."""
    at = datetime(2025, 6, 1, tzinfo=UTC).replace(second=version)
    items = [MirrorItem(id=f"c{n:06d}", updated_at=at, data={
        "id": f"c{n:06d}", "name": f"Customer {n} Ltd", "reference": f"C{n:06d}",
        "is_customer": True, "is_supplier": False, "email": f"c{n}@example.com",
        "currency": "GBP", "balance": "120.00", "updated_at": at.isoformat()})
        for n in range(count)]
    return [items[i:i + PAGE] for i in range(0, count, PAGE)]


def commit_all(mirror: Mirror, batches: list[list[MirrorItem]], **options: Any) -> None:
    for batch in batches:
        mirror.commit(KEY, state=StreamState(), upserts=batch, **options)


class ReceiverProcess:
    """The receiver in its own process; ``stats()`` asks it what it accepted."""

    def __init__(self, secret: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(RECEIVER), "--port", "0"], stdout=subprocess.PIPE, text=True,
            env={**os.environ, "RECEIVER_SECRET": secret})
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline().split()[1])
        self.url = f"http://127.0.0.1:{self.port}/hooks"

    def stats(self) -> dict[str, int]:
        answer = requests.get(self.url, timeout=10)
        return dict(json.loads(answer.text))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def delivery_round(location: str, events: int, concurrency: int) -> dict[str, Any]:
    """Queue ``events`` with one endpoint, deliver them all; seconds and what arrived."""
    secret = generate_secret()
    receiver = ReceiverProcess(secret.reveal())
    try:
        store = open_webhook_store(location)
        store.add_endpoint(receiver.url, secret=secret)
        with _mirror(location) as mirror:
            commit_all(mirror, pages(events))
        with Deliverer(store, concurrency=concurrency) as deliverer:
            seconds, stats = timed(lambda: deliverer.run(until_idle=True))
        store.close()
        arrived = receiver.stats()
    finally:
        receiver.stop()
    assert stats.delivered == events, stats
    assert arrived["distinct"] == events, arrived
    assert arrived["rejected"] == 0
    return {"seconds": seconds, "received": arrived["received"], "rounds": stats.rounds}


def _mirror(location: str) -> Mirror:
    if not location.startswith("postgres"):
        return SQLiteMirror(location)
    from unified_accounting.syncing.postgres_mirror import PostgresMirror

    return PostgresMirror.from_url(location)


def commit_costs(events: int, rounds: int) -> dict[str, list[float]]:
    """Seconds to commit ``events`` records into an empty mirror, three ways."""
    batches = pages(events)

    def side(listen: bool, endpoint: bool) -> Callable[[], float]:
        def run() -> float:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "mirror.sqlite3"
                with SQLiteMirror(path) as mirror:
                    if endpoint:
                        with open_webhook_store(str(path)) as store:
                            store.add_endpoint("http://127.0.0.1:9/unused")
                    options = {"on_change": lambda event: None} if listen else {}
                    return timed(lambda: commit_all(mirror, batches, **options))[0]
        return run

    return alternate({"nobody listening": side(False, False),
                      "on_change listener": side(True, False),
                      "one webhook endpoint": side(False, True)}, rounds)


def postgres_location(url: str | None) -> str | None:
    if not url:
        return None
    import uuid

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def drop_schema(url: str, location: str) -> None:
    """Remove the schema a PostgreSQL round made."""
    import psycopg

    schema = location.rsplit("schema=", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", default="1,4,8,16")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("POSTGRES_URL"),
                        help="also measure the PostgreSQL store (a server URL)")
    args = parser.parse_args()
    levels = [int(level) for level in args.concurrency.split(",")]
    report = Report("webhooks", f"Webhook delivery: {args.events:,} events to a local receiver",
                    ["store", "concurrency", "events", "seconds (median)", "events/s",
                     "requests received"])
    backends = [("SQLite", None)]
    if args.postgres:
        backends.append(("PostgreSQL", args.postgres))
    for name, url in backends:
        for level in levels:
            results = []
            for number in range(args.rounds):
                with tempfile.TemporaryDirectory() as folder:
                    location = (postgres_location(url) if url
                                else str(Path(folder) / "mirror.sqlite3"))
                    assert location is not None
                    log(f"{name}, concurrency {level}, round {number + 1}")
                    try:
                        results.append(delivery_round(location, args.events, level))
                    finally:
                        if url:
                            drop_schema(url, location)
            seconds = median([r["seconds"] for r in results])
            report.rows.append([name, level, args.events, seconds, args.events / seconds,
                                max(r["received"] for r in results)])
            report.figures[f"{name}-{level}"] = results
    costs = commit_costs(args.events, args.rounds)
    base = median(costs["nobody listening"])
    report.notes.append("Commit cost per record (SQLite mirror, pages of 200, median of "
                        f"{args.rounds}, sides alternating):\n")
    for side_name, values in costs.items():
        per_record = median(values) / args.events * 1e6
        report.notes.append(f"- {side_name}: {per_record:.1f} us per record "
                            f"({median(values) / base:.2f}x)")
    report.figures["commit_seconds"] = costs
    report.show()
    report.save()


if __name__ == "__main__":
    main()
