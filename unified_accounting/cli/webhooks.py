"""``unified-accounting webhooks``: register endpoints, deliver change events, inspect failures.

Every command works on the webhook tables beside a mirror: ``--mirror`` (or
``UNIFIED_ACCOUNTING_MIRROR``) names the SQLite file or the ``postgresql://`` URL the syncs
write to. A secret is printed once, when its endpoint is added; ``list`` never shows it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import click

from unified_accounting.cli.output import echo_json, echo_table
from unified_accounting.webhooks.registry import open_webhook_store
from unified_accounting.webhooks.store import Delivery, Endpoint, WebhookStore, redacted_url

__all__ = ["webhooks"]

_MIRROR_ENV = "UNIFIED_ACCOUNTING_MIRROR"


def _mirror_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--mirror", "mirror", envvar=_MIRROR_ENV, default="mirror.sqlite3", show_default=True,
        help=f"The mirror's SQLite file or postgresql:// URL (or ${_MIRROR_ENV}).")(command)


def _json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON instead of a table.")(command)


@contextmanager
def _store(mirror: str) -> Iterator[WebhookStore]:
    store = open_webhook_store(mirror)
    try:
        yield store
    finally:
        store.close()


def _when(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _endpoint_row(endpoint: Endpoint, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": endpoint.id, "url": redacted_url(endpoint.url),
        "event_types": list(endpoint.event_types) or ["*"], "connection": endpoint.connection,
        "description": endpoint.description, "created_at": _when(endpoint.created_at),
        "disabled": endpoint.disabled_reason, "pending": counts.get("pending", 0),
        "delivered": counts.get("delivered", 0), "failed": counts.get("failed", 0),
    }


def _delivery_row(delivery: Delivery) -> dict[str, Any]:
    return {
        "endpoint_id": delivery.endpoint_id, "event_id": delivery.event_id,
        "type": delivery.event_type, "record_id": delivery.record_id, "state": delivery.state,
        "attempts": delivery.attempts, "last_status": delivery.last_status,
        "last_error": delivery.last_error, "last_attempt_at": _when(delivery.last_attempt_at),
        "next_attempt_at": _when(delivery.due_at) if delivery.state == "pending" else None,
    }


@click.group("webhooks")
def webhooks() -> None:
    """Send change events to registered URLs, signed (Standard Webhooks)."""


@webhooks.command("add")
@click.argument("url")
@click.option("--type", "event_types", multiple=True, metavar="PATTERN",
              help="Events to send, e.g. invoices.created, contacts.*, *.deleted (repeatable; "
                   "default every event).")
@click.option("--connection", default=None, help="Only events of this connection.")
@click.option("--secret", default=None, metavar="whsec_...",
              help="Signing secret to use (default: a new random one, printed once).")
@click.option("--description", default=None, help="A note for people.")
@_mirror_option
@_json_option
def add(url: str, event_types: tuple[str, ...], connection: str | None, secret: str | None,
        description: str | None, mirror: str, as_json: bool) -> None:
    """Register URL to receive change events committed from now on."""
    with _store(mirror) as store:
        endpoint = store.add_endpoint(url, secret=secret, event_types=event_types,
                                      connection=connection, description=description)
    shown = {"id": endpoint.id, "url": redacted_url(endpoint.url),
             "secret": endpoint.secret.reveal()}  # shown once, to the person who added it
    if as_json:
        echo_json(shown)
        return
    click.echo(f"Added {endpoint.id} for {shown['url']}.")
    click.echo(f"Signing secret (shown only now): {shown['secret']}")


@webhooks.command("list")
@_mirror_option
@_json_option
def list_endpoints(mirror: str, as_json: bool) -> None:
    """List the endpoints and their deliveries by state (secrets are never shown)."""
    with _store(mirror) as store:
        counts = store.counts()
        rows = [_endpoint_row(e, counts.get(e.id, {})) for e in store.endpoints()]
    if as_json:
        echo_json(rows)
        return
    headers = ["id", "url", "event_types", "pending", "delivered", "failed", "disabled"]
    echo_table(headers, [[", ".join(r[h]) if h == "event_types" else r[h] for h in headers]
                         for r in rows], empty="No webhook endpoints.")


@webhooks.command("remove")
@click.argument("endpoint_id")
@_mirror_option
def remove(endpoint_id: str, mirror: str) -> None:
    """Delete an endpoint and every delivery queued for it."""
    with _store(mirror) as store:
        if not store.remove_endpoint(endpoint_id):
            raise click.ClickException(f"no webhook endpoint {endpoint_id}")
    click.echo(f"Removed {endpoint_id}.")


@webhooks.command("enable")
@click.argument("endpoint_id")
@_mirror_option
def enable(endpoint_id: str, mirror: str) -> None:
    """Resume an endpoint that was disabled (it answered 410 Gone)."""
    with _store(mirror) as store:
        if not store.set_disabled(endpoint_id, None):
            raise click.ClickException(f"no webhook endpoint {endpoint_id}")
    click.echo(f"Enabled {endpoint_id}.")


@webhooks.command("failed")
@click.option("--endpoint", "endpoint_id", default=None, help="Only this endpoint's.")
@click.option("--retrying", is_flag=True,
              help="Also deliveries still being retried after an error.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@_mirror_option
@_json_option
def failed(endpoint_id: str | None, retrying: bool, limit: int, mirror: str,
           as_json: bool) -> None:
    """List deliveries that failed for good (and, with --retrying, those still retrying)."""
    with _store(mirror) as store:
        found = store.deliveries(states=("failed",), endpoint_id=endpoint_id,
                                 with_errors=retrying, limit=limit)
    rows = [_delivery_row(d) for d in found]
    if as_json:
        echo_json(rows)
        return
    headers = ["endpoint_id", "event_id", "type", "record_id", "state", "attempts",
               "last_error", "next_attempt_at"]
    echo_table(headers, [[r[h] for h in headers] for r in rows],
               empty="No failed deliveries.")


@webhooks.command("retry")
@click.argument("event_ids", nargs=-1)
@click.option("--endpoint", "endpoint_id", default=None, help="Only this endpoint's.")
@_mirror_option
def retry(event_ids: tuple[str, ...], endpoint_id: str | None, mirror: str) -> None:
    """Queue failed deliveries again: those of EVENT_IDS, or every one."""
    with _store(mirror) as store:
        number = store.retry(endpoint_id=endpoint_id, event_ids=event_ids or None)
    click.echo(f"{number} deliveries queued again.")


@webhooks.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
              help="Requests in flight at once.")
@click.option("--poll", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              help="Seconds to wait when nothing is due.")
@click.option("--schedule", "schedule", default=None, metavar="SECONDS,...",
              help="Waits before each retry (default 5 s up to 24 h over three days).")
@click.option("--max-attempts", type=click.IntRange(min=1), default=None,
              help="Attempts before a delivery fails for good.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds to wait for an answer.")
@click.option("--keep-days", type=click.FloatRange(min=0), default=7.0, show_default=True,
              help="Forget delivered events older than this (checked at start and hourly).")
@_mirror_option
def deliver(once: bool, concurrency: int, poll: float, schedule: str | None,
            max_attempts: int | None, timeout: float, keep_days: float, mirror: str) -> None:
    """Deliver queued change events to their endpoints until stopped (SIGTERM or Ctrl-C)."""
    from unified_accounting.webhooks.delivery import Deliverer

    policy = _policy(schedule, max_attempts, timeout)
    stop = threading.Event()
    for handled in (signal.SIGTERM, signal.SIGINT):
        signal.signal(handled, lambda *_: stop.set())
    with _store(mirror) as store, Deliverer(store, policy=policy,
                                            concurrency=concurrency) as deliverer:
        stats = deliverer.stats
        while not stop.is_set():
            store.prune(older_than=time.time() - keep_days * 86400)
            stats = deliverer.run(stop=stop, poll=poll, until_idle=once, max_seconds=3600)
            if once:
                break
    click.echo(f"{stats.delivered} delivered, {stats.retried} to retry, "
               f"{stats.failed} failed for good.", err=True)


def _policy(schedule: str | None, max_attempts: int | None, timeout: float) -> Any:
    from unified_accounting.webhooks.delivery import DeliveryPolicy

    options: dict[str, Any] = {"read_timeout": timeout,
                               "lease": max(120.0, 4 * (timeout + 5))}
    if schedule:
        try:
            options["schedule"] = tuple(float(part) for part in schedule.split(","))
        except ValueError:
            raise click.BadParameter("give seconds separated by commas",
                                     param_hint="--schedule") from None
    if max_attempts is not None:
        options["max_attempts"] = max_attempts
    try:
        return DeliveryPolicy(**options)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--schedule") from None
