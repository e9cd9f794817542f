"""``unified-accounting sync``: copy what changed into a SQLite mirror, with progress."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from unified_accounting.cli.options import (
    ClientOptions,
    RequestCounter,
    client_options,
    json_option,
    open_client,
)
from unified_accounting.cli.output import echo_json, echo_table
from unified_accounting.client import Client
from unified_accounting.syncing import RESOURCES, SQLiteMirror, StreamResult, Syncer, SyncProgress

__all__ = ["summary_rows", "sync"]


class ProgressBars:
    """One progress bar per stream on stderr, filled as pages are committed.

    Streams are synced one after another (one worker), so one bar is open at a time.
    """

    def __init__(self, labelled_by_business: bool, hidden: bool) -> None:
        self._by_business = labelled_by_business
        self._hidden = hidden
        self._bar: Any = None  # click's progress bar type is private

    def __call__(self, event: SyncProgress) -> None:
        if event.phase == "page":
            bar = self._bar or self._open(event)
            if event.total is not None and event.total != bar.length:
                bar.length = max(event.total, event.fetched, 1)
            bar.update(max(0, event.fetched - bar.pos))
        elif event.phase in ("finished", "skipped", "failed"):
            self.close()

    def _open(self, event: SyncProgress) -> Any:
        label = event.resource.ljust(16)
        if self._by_business:
            label = f"{event.scope.business_id[:12]}  {label}"
        bar = click.progressbar(
            length=max(event.total or 0, 1), label=label, show_pos=True, show_eta=False,
            file=sys.stderr, hidden=self._hidden)
        bar.__enter__()
        self._bar = bar
        return bar

    def close(self) -> None:
        """Finish the open bar, if any."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _mode(stream: StreamResult) -> str:
    if stream.skipped:
        return "skipped"
    if stream.resumed:
        return "resumed"
    return "full" if stream.full else "changes"


def summary_rows(streams: Sequence[StreamResult]) -> list[dict[str, Any]]:
    """One JSON-ready summary per stream (what ``--json`` prints)."""
    return [
        {
            "business_id": s.scope.business_id, "resource": s.resource, "mode": _mode(s),
            "fetched": s.fetched, "inserted": s.inserted, "updated": s.updated,
            "unchanged": s.unchanged, "deleted": s.deleted, "pages": s.pages,
            "deletion_checks": s.deletion_checks, "passes": s.passes, "shifted": s.shifted,
            "error": None if s.error is None else str(s.error),
        }
        for s in streams
    ]


def _resources(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(RESOURCES))
    if unknown or not names:
        raise click.BadParameter(
            f"unknown resources {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(RESOURCES)}", param_hint="--resources")
    return names


def _clients(client: Client, conn: ClientOptions) -> list[Client]:
    if len(conn.businesses) > 1:
        return [client.for_business(business) for business in conn.businesses]
    if client.business_id is None:
        raise click.UsageError("choose the business to sync with --business "
                               "(`unified-accounting businesses` lists them)")
    return [client]


@click.command()
@client_options(many_businesses=True)
@click.option("--mirror", "mirror_path", default="mirror.sqlite3", show_default=True,
              type=click.Path(dir_okay=False), help="SQLite file of the mirror.")
@click.option("--resources", "resource_list", default=",".join(RESOURCES), show_default=True,
              help="Comma-separated resources to sync.")
@click.option("--full", is_flag=True, help="Read every record again, not just the changes.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@json_option
def sync(conn: ClientOptions, mirror_path: str, resource_list: str, full: bool, quiet: bool,
         as_json: bool) -> None:
    """Sync records of one or more businesses into a local SQLite mirror.

    The first run reads everything; later runs read only what changed, and a run stopped at
    any moment resumes safely. Exits with 1 when any resource failed (the others still run).
    """
    resources = _resources(resource_list)
    many = len(conn.businesses) > 1
    bars = ProgressBars(many, hidden=quiet or as_json)
    counter = RequestCounter()
    with open_client(conn, select_business=not many, session=counter.session) as client, \
            SQLiteMirror(mirror_path) as mirror, counter.session:
        syncer = Syncer(mirror, resources=resources, max_workers=1, on_progress=bars)
        try:
            result = syncer.run(_clients(client, conn), full=full)
        finally:
            bars.close()
    rows = summary_rows(result.streams)
    if as_json:
        echo_json({"requests": counter.count, "streams": rows})
    else:
        _print_summary(rows, many)
        click.echo(f"{counter.count} requests.")
    if not result.ok:
        raise click.ClickException(f"{len(result.failed)} of {len(rows)} streams failed")


def _print_summary(rows: list[dict[str, Any]], many: bool) -> None:
    headers = ["resource", "mode", "fetched", "inserted", "updated", "unchanged", "deleted",
               "pages", "status"]
    if many:
        headers.insert(0, "business_id")
    table = [[row[h] for h in headers[:-1]] + [row["error"] or "ok"] for row in rows]
    echo_table(headers, table)
