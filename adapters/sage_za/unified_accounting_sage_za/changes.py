"""Deletions without a deleted-items feed: ids that vanished from a full re-list.

v2 keeps no tombstones. Every time a handler reads a whole list it hands the ids it saw to
the connection's :class:`Snapshot`; ``list_deleted`` re-lists the ids (without lines, the
smallest answer) and reports every id seen before that is gone, stamped with the moment the
adapter noticed. Deletions made through the adapter are recorded at once. The snapshot lives
as long as the process: a process that never listed a record cannot notice its deletion.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from unified_accounting.models import DeletedRecord
from unified_accounting.provider import ProviderContext

__all__ = ["Snapshot", "snapshot_for"]


class Snapshot:
    """The ids a connection has seen per controller, and the deletions it noticed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, set[int]] = {}
        self._gone: dict[str, dict[int, datetime]] = {}

    def seen(self, controller: str, ids: Iterable[int]) -> None:
        """Remember ids read or written one by one."""
        with self._lock:
            self._known.setdefault(controller, set()).update(i for i in ids if i)

    def listed(self, controller: str, ids: set[int]) -> None:
        """A whole list was read: ids known before and missing now were deleted."""
        now = datetime.now(UTC)
        with self._lock:
            known = self._known.setdefault(controller, set())
            gone = self._gone.setdefault(controller, {})
            for vanished in known - ids:
                gone.setdefault(vanished, now)
            known.clear()
            known.update(i for i in ids if i)
            for back in ids & set(gone):
                del gone[back]

    def deleted(self, controller: str, sage_id: int) -> None:
        """A deletion made through the adapter."""
        with self._lock:
            self._known.setdefault(controller, set()).discard(sage_id)
            self._gone.setdefault(controller, {})[sage_id] = datetime.now(UTC)

    def deletions(self, controller: str, since: datetime) -> list[tuple[int, datetime]]:
        """Deletions noticed after ``since`` (exclusive)."""
        with self._lock:
            gone = self._gone.get(controller, {})
            return sorted((i, when) for i, when in gone.items() if when > since)

    def records(self, controller: str, since: datetime, business_id: str | None,
                prefix: str = "") -> Iterator[DeletedRecord]:
        """The deletions as unified records."""
        for sage_id, when in self.deletions(controller, since):
            yield DeletedRecord(id=f"{prefix}{sage_id}", business_id=business_id,
                                deleted_at=when)


def snapshot_for(context: ProviderContext, resource: str) -> Snapshot:
    """The connection's snapshot of one resource (kept in the connection's cache)."""
    key = f"sage_za.snapshot.{resource}"
    found = context.cache.get(key)
    if not isinstance(found, Snapshot):
        found = context.cache.setdefault(key, Snapshot())
    return found
