"""Incremental sync of provider records into a local mirror.

``ua.sync(client, mirror)`` (or a :class:`Syncer`) reads every record on the first run and only
what changed afterwards, committing page by page so that a crash at any moment loses nothing.
See docs/sync.md for the guarantees and the cursor rules.

The package is named ``syncing`` so that ``ua.sync``, the one-call function, and the package
never share a name: ``import unified_accounting.syncing as syncing`` gives this package.
"""

from __future__ import annotations

from unified_accounting.syncing.cursor import DEFAULT_OVERLAP, StreamState, Window
from unified_accounting.syncing.engine import Syncer, scope_of, sync
from unified_accounting.syncing.mirror import (
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
from unified_accounting.syncing.results import (
    ProgressCallback,
    StreamResult,
    SyncProgress,
    SyncResult,
)
from unified_accounting.syncing.source import (
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
from unified_accounting.syncing.sqlite_mirror import SQLiteMirror

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
