"""The mirror conformance suite: the same contract tests for every :class:`Mirror`.

Use it from a mirror's tests by giving a factory that opens the mirror on one empty store
(every call on the same store, so two instances can compete for a stream lock)::

    class TestMyMirror(MirrorConformance):
        @pytest.fixture
        def ua_mirror_factory(self, tmp_path):
            return lambda **options: MyMirror(tmp_path / "m.db", **options)

The factory must accept ``lock_timeout`` (seconds to wait for a stream lock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from unified_accounting.errors import ConflictError
from unified_accounting.models import DeletedRecord
from unified_accounting.syncing.cursor import StreamState, Window
from unified_accounting.syncing.mirror import CommitCounts, Mirror, MirrorItem, Scope, StreamKey

__all__ = ["MirrorConformance", "MirrorFactory", "MirrorFixtures"]

MirrorFactory = Callable[..., Mirror]

T0 = datetime(2024, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)
SEC = timedelta(seconds=1)
GB = Scope("sage", "default", "biz-gb")
IE = Scope("sage", "default", "biz-ie")


def _item(record_id: str, at: datetime | None, name: str = "Acme") -> MirrorItem:
    return MirrorItem(id=record_id, updated_at=at, data={"id": record_id, "name": name},
                      remote_data={"id": record_id, "displayed_as": name, "total": "12.50"})


class MirrorFixtures:
    """The fixtures of a mirror suite: a subclass provides ``ua_mirror_factory``."""

    @pytest.fixture
    def ua_mirror_factory(self) -> MirrorFactory:
        raise NotImplementedError("provide a ua_mirror_factory fixture")

    @pytest.fixture
    def ua_mirror(self, ua_mirror_factory: MirrorFactory) -> Iterator[Mirror]:
        mirror = ua_mirror_factory()
        try:
            yield mirror
        finally:
            mirror.close()


class MirrorConformance(MirrorFixtures):
    """Contract tests every mirror passes; subclass and provide ``ua_mirror_factory``."""

    def test_commit_counts_and_dedupes_by_id_and_updated_at(self, ua_mirror: Mirror) -> None:
        key = StreamKey(GB, "contacts")
        first = ua_mirror.commit(key, state=StreamState(), upserts=[_item("a", T0), _item("b", T0)])
        assert first == CommitCounts(inserted=2)
        again = ua_mirror.commit(key, state=StreamState(), upserts=[
            _item("a", T0), _item("b", T0 + SEC, "Acme 2"), _item("b", T0 + SEC, "Acme 2")])
        assert again == CommitCounts(updated=1, unchanged=2)
        stale = ua_mirror.commit(key, state=StreamState(), upserts=[_item("b", T0, "old")])
        assert stale == CommitCounts(unchanged=1)
        record = ua_mirror.get(GB, "contacts", "b")
        assert record is not None
        assert record.data == {"id": "b", "name": "Acme 2"}
        assert record.remote_data == {"id": "b", "displayed_as": "Acme 2", "total": "12.50"}
        assert record.updated_at == T0 + SEC
        assert record.synced_at.tzinfo is not None
        assert ua_mirror.count(GB, "contacts") == 2

    def test_clashing_ids_of_two_scopes_never_mix(self, ua_mirror: Mirror) -> None:
        other_connection = Scope("sage", "second", "biz-gb")
        other_provider = Scope("books", "default", "biz-gb")
        for scope, name in ((GB, "GB"), (IE, "IE"), (other_connection, "2nd"),
                            (other_provider, "books")):
            ua_mirror.commit(StreamKey(scope, "contacts"), state=StreamState(),
                             upserts=[_item("a", T0, name)])
        ua_mirror.commit(StreamKey(IE, "contacts"), state=StreamState(),
                         deletions=[DeletedRecord(id="a", deleted_at=T0 + SEC)])
        names = {scope: getattr(ua_mirror.get(scope, "contacts", "a"), "data", None)
                 for scope in (GB, other_connection, other_provider)}
        assert names == {GB: {"id": "a", "name": "GB"},
                         other_connection: {"id": "a", "name": "2nd"},
                         other_provider: {"id": "a", "name": "books"}}
        assert ua_mirror.get(IE, "contacts", "a") is None
        assert ua_mirror.count(IE, "contacts", include_deleted=True) == 1
        assert ua_mirror.count(GB, "invoices") == 0  # resources are separate too

    def test_deleted_records_are_marked_not_forgotten(self, ua_mirror: Mirror) -> None:
        key = StreamKey(GB, "invoices")
        ua_mirror.commit(key, state=StreamState(), upserts=[_item("a", T0), _item("b", T0)])
        counts = ua_mirror.commit(key, state=StreamState(), deletions=[
            DeletedRecord(id="a", deleted_at=T0 + SEC),
            DeletedRecord(id="a", deleted_at=T0 + SEC),
            DeletedRecord(id="never-seen", deleted_at=T0 + SEC),
        ])
        assert counts == CommitCounts(deleted=2)
        assert [r.id for r in ua_mirror.records(GB, "invoices")] == ["b"]
        every = {r.id: r for r in ua_mirror.records(GB, "invoices", include_deleted=True)}
        assert sorted(every) == ["a", "b", "never-seen"]
        assert (every["a"].deleted, every["a"].deleted_at) == (True, T0 + SEC)
        assert every["a"].data == {"id": "a", "name": "Acme"}  # the last known version is kept
        assert every["never-seen"].data is None
        assert ua_mirror.get(GB, "invoices", "a") is None
        assert ua_mirror.count(GB, "invoices", include_deleted=True) == 3
        back = ua_mirror.commit(key, state=StreamState(), upserts=[_item("a", T0 + 2 * SEC)])
        assert back == CommitCounts(updated=1)  # changed after its deletion: alive again
        assert ua_mirror.get(GB, "invoices", "a") is not None

    def test_state_is_saved_with_the_page_and_read_back(self, ua_mirror: Mirror) -> None:
        key = StreamKey(GB, "contacts")
        assert ua_mirror.load_state(key) == StreamState()
        state = StreamState(synced_until=T0, deletions_until=T0 - SEC, window=Window(
            since=T0 - SEC, signpost=T0 + SEC, page_size=200, pages_done=2,
            last_page_digest="x"))
        ua_mirror.commit(key, state=state, upserts=[_item("a", T0)])
        assert ua_mirror.load_state(key) == state
        assert ua_mirror.load_state(StreamKey(IE, "contacts")) == StreamState()
        assert ua_mirror.load_state(StreamKey(GB, "invoices")) == StreamState()

    def test_a_commit_that_fails_half_way_leaves_neither_records_nor_state(
        self, ua_mirror: Mirror
    ) -> None:
        key = StreamKey(GB, "contacts")
        ua_mirror.commit(key, state=StreamState(synced_until=T0), upserts=[_item("a", T0)])
        unstorable = MirrorItem(id="z", updated_at=T0, data={"bad": object()})
        with pytest.raises(TypeError):
            ua_mirror.commit(key, state=StreamState(synced_until=T0 + SEC),
                             upserts=[_item("a", T0 + SEC, "new"), _item("b", T0), unstorable])
        assert [r.id for r in ua_mirror.records(GB, "contacts", include_deleted=True)] == ["a"]
        kept = ua_mirror.get(GB, "contacts", "a")
        assert kept is not None
        assert kept.data == {"id": "a", "name": "Acme"}
        assert ua_mirror.load_state(key) == StreamState(synced_until=T0)

    def test_records_come_in_id_order_across_many_rows(self, ua_mirror: Mirror) -> None:
        key = StreamKey(GB, "contacts")
        ids = [f"c{n:04d}" for n in range(1_234)]
        for start in range(0, len(ids), 200):
            ua_mirror.commit(key, state=StreamState(),
                             upserts=[_item(i, T0) for i in reversed(ids[start:start + 200])])
        ua_mirror.commit(key, state=StreamState(),
                         deletions=[DeletedRecord(id="c0500", deleted_at=T0 + SEC)])
        assert [r.id for r in ua_mirror.records(GB, "contacts")] == [
            i for i in ids if i != "c0500"]
        assert ua_mirror.count(GB, "contacts", include_deleted=True) == len(ids)

    def test_unknown_resource_reads_as_empty(self, ua_mirror: Mirror) -> None:
        assert ua_mirror.count(GB, "journals") == 0
        assert list(ua_mirror.records(GB, "journals")) == []
        assert ua_mirror.get(GB, "journals", "x") is None

    def test_stream_lock_excludes_a_second_holder(self, ua_mirror_factory: MirrorFactory) -> None:
        one: Any = ua_mirror_factory()
        two: Any = ua_mirror_factory(lock_timeout=0.0)
        key = StreamKey(GB, "contacts")
        try:
            with one.stream_lock(key):
                with pytest.raises(ConflictError, match="still running"), two.stream_lock(key):
                    pass
                with two.stream_lock(StreamKey(IE, "contacts")), two.stream_lock(
                        StreamKey(GB, "invoices")):
                    pass  # another business or resource is not blocked
            with two.stream_lock(key):
                pass
        finally:
            one.close()
            two.close()

    def test_a_new_instance_reads_what_an_earlier_one_wrote(
        self, ua_mirror_factory: MirrorFactory
    ) -> None:
        key = StreamKey(GB, "contacts")
        first = ua_mirror_factory()
        first.commit(key, state=StreamState(synced_until=T0), upserts=[_item("a", T0)])
        first.close()
        second = ua_mirror_factory()
        try:
            assert second.load_state(key) == StreamState(synced_until=T0)
            assert [r.id for r in second.records(GB, "contacts")] == ["a"]
        finally:
            second.close()
