from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified_accounting.syncing.cursor import (
    StreamState,
    Window,
    after_page,
    begin_window,
    complete_window,
    deletion_since,
    page_digest,
    plan_window,
    probe_since,
    restart_window,
    skip_unchanged,
    state_from_json,
    state_to_json,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_first_run_reads_everything_from_page_one() -> None:
    plan = plan_window(StreamState(), now=T0, overlap=MINUTE, page_size=200)
    assert plan.window == Window(since=None, signpost=T0, page_size=200)
    assert plan.start_page == 1
    assert not plan.resumed


def test_later_run_starts_overlap_before_last_signpost() -> None:
    state = StreamState(synced_until=T0, deletions_until=T0)
    plan = plan_window(state, now=T0 + 10 * MINUTE, overlap=MINUTE, page_size=200)
    assert plan.window.since == T0 - MINUTE
    assert plan.window.signpost == T0 + 10 * MINUTE


def test_open_window_is_resumed_at_its_last_committed_page() -> None:
    window = Window(since=T0, signpost=T0 + MINUTE, page_size=200, pages_done=3,
                    last_page_digest="abc")
    state = StreamState(synced_until=T0 + MINUTE, window=window)
    plan = plan_window(state, now=T0 + 9 * MINUTE, overlap=MINUTE, page_size=200)
    # The old signpost is kept: pages 1-3 were read before it moved on.
    assert plan.window is window
    assert plan.start_page == 3
    assert plan.verify_digest == "abc"
    assert plan.resumed


@pytest.mark.parametrize(("full", "page_size"), [(True, 200), (False, 50)])
def test_full_run_or_new_page_size_starts_a_new_window(full: bool, page_size: int) -> None:
    window = Window(since=T0, signpost=T0, page_size=200, pages_done=3, last_page_digest="abc")
    state = StreamState(synced_until=T0 + MINUTE, window=window)
    plan = plan_window(state, now=T0 + 5 * MINUTE, overlap=MINUTE, page_size=page_size, full=full)
    assert plan.start_page == 1
    assert not plan.resumed
    assert plan.window.since == (None if full else T0)
    assert plan.window.signpost == T0 + 5 * MINUTE


def test_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_window(StreamState(), now=datetime(2024, 1, 1), overlap=MINUTE, page_size=200)


def test_completed_window_moves_cursor_to_signpost_only() -> None:
    window = after_page(Window(since=None, signpost=T0, page_size=200), page_number=2, digest="d")
    state = complete_window(StreamState(), window)
    assert state == StreamState(synced_until=T0, deletions_until=T0, window=None)
    later = complete_window(state, Window(since=T0, signpost=T0 + MINUTE, page_size=200))
    assert later.synced_until == T0 + MINUTE
    assert later.deletions_until == T0  # the deletion cursor moves only after a check


def test_after_page_records_progress() -> None:
    window = after_page(Window(since=None, signpost=T0, page_size=200), page_number=4, digest="x")
    assert (window.pages_done, window.last_page_digest) == (4, "x")
    with pytest.raises(ValueError, match="start at 1"):
        after_page(window, page_number=0, digest="x")


def test_restart_keeps_since_and_moves_signpost() -> None:
    window = Window(since=T0, signpost=T0, page_size=200, pages_done=5, last_page_digest="x")
    again = restart_window(window, now=T0 + MINUTE)
    assert again == Window(since=T0, signpost=T0 + MINUTE, page_size=200)


def test_deletion_cursor_is_born_with_the_first_window_that_commits() -> None:
    first = Window(since=None, signpost=T0, page_size=200)
    assert begin_window(StreamState(), first).deletions_until == T0
    known = StreamState(synced_until=T0, deletions_until=T0 - MINUTE)
    assert begin_window(known, Window(since=T0, signpost=T0 + MINUTE, page_size=200)) is known


def test_deletion_check_skipped_only_when_nothing_in_the_mirror_predates_the_window() -> None:
    first = Window(since=None, signpost=T0, page_size=200)
    born = begin_window(StreamState(), first)
    assert deletion_since(born, first, resumed=False, overlap=MINUTE) is None
    # A window resumed from an earlier run may hold records deleted since it began.
    assert deletion_since(born, first, resumed=True, overlap=MINUTE) == T0 - MINUTE
    # A window started again later in the run: the first pass's records may be gone.
    again = restart_window(first, now=T0 + MINUTE)
    assert deletion_since(born, again, resumed=False, overlap=MINUTE) == T0 - MINUTE
    known = StreamState(synced_until=T0, deletions_until=T0 - 5 * MINUTE)
    later = Window(since=T0, signpost=T0 + MINUTE, page_size=200)
    assert deletion_since(known, later, resumed=False, overlap=MINUTE) == T0 - 6 * MINUTE


def test_skip_unchanged_and_probe_bounds() -> None:
    state = StreamState(synced_until=T0, deletions_until=T0 - MINUTE)
    assert probe_since(state, MINUTE) == T0 - 2 * MINUTE
    assert skip_unchanged(state, now=T0 + MINUTE) == StreamState(
        synced_until=T0 + MINUTE, deletions_until=T0 + MINUTE
    )
    assert probe_since(StreamState(), MINUTE) is None
    with pytest.raises(ValueError, match="completed window"):
        skip_unchanged(StreamState(), now=T0)


def test_page_digest_depends_on_ids_and_their_order() -> None:
    assert page_digest(["a", "b"]) == page_digest(iter(["a", "b"]))
    assert page_digest(["a", "b"]) != page_digest(["b", "a"])
    assert page_digest(["ab"]) != page_digest(["a", "b"])


_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(
    synced=st.none() | _times,
    deleted=st.none() | _times,
    since=st.none() | _times,
    signpost=_times,
    pages=st.integers(0, 10_000),
    digest=st.none() | st.text(min_size=1, max_size=40),
    with_window=st.booleans(),
)
def test_state_survives_json(
    synced: datetime | None, deleted: datetime | None, since: datetime | None,
    signpost: datetime, pages: int, digest: str | None, with_window: bool,
) -> None:
    window = Window(since=since, signpost=signpost, page_size=200, pages_done=pages,
                    last_page_digest=digest)
    state = StreamState(synced_until=synced, deletions_until=deleted,
                        window=window if with_window else None)
    assert state_from_json(state_to_json(state)) == state


@given(
    last_signpost=_times,
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
    overlap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=1)),
)
def test_next_window_starts_exactly_overlap_before_last_signpost(
    last_signpost: datetime, gap: timedelta, overlap: timedelta
) -> None:
    state = complete_window(StreamState(), Window(since=None, signpost=last_signpost,
                                                  page_size=200))
    plan = plan_window(state, now=last_signpost + gap, overlap=overlap, page_size=200)
    assert plan.window.since == last_signpost - overlap
    assert plan.window.signpost >= plan.window.since
