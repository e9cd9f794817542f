"""What a sync run reports: progress events while it runs, a summary when it ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from unified_accounting.syncing.mirror import CommitCounts, Scope

__all__ = ["ProgressCallback", "StreamResult", "SyncProgress", "SyncResult"]

Phase = Literal["started", "page", "deletions", "skipped", "finished", "failed"]


@dataclass(frozen=True, kw_only=True)
class SyncProgress:
    """One progress event of one stream (a resource of one business).

    Args:
        scope: whose records.
        resource: which resource.
        phase: ``started``; ``page`` after each committed page; ``deletions`` after the
            deleted-records check; then ``finished``, ``skipped`` (the provider's change probe
            said nothing changed) or ``failed``.
        fetched: records received so far.
        total: the provider's count of records in this pass, when it gives one.
        pages: list pages fetched so far.
    """

    scope: Scope
    resource: str
    phase: Phase
    fetched: int = 0
    total: int | None = None
    pages: int = 0


ProgressCallback = Callable[[SyncProgress], None]
"""Called from worker threads; keep it quick and thread-safe."""


@dataclass(kw_only=True)
class StreamResult:
    """The summary of one stream.

    Args:
        fetched: records received from list pages (including re-reads of the overlap).
        inserted, updated, unchanged: what those records did to the mirror.
        deleted: records newly marked deleted.
        pages: list pages fetched (one request each when the client pages itself).
        deletion_checks: deleted-records checks made (one request each unless very many).
        passes: passes over the window (more than one when the list shifted while read).
        full: the pass read every record rather than the changes since the last run.
        resumed: the pass continued one an interrupted run left open.
        shifted: the list kept shifting in every pass, so the cursor was not moved.
        skipped: the provider's change probe said there was nothing to read.
        error: what stopped this stream, if anything did.
    """

    scope: Scope
    resource: str
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    pages: int = 0
    deletion_checks: int = 0
    passes: int = 0
    full: bool = False
    resumed: bool = False
    shifted: bool = False
    skipped: bool = False
    error: BaseException | None = None

    @property
    def requests(self) -> int:
        """List pages plus deleted checks: the requests this stream made, as far as known."""
        return self.pages + self.deletion_checks

    def add(self, counts: CommitCounts) -> None:
        """Add one commit's counts."""
        self.inserted += counts.inserted
        self.updated += counts.updated
        self.unchanged += counts.unchanged
        self.deleted += counts.deleted


@dataclass
class SyncResult:
    """The summary of a run: one :class:`StreamResult` per business and resource, in order."""

    streams: list[StreamResult] = field(default_factory=list)

    @property
    def failed(self) -> list[StreamResult]:
        """Streams that stopped with an error."""
        return [stream for stream in self.streams if stream.error is not None]

    @property
    def ok(self) -> bool:
        """Whether every stream finished."""
        return not self.failed

    def total(self, name: Literal["fetched", "inserted", "updated", "unchanged", "deleted",
                                  "pages", "deletion_checks", "requests"]) -> int:
        """Sum one counter over all streams, e.g. ``result.total("inserted")``."""
        return sum(int(getattr(stream, name)) for stream in self.streams)

    def raise_for_errors(self) -> None:
        """Raise the first stream's error, if any stream failed."""
        for stream in self.streams:
            if stream.error is not None:
                raise stream.error
