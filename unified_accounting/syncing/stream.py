"""Reading one stream (one resource of one business) into the mirror.

A *pass* reads a window's pages in order and commits each one with the window's progress. A
list paged by page number can shift under the reader: when a record that was already read is
deleted or moved by a change of its sort key, every later record moves up one place and one
of them is never served. A pass notices this when an id comes back on a later page or the
provider's total changes between pages; it is then read again from page 1 (the records already
committed stay; re-reads are recognised as unchanged). The cursor moves only after a pass that
did not shift.

A window resumed from an interrupted run vouches only for what changed before that run began.
A provider that lists records in the order they were created leaves a changed record where it
was, possibly on a page already committed, so the reader follows a resumed window with one more
window from its signpost; only then does the run vouch for everything before its own start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast

from unified_accounting.errors import ProviderError, UnsupportedOperationError
from unified_accounting.events.model import ChangeListener
from unified_accounting.models import DeletedRecord, Model
from unified_accounting.read_ahead import ReadAhead
from unified_accounting.syncing.cursor import (
    StreamState,
    Window,
    after_page,
    begin_window,
    complete_window,
    deletion_since,
    page_digest,
    plan_window,
    restart_window,
)
from unified_accounting.syncing.mirror import CommitCounts, Mirror, MirrorItem, Scope, StreamKey
from unified_accounting.syncing.results import Phase, StreamResult
from unified_accounting.syncing.source import (
    DeletedReader,
    SourcePage,
    StreamSource,
    SyncRecord,
    chunked,
    close_quietly,
)
from unified_accounting.utctime import as_utc
from unified_accounting.validation import dump_without_remote

__all__ = ["StreamReader"]

_log = logging.getLogger(__name__)


@dataclass
class _Pass:
    """One pass over a window: the pages still to read and what has been seen so far."""

    window: Window
    feed: Iterator[SourcePage]
    first_number: int
    resumed: bool
    seen: set[str] = field(default_factory=set)
    totals: set[int] = field(default_factory=set)
    shifted: bool = False

    @property
    def pages(self) -> Iterator[tuple[int, SourcePage]]:
        """The pages still to read, with their numbers."""
        return enumerate(self.feed, self.first_number)

    def note(self, ids: list[str], total: int | None) -> None:
        """Record a page's ids and total; a repeated id or a new total means the list moved."""
        if not self.shifted and not self.seen.isdisjoint(ids):
            self.shifted = True
        self.seen.update(ids)
        if total is not None:
            self.totals.add(total)
            self.shifted = self.shifted or len(self.totals) > 1


@dataclass
class StreamReader:
    """Reads one stream into the mirror; one instance per stream and run.

    Args:
        mirror: where pages and cursors are committed.
        key: the stream.
        source: how to read it from the client.
        result: the summary, updated as pages are committed.
        overlap, page_size, max_passes: the :class:`~unified_accounting.syncing.Syncer` options.
        now: this host's clock (aware UTC).
        emit: reports a progress phase, optionally with the provider's total.
        on_change: the sync's change listener, handed to every commit of records.
        read_ahead: fetch (and map) the next page on a background thread while this one is
            committed; at most one page ahead.
    """

    mirror: Mirror
    key: StreamKey
    source: StreamSource
    result: StreamResult
    overlap: timedelta
    page_size: int
    max_passes: int
    now: Callable[[], datetime]
    emit: Callable[[Phase, int | None], None]
    on_change: ChangeListener | None = None
    read_ahead: bool = True

    def _pages(self, window: Window, start_page: int) -> Iterator[SourcePage]:
        pages = self.source.read_pages(window.since, start_page, window.page_size)
        if not self.read_ahead:
            return pages
        return ReadAhead(pages, name="unified-accounting-sync-read-ahead")

    def _commit_records(self, state: StreamState, *, upserts: Sequence[MirrorItem] = (),
                        deletions: Sequence[DeletedRecord] = ()) -> CommitCounts:
        # on_change is passed only when set, so mirrors that report no changes (and so do not
        # take the argument) keep working.
        if self.on_change is None:
            return self.mirror.commit(self.key, state=state, upserts=upserts,
                                      deletions=deletions)
        return self.mirror.commit(self.key, state=state, upserts=upserts, deletions=deletions,
                                  on_change=self.on_change)

    def run(self, *, full: bool) -> None:
        """Read the next window (resuming an open one), then the deleted feed."""
        saved = self.mirror.load_state(self.key)
        plan = plan_window(
            saved, now=self.now(), overlap=self.overlap, page_size=self.page_size, full=full
        )
        before = begin_window(saved, plan.window)
        self.result.full = plan.window.since is None
        self.result.passes = 1
        current = self._open(plan.window, plan.start_page, plan.verify_digest)
        self.result.resumed = current.resumed
        finished = self._finish(current, before)
        if finished is None:
            return
        state, last = finished
        if last.resumed:
            # A resumed window vouches only for changes before the interrupted run began; a
            # record on one of its committed pages may have changed since without moving.
            # One more window, from that signpost, brings the mirror up to this run's start.
            caught_up = self._finish(self._open(self._next_window(state), 1, None), state)
            if caught_up is None:
                return
            state = caught_up[0]
        since = deletion_since(before, last.window, resumed=last.resumed, overlap=self.overlap)
        if self.source.read_deleted is not None and since is not None:
            self._check_deletions(self.source.read_deleted, state, since)

    def _next_window(self, state: StreamState) -> Window:
        """The window that follows a completed one, from its signpost minus the overlap."""
        plan = plan_window(state, now=self.now(), overlap=self.overlap, page_size=self.page_size)
        return plan.window

    def _finish(self, current: _Pass, before: StreamState) -> tuple[StreamState, _Pass] | None:
        """Read a window to its end, again when it shifts, and move the cursor.

        Returns:
            The state committed with the cursor and the pass that completed the window, or
            ``None`` when the list kept shifting (the cursor then stays where it was).
        """
        for attempt in range(1, self.max_passes + 1):
            self._read(current, before)
            if not current.shifted:
                break
            if attempt == self.max_passes:
                self._give_up(before)
                return None
            _log.info("%s of business %s shifted while being read; reading it again",
                      self.key.resource, self.key.scope.business_id)
            current = self._open(restart_window(current.window, now=self.now()), 1, None)
            self.result.passes += 1
        state = complete_window(before, current.window)
        self.mirror.commit(self.key, state=state)
        return state, current

    def _open(self, window: Window, start_page: int, verify_digest: str | None) -> _Pass:
        """Start a pass; a resumed window first proves its last committed page has not moved."""
        if verify_digest is not None:
            pages = self._pages(window, start_page)
            first = next(pages, None)
            if first is not None:
                self.result.pages += 1
                ids = [record.id or "" for record in first.items]
                if page_digest(ids) == verify_digest:
                    resumed = _Pass(window, pages, start_page + 1, resumed=True)
                    resumed.note(ids, first.total)
                    return resumed
            close_quietly(pages)
            # Records were added, removed or re-sorted before the resume point, so page numbers
            # no longer mean what they meant; only a new pass is safe.
            _log.info("%s of business %s moved since the interrupted run; reading it again",
                      self.key.resource, self.key.scope.business_id)
            window = restart_window(window, now=self.now())
        return _Pass(window, self._pages(window, 1), 1, resumed=False)

    def _read(self, current: _Pass, before: StreamState) -> None:
        try:
            self._commit_pages(current, before)
        finally:
            close_quietly(current.feed)  # stops a read-ahead thread if the pass broke off

    def _commit_pages(self, current: _Pass, before: StreamState) -> None:
        for number, page in current.pages:
            items = [_mirror_item(self.key.scope, record) for record in page.items]
            ids = [item.id for item in items]
            current.note(ids, page.total)
            current.window = after_page(current.window, page_number=number,
                                        digest=page_digest(ids))
            self.result.pages += 1
            self.result.fetched += len(items)
            # The page and the window's progress are saved in one transaction.
            state = replace(before, window=current.window)
            self.result.add(self._commit_records(state, upserts=items))
            self.emit("page", page.total)

    def _give_up(self, before: StreamState) -> None:
        # The committed records are real; only the cursor cannot vouch for this window.
        _log.warning("%s of business %s kept shifting while being read; the next run reads "
                     "it again", self.key.resource, self.key.scope.business_id)
        self.result.shifted = True
        self.mirror.commit(self.key, state=replace(before, window=None))

    def _check_deletions(self, read: DeletedReader, state: StreamState, since: datetime) -> None:
        started = self.now()
        self.result.deletion_checks += 1
        try:
            for batch in chunked(read(since), self.page_size):
                records = [_checked_deletion(self.key.scope, record) for record in batch]
                self.result.add(self._commit_records(state, deletions=records))
        except UnsupportedOperationError:
            self.result.deletion_checks -= 1
            _log.debug("%s offers no deleted feed; skipping the check", self.key.resource)
            return
        # Deletions after `started` are left for the next check, whose `since` is exclusive.
        self.mirror.commit(self.key, state=replace(state, deletions_until=started))
        self.emit("deletions", None)


def _mirror_item(scope: Scope, record: SyncRecord) -> MirrorItem:
    if not record.id:
        raise ProviderError("the provider listed a record without an id")
    _check_business(scope, record.business_id, record.id)
    updated_at = record.updated_at
    return MirrorItem(
        id=record.id,
        updated_at=None if updated_at is None else as_utc(updated_at),
        data=_unified_json(record),
        remote_data=record.remote_data,
    )


def _unified_json(record: SyncRecord) -> dict[str, Any]:
    # remote_data has its own column; the unified JSON is what ua.dump writes.
    return dump_without_remote(cast(Model, record))


def _checked_deletion(scope: Scope, record: DeletedRecord) -> DeletedRecord:
    _check_business(scope, record.business_id, record.id)
    if record.deleted_at is None:
        return record
    return replace(record, deleted_at=as_utc(record.deleted_at))


def _check_business(scope: Scope, business_id: str | None, record_id: str) -> None:
    # A record of another business must never enter this scope's rows.
    if business_id is not None and business_id != scope.business_id:
        raise ProviderError(
            f"record {record_id} belongs to business {business_id}, "
            f"not to the business being synced ({scope.business_id})"
        )


