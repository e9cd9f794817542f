"""The mirror contract: where synced records and cursors live.

A mirror keeps, for each (provider, connection, business) scope and each resource, the latest
unified JSON and ``remote_data`` of every record, whether the provider has deleted it, and the
sync cursors. The sync engine talks to it through :class:`Mirror` only, so a product can point
sync at its own database by registering a class under the entry-point group
``unified_accounting.mirrors``. The library ships ``sqlite``.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, Literal

from unified_accounting.events.model import ChangeListener
from unified_accounting.models import DeletedRecord, Model
from unified_accounting.plugins import MIRROR_ENTRY_POINT_GROUP, load_plugin_class, plugin_names
from unified_accounting.provider import RESOURCE_KINDS
from unified_accounting.syncing.cursor import DEFAULT_OVERLAP, StreamState
from unified_accounting.validation import load

__all__ = [
    "FUTURE_TOLERANCE",
    "MIRROR_ENTRY_POINT_GROUP",
    "CommitCounts",
    "Mirror",
    "MirrorItem",
    "MirrorRecord",
    "Scope",
    "StoredVersion",
    "StreamKey",
    "available_mirrors",
    "deletion_applies",
    "encode_item",
    "item_digest",
    "load_mirror",
    "pass_time",
    "upsert_action",
]


UpsertAction = Literal["insert", "update", "unchanged"]


@dataclass(frozen=True)
class Scope:
    """Whose records these are: two scopes never share a row, even when ids clash."""

    provider: str
    connection: str
    business_id: str


@dataclass(frozen=True)
class StreamKey:
    """One resource of one scope: the unit that has its own cursor."""

    scope: Scope
    resource: str


@dataclass(frozen=True, kw_only=True)
class MirrorItem:
    """A listed record as the engine hands it to a mirror.

    Args:
        id: the provider's id.
        updated_at: the provider's last-change time (UTC), when it gives one.
        data: the unified JSON of the record, without ``remote_data``.
        remote_data: the provider's raw record, when the client kept it.
    """

    id: str
    updated_at: datetime | None
    data: dict[str, Any]
    remote_data: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class StoredVersion:
    """What a mirror already holds for one id: enough to decide whether an item is news."""

    updated_at: datetime | None
    digest: str | None
    deleted: bool
    deleted_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class MirrorRecord:
    """A record read back from a mirror.

    ``data`` is the unified JSON (``None`` for an id known only from the deleted feed);
    ``deleted`` stays true once the provider has reported the record deleted.
    """

    scope: Scope
    resource: str
    id: str
    updated_at: datetime | None
    deleted: bool
    deleted_at: datetime | None
    data: dict[str, Any] | None
    remote_data: dict[str, Any] | None
    synced_at: datetime

    def model(self) -> Model:
        """Return the record as its unified model (read with ``ua.load``), ``remote_data`` too.

        Raises:
            ValueError: the record is a bare tombstone (no data) or its resource has no
                unified model.
            ValidationError: the stored JSON breaks a rule of the model (providers can hold
                records the unified rules would refuse on input).
        """
        kind = RESOURCE_KINDS.get(self.resource)
        if kind is None:
            raise ValueError(f"{self.resource!r} records have no unified model")
        if self.data is None:
            raise ValueError(f"{self.resource} {self.id} is known only as deleted; it has no data")
        return load(kind, {**self.data, "remote_data": self.remote_data})


@dataclass(frozen=True)
class CommitCounts:
    """What one commit changed."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __add__(self, other: CommitCounts) -> CommitCounts:
        return CommitCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.deleted + other.deleted,
        )


class Mirror(ABC):
    """Storage for synced records and sync cursors.

    Implementations must make :meth:`commit` atomic: the engine relies on records and the
    cursor that vouches for them being saved together or not at all.

    A mirror that can report what a commit changed (see docs/events.md) sets
    :attr:`emits_changes` and honours ``on_change`` in :meth:`commit`; the engine passes
    ``on_change`` only when a sync has a change listener, so other mirrors never see it.
    """

    emits_changes: ClassVar[bool] = False

    @abstractmethod
    def load_state(self, key: StreamKey) -> StreamState:
        """Return the saved cursors of one stream (an empty state if it never ran)."""

    @abstractmethod
    def commit(
        self,
        key: StreamKey,
        *,
        state: StreamState,
        upserts: Sequence[MirrorItem] = (),
        deletions: Sequence[DeletedRecord] = (),
        on_change: ChangeListener | None = None,
    ) -> CommitCounts:
        """Apply listed records and deletions and save ``state``, in one transaction.

        Upserts follow :func:`upsert_action` and deletions :func:`deletion_applies`, item by
        item in order, so a page may safely repeat an id. A mirror that emits changes calls
        ``on_change`` with each record's :class:`~unified_accounting.events.ChangeEvent`
        inside the transaction, before it commits; if it raises, nothing is saved.

        Returns:
            How many rows were inserted, updated, left unchanged and newly marked deleted.
        """

    @abstractmethod
    def get(
        self, scope: Scope, resource: str, record_id: str, *, include_deleted: bool = False
    ) -> MirrorRecord | None:
        """Return one record, or ``None`` if it is unknown (or deleted, unless included)."""

    @abstractmethod
    def records(
        self, scope: Scope, resource: str, *, include_deleted: bool = False
    ) -> Iterator[MirrorRecord]:
        """Iterate over a resource's records of one scope, ordered by id."""

    @abstractmethod
    def count(self, scope: Scope, resource: str, *, include_deleted: bool = False) -> int:
        """Count a resource's records of one scope."""

    def stream_lock(self, key: StreamKey) -> AbstractContextManager[object]:
        """Hold this while syncing ``key`` so two processes never advance one cursor at once.

        The default does nothing; mirrors shared between processes should override it.
        """
        return nullcontext()

    def close(self) -> None:  # noqa: B027 - optional hook, most mirrors need nothing
        """Release connections and files."""

    def __enter__(self) -> Mirror:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def item_digest(item: MirrorItem) -> str:
    """A fingerprint of an item's content, to tell a re-read from a change at one timestamp."""
    return encode_item(item)[1]


def encode_item(item: MirrorItem) -> tuple[str, str]:
    """Return ``(unified JSON text, digest)`` of an item, writing the unified JSON once.

    The digest is the SHA-256 of ``json.dumps([data, remote_data], sort_keys=True)``; it is
    assembled from the text a mirror stores, so that the record is not serialized twice.
    """
    # The unified JSON must be JSON as it is: a value that is not (TypeError) ends the commit
    # before anything is written, rather than being stored as its str().
    data_text = json.dumps(item.data, sort_keys=True)
    remote_text = json.dumps(item.remote_data, sort_keys=True, default=str)
    payload = f"[{data_text}, {remote_text}]"
    return data_text, hashlib.sha256(payload.encode("utf-8")).hexdigest()


#: How far past the time of a pass a stored ``updated_at`` may lie and still be believed: the
#: provider's clock may run ahead of the sync's by this much (the same allowance as the
#: cursor's overlap). A later stamp is a provider clock error.
FUTURE_TOLERANCE = DEFAULT_OVERLAP


def pass_time(state: StreamState) -> datetime | None:
    """When the pass a commit belongs to began (its signpost), by the sync's clock."""
    return state.window.signpost if state.window is not None else state.synced_until


def _from_the_future(stamp: datetime | None, now: datetime | None) -> bool:
    """Whether a stored ``updated_at`` lies further ahead of ``now`` than any clock skew."""
    return stamp is not None and now is not None and stamp > now + FUTURE_TOLERANCE


def upsert_action(stored: StoredVersion | None, item: MirrorItem, digest: str,
                  now: datetime | None = None) -> UpsertAction:
    """Decide what a listed item does to the row a mirror holds for its id.

    Rules: an unknown id is inserted. An older ``updated_at`` than stored is a stale read and
    changes nothing. The same ``updated_at`` with the same content is a re-read (the overlap
    window causes these) and changes nothing. A deleted row comes back only when the item
    was changed after the deletion (or either time is unknown).

    A stored ``updated_at`` further in the future than ``now`` (the time of the pass) allows
    (:data:`FUTURE_TOLERANCE`) came from a provider clock error; it is not trusted to hide a
    later change, so an item with another time or other content replaces the row.
    """
    if stored is None:
        return "insert"
    if stored.deleted:
        if stored.deleted_at is None or item.updated_at is None:
            return "update" if _newer(item.updated_at, stored.updated_at) else "unchanged"
        return "update" if item.updated_at > stored.deleted_at else "unchanged"
    if item.updated_at is not None and stored.updated_at is not None:
        if _from_the_future(stored.updated_at, now) and item.updated_at != stored.updated_at:
            return "update"
        if item.updated_at < stored.updated_at:
            return "unchanged"
        if item.updated_at > stored.updated_at:
            return "update"
    return "unchanged" if digest == stored.digest else "update"


def deletion_applies(stored: StoredVersion | None, record: DeletedRecord,
                     now: datetime | None = None) -> bool:
    """Whether a reported deletion marks the row deleted (or adds a tombstone for an unknown id).

    A deletion already recorded, or older than the version the mirror holds, changes nothing,
    so the deleted feed can be re-read freely; a version stamped in the future (see
    :func:`upsert_action`) does not outlive its deletion.
    """
    if stored is None:
        return True
    if stored.deleted:
        return False
    if stored.updated_at is not None and record.deleted_at is not None:
        return (record.deleted_at >= stored.updated_at
                or _from_the_future(stored.updated_at, now))
    return True


def _newer(candidate: datetime | None, current: datetime | None) -> bool:
    if candidate is None:
        return False
    return current is None or candidate > current


def available_mirrors() -> list[str]:
    """Names of the installed mirrors (entry points of ``unified_accounting.mirrors``), sorted."""
    return plugin_names(MIRROR_ENTRY_POINT_GROUP)


def load_mirror(name: str, **options: Any) -> Mirror:
    """Create the mirror registered under ``name`` with ``options``.

    Example: ``load_mirror("sqlite", path="mirror.sqlite3")``.

    Raises:
        PluginNotFoundError: no mirror has that name (a ``ConfigurationError``).
        PluginLoadError: it failed to import, or it is not a :class:`Mirror`.
    """
    factory = load_plugin_class(MIRROR_ENTRY_POINT_GROUP, name, Mirror)  # type: ignore[type-abstract]
    return factory(**options)
