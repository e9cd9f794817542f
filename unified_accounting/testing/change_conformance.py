"""Contract tests of a mirror that reports changes (``emits_changes``), for every such mirror.

Use it like :class:`~unified_accounting.testing.mirror_conformance.MirrorConformance`::

    class TestMyMirrorChanges(ChangeEventConformance):
        @pytest.fixture
        def ua_mirror_factory(self, tmp_path):
            return lambda **options: MyMirror(tmp_path / "m.db", **options)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from unified_accounting.events.model import ChangeEvent
from unified_accounting.models import DeletedRecord
from unified_accounting.syncing.cursor import StreamState
from unified_accounting.syncing.mirror import Mirror, MirrorItem, Scope, StreamKey
from unified_accounting.testing.mirror_conformance import MirrorFixtures

__all__ = ["ChangeEventConformance"]

T0 = datetime(2024, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)
SEC = timedelta(seconds=1)
GB = Scope("sage", "acme", "biz-gb")
KEY = StreamKey(GB, "contacts")


def _item(record_id: str, at: datetime, name: str = "Acme") -> MirrorItem:
    return MirrorItem(id=record_id, updated_at=at,
                      data={"id": record_id, "name": name, "updated_at": at.isoformat()},
                      remote_data={"id": record_id, "displayed_as": name})


class _Heard:
    """An ``on_change`` listener that keeps what it hears and can be told to fail."""

    def __init__(self) -> None:
        self.events: list[ChangeEvent] = []
        self.fail_on: str | None = None

    def __call__(self, event: ChangeEvent) -> None:
        if event.record_id == self.fail_on:
            raise RuntimeError(f"listener refused {event.record_id}")
        self.events.append(event)

    def take(self) -> list[tuple[str, str]]:
        heard = [(event.type, event.record_id) for event in self.events]
        self.events.clear()
        return heard


class ChangeEventConformance(MirrorFixtures):
    """Change-event tests every mirror with ``emits_changes`` passes."""

    def test_the_mirror_says_it_reports_changes(self, ua_mirror: Mirror) -> None:
        assert ua_mirror.emits_changes

    def test_new_rows_are_created_changed_digests_updated_rereads_nothing(
        self, ua_mirror: Mirror
    ) -> None:
        heard = _Heard()
        ua_mirror.commit(KEY, state=StreamState(), upserts=[_item("a", T0), _item("b", T0)],
                         on_change=heard)
        assert heard.take() == [("contacts.created", "a"), ("contacts.created", "b")]
        ua_mirror.commit(KEY, state=StreamState(), on_change=heard, upserts=[
            _item("a", T0), _item("b", T0 + SEC, "Acme 2"), _item("b", T0, "stale")])
        assert heard.take() == [("contacts.updated", "b")]

    def test_an_event_carries_the_unified_record_and_its_scope(self, ua_mirror: Mirror) -> None:
        heard = _Heard()
        ua_mirror.commit(KEY, state=StreamState(), upserts=[_item("a", T0)], on_change=heard)
        event = heard.events[0]
        assert (event.provider, event.connection, event.business_id) == ("sage", "acme",
                                                                          "biz-gb")
        assert (event.resource, event.action, event.occurred_at) == ("contacts", "created", T0)
        assert event.data == {"id": "a", "name": "Acme", "updated_at": T0.isoformat()}
        assert event.to_json()["type"] == "contacts.created"
        assert event.id.startswith("evt_")

    def test_a_deletion_is_an_event_with_the_last_data_once(self, ua_mirror: Mirror) -> None:
        heard = _Heard()
        ua_mirror.commit(KEY, state=StreamState(), upserts=[_item("a", T0, "Last")])
        gone = DeletedRecord(id="a", deleted_at=T0 + 5 * SEC)
        ua_mirror.commit(KEY, state=StreamState(), deletions=[gone], on_change=heard)
        ua_mirror.commit(KEY, state=StreamState(), deletions=[gone], on_change=heard)
        [event] = heard.events
        assert (event.type, event.occurred_at) == ("contacts.deleted", T0 + 5 * SEC)
        assert event.data is not None
        assert event.data["name"] == "Last"

    def test_a_deletion_of_an_id_never_seen_has_no_data(self, ua_mirror: Mirror) -> None:
        heard = _Heard()
        ua_mirror.commit(KEY, state=StreamState(), on_change=heard,
                         deletions=[DeletedRecord(id="ghost", deleted_at=T0)])
        assert [(e.type, e.data) for e in heard.events] == [("contacts.deleted", None)]

    def test_a_listener_that_raises_rolls_the_page_back_and_the_retry_repeats_the_ids(
        self, ua_mirror: Mirror
    ) -> None:
        heard = _Heard()
        heard.fail_on = "b"
        page = [_item("a", T0), _item("b", T0)]
        with pytest.raises(RuntimeError, match="listener refused b"):
            ua_mirror.commit(KEY, state=StreamState(synced_until=T0), upserts=page,
                             on_change=heard)
        first_ids = [event.id for event in heard.events]
        assert ua_mirror.count(GB, "contacts") == 0
        assert ua_mirror.load_state(KEY) == StreamState()
        heard.fail_on, heard.events = None, []
        ua_mirror.commit(KEY, state=StreamState(synced_until=T0), upserts=page,
                         on_change=heard)
        assert [event.id for event in heard.events][:1] == first_ids
        assert ua_mirror.count(GB, "contacts") == 2

    def test_ids_differ_for_each_change_of_one_record(self, ua_mirror: Mirror) -> None:
        heard = _Heard()
        for step, name in enumerate(("A", "B", "A")):
            ua_mirror.commit(KEY, state=StreamState(), on_change=heard,
                             upserts=[_item("a", T0 + step * SEC, name)])
        ids = [event.id for event in heard.events]
        assert len(set(ids)) == 3

    def test_a_row_written_without_a_listener_is_known_to_the_next_listener(
        self, ua_mirror: Mirror
    ) -> None:
        heard = _Heard()
        ua_mirror.commit(KEY, state=StreamState(), upserts=[_item("a", T0)])
        ua_mirror.commit(KEY, state=StreamState(), on_change=heard,
                         upserts=[_item("a", T0), _item("a", T0 + SEC, "Renamed")])
        assert heard.take() == [("contacts.updated", "a")]
