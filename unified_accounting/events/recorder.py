"""Collecting one commit's changes inside the mirror's transaction, and handing them on.

A mirror that reports changes opens a :class:`ChangeRecorder` at the start of a commit (only
when someone listens: an in-process listener or a webhook endpoint), tells it each record it
inserts, updates or marks deleted, and calls :meth:`ChangeRecorder.finish` before its
transaction commits. ``finish`` builds the events, calls the listener with each one and hands
them to the durable sink (the mirror's event tables). Because all of this happens inside the
transaction, an exception from the listener or the sink rolls the page back: the page, its
cursor and its events are saved together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from unified_accounting.events.model import ChangeEvent, ChangeListener, RecordChange

__all__ = ["ChangeRecorder", "DataFetcher", "EventSink"]

EventSink = Callable[[Sequence[ChangeEvent]], None]
"""Writes events (and their deliveries) in the commit's transaction."""

DataFetcher = Callable[[Sequence[str]], Mapping[str, dict[str, Any] | None]]
"""Returns the unified JSON the mirror holds for record ids (for deletion events)."""


@dataclass
class ChangeRecorder:
    """The changes of one commit of one stream (a resource of one business).

    Args:
        provider, connection, business_id, resource: the stream.
        listener: the in-process subscriber, if any.
        sink: the durable event log, if any endpoint listens.
        fetch_data: reads the last data of records being marked deleted.
        clock: the detection time of the events (aware UTC).
    """

    provider: str
    connection: str
    business_id: str
    resource: str
    listener: ChangeListener | None = None
    sink: EventSink | None = None
    fetch_data: DataFetcher | None = None
    clock: Callable[[], datetime] = field(default=lambda: _utc_now())
    changes: list[RecordChange] = field(default_factory=list)

    def upserted(self, *, record_id: str, inserted: bool, data: dict[str, Any],
                 updated_at: datetime | None, before: str | None, after: str) -> None:
        """Note a row written: ``inserted`` for a new row, else an update of ``before``."""
        self.changes.append(RecordChange(
            record_id=record_id, action="created" if inserted else "updated", data=data,
            changed_at=updated_at, before=before, after=after))

    def deleted(self, *, record_id: str, deleted_at: datetime | None,
                before: str | None) -> None:
        """Note a row newly marked deleted (``before`` is its digest; ``None`` if unknown)."""
        self.changes.append(RecordChange(
            record_id=record_id, action="deleted", data=None, changed_at=deleted_at,
            before=before, after=None))

    def finish(self) -> list[ChangeEvent]:
        """Build the events, call the listener with each, write them to the sink; return them.

        Raises whatever the listener or the sink raises, which ends the commit unsaved.
        """
        if not self.changes:
            return []
        last_data = self._deleted_data()
        detected_at = self.clock()
        events = [
            ChangeEvent.from_change(
                provider=self.provider, connection=self.connection,
                business_id=self.business_id, resource=self.resource,
                change=change if change.action != "deleted" else _with_data(
                    change, last_data.get(change.record_id)),
                detected_at=detected_at)
            for change in self.changes
        ]
        if self.listener is not None:
            for event in events:
                self.listener(event)
        if self.sink is not None:
            self.sink(events)
        return events

    def _deleted_data(self) -> Mapping[str, dict[str, Any] | None]:
        known = [c.record_id for c in self.changes if c.action == "deleted" and c.before]
        if not known or self.fetch_data is None:
            return {}
        return self.fetch_data(known)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _with_data(change: RecordChange, data: dict[str, Any] | None) -> RecordChange:
    return RecordChange(record_id=change.record_id, action=change.action, data=data,
                        changed_at=change.changed_at, before=change.before, after=change.after)
