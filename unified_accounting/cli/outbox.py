"""``unified-accounting outbox``: run a delivery worker, and inspect, retry or cancel writes.

Every command opens the store ``--outbox`` names (a URL), else ``UNIFIED_ACCOUNTING_OUTBOX``,
else ``outbox.sqlite3`` in the user's data folder. ``run`` connects through the token store of
``UNIFIED_ACCOUNTING_TOKEN_STORE`` with ``UNIFIED_ACCOUNTING_PROVIDER_SETTINGS``.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from unified_accounting.cli.options import json_option
from unified_accounting.cli.output import echo_json, echo_table
from unified_accounting.outbox.items import STATUSES, OutboxItem, Status
from unified_accounting.outbox.registry import default_outbox, open_outbox
from unified_accounting.outbox.settings import OutboxSettings
from unified_accounting.outbox.store import OutboxStore
from unified_accounting.outbox.worker import OutboxWorker, RunSummary

__all__ = ["outbox"]

_outbox_option = click.option(
    "--outbox", "outbox_url", default=None, metavar="URL",
    help="The outbox store: sqlite:///path or postgresql://...?schema= "
         "(default: UNIFIED_ACCOUNTING_OUTBOX, else the user's data folder).")


@contextmanager
def _store(url: str | None) -> Iterator[OutboxStore]:
    store = open_outbox(url) if url else default_outbox()
    try:
        yield store
    finally:
        store.close()


@click.group("outbox")
def outbox() -> None:
    """Deliver queued writes, and inspect, retry or cancel them."""


@outbox.command("run")
@_outbox_option
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Writes this worker sends at once (each to another business).")
@click.option("--until-idle", is_flag=True,
              help="Stop as soon as no write is due (paused writes may remain).")
@click.option("--poll", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              help="Seconds to wait when no write is due.")
@click.option("--lease", type=click.FloatRange(min=0.1), default=None,
              help="Seconds a write stays with a worker that died sending it [60].")
@click.option("--max-failures", type=click.IntRange(min=1), default=None,
              help="Failed attempts (rate limits not counted) before a write is dead [8].")
@click.option("--backoff", type=click.FloatRange(min=0), default=None,
              help="The first wait after a failure, doubling each time [2].")
@click.option("--backoff-cap", type=click.FloatRange(min=0), default=None,
              help="The longest wait after a failure [600].")
@click.option("--call-retries", type=click.IntRange(min=0), default=None,
              help="Retries inside one attempt, with the same idempotency key [2].")
@click.option("--limiter", "limiter_url", default=None, metavar="REDIS_URL",
              help="Pace every request through the rate limiter shared in this Redis by all "
                   "workers and sync jobs [UNIFIED_ACCOUNTING_LIMITER_URL].")
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True, help="What the worker logs on stderr.")
@json_option
def run(outbox_url: str | None, threads: int, until_idle: bool, poll: float,
        lease: float | None, max_failures: int | None, backoff: float | None,
        backoff_cap: float | None, call_retries: int | None, limiter_url: str | None,
        loglevel: str, as_json: bool) -> None:
    """Deliver due writes until stopped (SIGTERM or Ctrl-C ends after the current ones)."""
    logging.basicConfig(level=loglevel.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = OutboxSettings.from_env().but(
        lease_seconds=lease, max_failures=max_failures, backoff_base=backoff,
        backoff_cap=backoff_cap, call_retries=call_retries, limiter_url=limiter_url)
    with _store(outbox_url or settings.outbox_url or None) as store:
        workers = [OutboxWorker(store, settings=settings) for _ in range(threads)]
        summaries = _run_all(workers, until_idle=until_idle, poll=poll)
    total = _total(summaries)
    if as_json:
        echo_json({"delivered": total.delivered, "failed": total.failed, "dead": total.dead,
                   "requeued": total.requeued, "taken_over": total.taken_over})
    else:
        click.echo(f"delivered {total.delivered}, failed {total.failed}, dead {total.dead}, "
                   f"requeued {total.requeued}, taken over {total.taken_over}", err=True)


def _run_all(workers: Sequence[OutboxWorker], *, until_idle: bool,
             poll: float) -> list[RunSummary]:
    summaries: list[RunSummary] = []

    def stop(signum: int, frame: Any) -> None:
        for worker in workers:
            worker.stop()

    previous = signal.signal(signal.SIGTERM, stop)
    threads = [threading.Thread(
        target=lambda w=worker: summaries.append(w.run(until_idle=until_idle,
                                                       poll_interval=poll)),
        name=f"ua-outbox-{number}", daemon=True) for number, worker in enumerate(workers)]
    try:
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            time.sleep(0.1)  # the main thread stays free for signals
    except KeyboardInterrupt:
        stop(signal.SIGINT, None)
        for thread in threads:
            thread.join()
    finally:
        signal.signal(signal.SIGTERM, previous)
        for worker in workers:
            worker.close()
    return summaries


def _total(summaries: Sequence[RunSummary]) -> RunSummary:
    total = RunSummary()
    for summary in summaries:
        for name in ("delivered", "failed", "dead", "requeued", "taken_over"):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
    return total


@outbox.command("list")
@_outbox_option
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this state.")
@click.option("--connection", default=None, help="Only this connection's writes.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--after", "after_seq", type=click.IntRange(min=0), default=0,
              help="Start after this SEQ (the last one a page showed).")
@json_option
def list_items(outbox_url: str | None, status: Status | None, connection: str | None,
               limit: int, after_seq: int, as_json: bool) -> None:
    """List queued writes in delivery order, with their state and last error."""
    with _store(outbox_url) as store:
        items = store.items(status=status, connection=connection, after_seq=after_seq,
                            limit=limit)
        counts = store.counts()
    if as_json:
        echo_json({"items": [item.summary() for item in items], "counts": counts})
        return
    echo_table(("seq", "id", "status", "write", "connection", "business", "attempts",
                "provider id", "error"),
               [(item.seq, item.id, item.status, f"{item.resource}.{item.action}",
                 item.connection, item.business_id, item.attempts, item.provider_id,
                 _error_line(item)) for item in items], empty="No writes.")
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()), err=True)


def _error_line(item: OutboxItem) -> str | None:
    if not item.error or item.status == "delivered":
        return None
    return f"{item.error.get('type')}: {item.error.get('message')}"[:80]


@outbox.command("show")
@_outbox_option
@click.argument("outbox_id")
def show(outbox_url: str | None, outbox_id: str) -> None:
    """Print one write as JSON: its state, attempts, error and the record it made."""
    with _store(outbox_url) as store:
        item = store.get(outbox_id)
    if item is None:
        raise click.ClickException(f"no outbox item {outbox_id!r}")
    echo_json({**item.summary(), "payload": item.payload, "options": dict(item.options),
               "result": item.result})


@outbox.command("retry")
@_outbox_option
@click.argument("outbox_ids", nargs=-1, required=True)
def retry(outbox_url: str | None, outbox_ids: tuple[str, ...]) -> None:
    """Send dead, failed or cancelled writes again (waiting ones: now)."""
    with _store(outbox_url) as store:
        for outbox_id in outbox_ids:
            item = store.retry(outbox_id, now=time.time())
            click.echo(f"{item.id} {item.status}")


@outbox.command("cancel")
@_outbox_option
@click.argument("outbox_ids", nargs=-1, required=True)
def cancel(outbox_url: str | None, outbox_ids: tuple[str, ...]) -> None:
    """Give up on writes that are not delivered; the writes after them go on."""
    with _store(outbox_url) as store:
        for outbox_id in outbox_ids:
            item = store.cancel(outbox_id, now=time.time())
            click.echo(f"{item.id} {item.status}")
