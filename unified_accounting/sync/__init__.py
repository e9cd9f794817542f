"""Incremental sync of provider records into a local mirror.

``ua.sync(client, mirror)`` (or a :class:`Syncer`) reads every record on the first run and only
what changed afterwards, committing page by page so that a crash at any moment loses nothing.
See docs/sync.md for the guarantees and the cursor rules.

Import from this package with ``from unified_accounting.sync import ...``: the attribute
``unified_accounting.sync`` is the :func:`sync` function, which hides the package of the same
name from ``import unified_accounting.sync as ...``.
"""

from __future__ import annotations

from unified_accounting.sync.cursor import DEFAULT_OVERLAP, StreamState, Window
from unified_accounting.sync.engine import Syncer, scope_of, sync
from unified_accounting.sync.mirror import (
    MIRROR_ENTRY_POINT_GROUP,
    CommitCounts,
    Mirror,
    MirrorItem,
    MirrorRecord,
    Scope,
    StoredVersion,
    StreamKey,
    available_mirrors,
    deletion_applies,
    item_digest,
    load_mirror,
    upsert_action,
)
from unified_accounting.sync.results import (
    ProgressCallback,
    StreamResult,
    SyncProgress,
    SyncResult,
)
from unified_accounting.sync.source import (
    PAGE_SIZE,
    RESOURCES,
    ChangeProbe,
    DeletionFeed,
    ListedResource,
    PagedResource,
    RecordPage,
    SourcePage,
    SyncClient,
    SyncRecord,
)
from unified_accounting.sync.sqlite_mirror import SQLiteMirror

__all__ = [
    "DEFAULT_OVERLAP",
    "MIRROR_ENTRY_POINT_GROUP",
    "PAGE_SIZE",
    "RESOURCES",
    "ChangeProbe",
    "CommitCounts",
    "DeletionFeed",
    "ListedResource",
    "Mirror",
    "MirrorItem",
    "MirrorRecord",
    "PagedResource",
    "ProgressCallback",
    "RecordPage",
    "SQLiteMirror",
    "Scope",
    "SourcePage",
    "StoredVersion",
    "StreamKey",
    "StreamResult",
    "StreamState",
    "SyncClient",
    "SyncProgress",
    "SyncRecord",
    "SyncResult",
    "Syncer",
    "Window",
    "available_mirrors",
    "deletion_applies",
    "item_digest",
    "load_mirror",
    "scope_of",
    "sync",
    "upsert_action",
]
