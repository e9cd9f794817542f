"""Pure cursor policy of incremental sync: which window to read next, and what a read vouches for.

Vocabulary used throughout the sync package:

- A *window* is one pass over a resource's list filtered by ``updated_since`` (inclusive), read
  page by page. Its *signpost* is this host's clock when the pass started: once every page has
  been committed, the mirror holds every change the provider made before the signpost.
- ``synced_until`` is the signpost of the last completed window. The next window starts at
  ``synced_until - overlap``; the overlap absorbs clock skew between this host and the provider
  and records that the provider makes visible a little after stamping them.
- While a window is open, the mirror stores how many pages are committed and a digest of the
  ids on the last one, in the same transaction as the page itself. A new run resumes the window
  at that page only if the page still holds the same ids; otherwise the window is read again.
  Once a resumed window is complete, the next window follows in the same run (see
  :mod:`unified_accounting.syncing.stream`).
- ``deletions_until`` plays the same role for the provider's deleted-records feed, whose
  ``since`` is exclusive.

Nothing here does I/O or reads a clock: callers pass ``now`` in, so every rule is testable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from unified_accounting.utctime import parse_utc, utc_text

__all__ = [
    "DEFAULT_OVERLAP",
    "StreamState",
    "Window",
    "WindowPlan",
    "after_page",
    "begin_window",
    "complete_window",
    "deletion_since",
    "page_digest",
    "plan_window",
    "probe_since",
    "restart_window",
    "skip_unchanged",
    "state_from_json",
    "state_to_json",
]

DEFAULT_OVERLAP = timedelta(seconds=60)
"""How far before the last signpost the next window starts (see docs/sync.md for the choice)."""


@dataclass(frozen=True, kw_only=True)
class Window:
    """One pass over a resource's changes, possibly spread over several runs.

    Args:
        since: the inclusive ``updated_since`` sent for every page; ``None`` reads everything.
        signpost: this host's clock when the pass started.
        page_size: items per page; a resume with another page size starts the pass again.
        pages_done: pages committed so far, counted from 1.
        last_page_digest: :func:`page_digest` of the ids on page ``pages_done``.
    """

    since: datetime | None
    signpost: datetime
    page_size: int
    pages_done: int = 0
    last_page_digest: str | None = None


@dataclass(frozen=True, kw_only=True)
class StreamState:
    """What the mirror remembers about one (provider, connection, business, resource).

    Args:
        synced_until: signpost of the last completed window; ``None`` before the first one.
        deletions_until: signpost of the last completed deleted-records check.
        window: the pass in progress, if a run stopped in the middle of one.
    """

    synced_until: datetime | None = None
    deletions_until: datetime | None = None
    window: Window | None = None


@dataclass(frozen=True, kw_only=True)
class WindowPlan:
    """The pass a run is about to make.

    Args:
        window: the pass, new or resumed.
        start_page: the first page to request.
        verify_digest: when resuming, the digest page ``start_page`` must still have; that page
            was committed already and is fetched only to prove the pages have not shifted.
    """

    window: Window
    start_page: int
    verify_digest: str | None = None

    @property
    def resumed(self) -> bool:
        """Whether this plan continues a pass an earlier run left open."""
        return self.verify_digest is not None


def plan_window(
    state: StreamState, *, now: datetime, overlap: timedelta, page_size: int, full: bool = False
) -> WindowPlan:
    """Decide which pass to make next.

    Args:
        state: the stream's saved state.
        now: this host's clock, used as the signpost of a new pass.
        overlap: how far before ``synced_until`` a new pass starts.
        page_size: items per page for a new pass.
        full: read everything again, ignoring the saved cursor and any open pass.

    Returns:
        A plan that resumes the open pass when one exists with the same page size, else starts
        a new one (everything on the first run or with ``full``, otherwise the changes since
        ``synced_until - overlap``).
    """
    _require_aware(now)
    open_window = state.window
    if (
        not full
        and open_window is not None
        and open_window.pages_done > 0
        and open_window.page_size == page_size
        and open_window.last_page_digest is not None
    ):
        return WindowPlan(
            window=open_window,
            start_page=open_window.pages_done,
            verify_digest=open_window.last_page_digest,
        )
    since = None if full or state.synced_until is None else state.synced_until - overlap
    return WindowPlan(window=Window(since=since, signpost=now, page_size=page_size), start_page=1)


def restart_window(window: Window, *, now: datetime) -> Window:
    """Start a pass again from page 1 after its resume point moved.

    The same ``since`` is kept; the signpost becomes ``now`` because every page is read again
    after it.
    """
    _require_aware(now)
    return Window(since=window.since, signpost=now, page_size=window.page_size)


def after_page(window: Window, *, page_number: int, digest: str) -> Window:
    """Return the pass as it stands once ``page_number`` is committed (saved in that commit)."""
    if page_number < 1:
        raise ValueError("page numbers start at 1")
    return replace(window, pages_done=page_number, last_page_digest=digest)


def begin_window(state: StreamState, window: Window) -> StreamState:
    """Return the state the pages of ``window`` are committed under.

    The deletion cursor starts with the first window that commits anything: records in the
    mirror can only have been deleted after the window that brought them in began.
    """
    if state.deletions_until is not None:
        return state
    return replace(state, deletions_until=window.signpost)


def complete_window(state: StreamState, window: Window) -> StreamState:
    """Return the state once every page of ``window`` is committed.

    The cursor moves to the window's signpost, never to the newest ``updated_at`` seen: a
    record changed during the pass may have been read in its old version on an early page
    while a newer record was read on a later one.
    """
    deletions_until = state.deletions_until or window.signpost
    return StreamState(synced_until=window.signpost, deletions_until=deletions_until, window=None)


def deletion_since(
    state: StreamState, window: Window, *, resumed: bool, overlap: timedelta
) -> datetime | None:
    """Where the deleted-records check after ``window`` starts (exclusive), or ``None`` to skip it.

    Args:
        state: the state the window's pages were committed under (see :func:`begin_window`).
        window: the pass just completed.
        resumed: whether part of the window was read by an earlier run.
        overlap: the same overlap as for windows.

    Returns:
        ``None`` when the deletion cursor was born with this very window and every page of it
        was read in this run (nothing in the mirror predates the read); otherwise the deletion
        cursor minus the overlap.
    """
    if state.deletions_until is None:
        return window.signpost - overlap
    if state.deletions_until == window.signpost and not resumed:
        return None
    return state.deletions_until - overlap


def skip_unchanged(state: StreamState, *, now: datetime) -> StreamState:
    """Move both cursors to ``now`` for a resource the provider said has not changed.

    ``now`` must have been taken before the provider was asked.
    """
    _require_aware(now)
    if state.synced_until is None or state.window is not None:
        raise ValueError("only a resource with a completed window can be skipped")
    return StreamState(synced_until=now, deletions_until=now, window=None)


def probe_since(state: StreamState, overlap: timedelta) -> datetime | None:
    """The earliest change a change probe must cover for this stream to be skipped, if it may be."""
    if state.synced_until is None or state.window is not None:
        return None
    earliest = min(state.synced_until, state.deletions_until or state.synced_until)
    return earliest - overlap


def page_digest(ids: Iterable[str]) -> str:
    """A short fingerprint of the ids on one page, in the order the provider returned them."""
    hasher = hashlib.sha256()
    for record_id in ids:
        hasher.update(record_id.encode("utf-8"))
        hasher.update(b"\x00")
    return hasher.hexdigest()[:32]


def state_to_json(state: StreamState) -> dict[str, Any]:
    """Turn a state into plain JSON values, for mirrors that store it as text."""
    window = state.window
    return {
        "synced_until": utc_text(state.synced_until),
        "deletions_until": utc_text(state.deletions_until),
        "window": None
        if window is None
        else {
            "since": utc_text(window.since),
            "signpost": utc_text(window.signpost),
            "page_size": window.page_size,
            "pages_done": window.pages_done,
            "last_page_digest": window.last_page_digest,
        },
    }


def state_from_json(data: Mapping[str, Any]) -> StreamState:
    """Read a state written by :func:`state_to_json`."""
    raw_window = data.get("window")
    window = None
    if raw_window:
        signpost = parse_utc(raw_window["signpost"])
        if signpost is None:
            raise ValueError("a saved window has no signpost")
        window = Window(
            since=parse_utc(raw_window.get("since")),
            signpost=signpost,
            page_size=int(raw_window["page_size"]),
            pages_done=int(raw_window.get("pages_done", 0)),
            last_page_digest=raw_window.get("last_page_digest"),
        )
    return StreamState(
        synced_until=parse_utc(data.get("synced_until")),
        deletions_until=parse_utc(data.get("deletions_until")),
        window=window,
    )


def _require_aware(value: datetime) -> None:
    # A naive datetime would be compared with the provider's UTC timestamps as if it were UTC,
    # silently shifting the cursor by the host's UTC offset.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("sync clocks must return timezone-aware datetimes")
