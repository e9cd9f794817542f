"""The demo's sync step: a full run into a SQLite mirror, one change, and a run that reads it."""

from __future__ import annotations

import time
from collections.abc import Sequence

import unified_accounting as ua
from unified_accounting.cli.options import RequestCounter
from unified_accounting.cli.output import echo_table
from unified_accounting.cli.sync import summary_rows
from unified_accounting.syncing import SQLiteMirror, StreamResult, Syncer, SyncResult
from unified_accounting_sage.demo.steps import say
from unified_accounting_sage.demo.target import DemoTarget

__all__ = ["sync_twice"]

_COLUMNS = ("resource", "mode", "fetched", "inserted", "updated", "unchanged", "deleted",
            "pages")


def _table(streams: Sequence[StreamResult]) -> None:
    echo_table(_COLUMNS, [[row[c] for c in _COLUMNS] for row in summary_rows(streams)])


def _next_second() -> None:
    # Sage stamps records to the second and the window bound is inclusive, so a run that
    # starts in the second of the last write would read that write again next time.
    time.sleep(1 - time.time() % 1)


def sync_twice(client: ua.Client, target: DemoTarget, contact: ua.Contact,
               counter: RequestCounter) -> tuple[SyncResult, SyncResult]:
    """Sync every resource, change the customer, and sync again: only the change is read."""
    with SQLiteMirror(target.folder / "mirror.sqlite3") as mirror:
        syncer = Syncer(mirror, overlap=target.overlap, max_workers=1)
        if not target.overlap:
            _next_second()
        before = counter.count
        first = syncer.run(client)
        first.raise_for_errors()
        say(f"First sync into a SQLite mirror: {counter.count - before} requests, one per page "
            "(invoices are two Sage lists: sales and purchases):")
        _table(first.streams)
        client.contacts.update(contact.id or "", {"notes": "Prefers email"})
        say(f"Changed one record: the notes of customer {contact.reference}.")
        before = counter.count
        second = syncer.run(client)
        second.raise_for_errors()
        say(f"Second sync: {counter.count - before} requests, a page per list and a check of "
            "each deleted-records feed:")
        _table(second.streams)
    changed = [s.resource for s in second.streams if s.updated or s.inserted or s.deleted]
    say(f"Only the change came back: {second.total('updated')} record updated in "
        f"{', '.join(changed) or 'no resource'}; {second.total('fetched')} fetched in all.")
    return first, second
