"""The sync engine: copies what changed at the provider into a mirror, page by page.

Each (business, resource) stream is read in *windows* (see
:mod:`unified_accounting.syncing.cursor`): every page is committed to the mirror together with
the window's progress, the cursor moves only when a window is complete, and deletions are read
from the provider's deleted feed and marked, never dropped. Businesses are synced concurrently
by a bounded thread pool; the transport's limiter keeps the requests within the provider's quota.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from os import PathLike
from typing import Any, cast

from unified_accounting.errors import AccountingError, ConfigurationError
from unified_accounting.events.model import ChangeListener
from unified_accounting.syncing.cursor import DEFAULT_OVERLAP, probe_since, skip_unchanged
from unified_accounting.syncing.mirror import Mirror, Scope, StreamKey
from unified_accounting.syncing.results import (
    Phase,
    ProgressCallback,
    StreamResult,
    SyncProgress,
    SyncResult,
)
from unified_accounting.syncing.source import (
    PAGE_SIZE,
    RESOURCES,
    ChangeProbe,
    StreamSource,
    SyncClient,
    stream_source,
)
from unified_accounting.syncing.stream import StreamReader

__all__ = ["Syncer", "scope_of", "sync"]

_log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Syncer:
    """Syncs resources of one or many clients (one business each) into a mirror.

    Args:
        mirror: where records and cursors are kept.
        resources: resource names to sync; default :data:`~unified_accounting.syncing.RESOURCES`.
        overlap: how far before the last run's start the next run re-reads (default 60 s).
        page_size: records per request and per mirror commit (Sage allows at most 200).
        max_workers: businesses synced at once; each business's resources run in turn.
        max_passes: passes over a window in one run when the list shifts while it is read;
            after the last one the cursor stays put and the next run reads the window again.
        on_progress: called with a :class:`SyncProgress` for every event, from worker threads.
        on_change: called with each :class:`~unified_accounting.events.ChangeEvent` (a record
            created, updated or deleted) inside the commit of its page, from worker threads;
            if it raises, the page is not committed and its stream fails (docs/events.md).
        clock: returns this host's time as an aware datetime (replaceable in tests).
        read_ahead: fetch and map each stream's next page on a background thread while the
            current one is committed (at most one page ahead, so memory stays flat; an error
            surfaces where it happened). ``False`` reads a page only after the previous one
            is committed.
    """

    def __init__(
        self,
        mirror: Mirror,
        *,
        resources: Sequence[str] | None = None,
        overlap: timedelta = DEFAULT_OVERLAP,
        page_size: int = PAGE_SIZE,
        max_workers: int = 4,
        max_passes: int = 2,
        on_progress: ProgressCallback | None = None,
        on_change: ChangeListener | None = None,
        clock: Callable[[], datetime] | None = None,
        read_ahead: bool = True,
    ) -> None:
        if min(page_size, max_workers, max_passes) < 1:
            raise ConfigurationError("page_size, max_workers and max_passes must be at least 1")
        if on_change is not None and not mirror.emits_changes:
            raise ConfigurationError(
                f"{type(mirror).__name__} does not report changes, so on_change cannot be used")
        if overlap < timedelta(0):
            raise ConfigurationError("overlap cannot be negative")
        self.mirror = mirror
        self.resources: tuple[str, ...] = tuple(resources or RESOURCES)
        self._by_default = not resources
        self.overlap = overlap
        self.page_size = page_size
        self.max_workers = max_workers
        self.max_passes = max_passes
        self.on_progress = on_progress
        self.on_change = on_change
        self._clock = clock or _utc_now
        self.read_ahead = read_ahead

    def run(self, clients: SyncClient | Iterable[SyncClient], *, full: bool = False) -> SyncResult:
        """Sync every resource of every client; one stream's failure does not stop the others.

        Args:
            clients: one client, or several (each bound to a different business).
            full: read every record again instead of the changes since the last run.

        Returns:
            One :class:`StreamResult` per client and resource, in the order given; failed
            streams carry their error (see :meth:`SyncResult.raise_for_errors`).

        Raises:
            ConfigurationError: a client is not bound to a business, or two share a scope.
        """
        batch = _client_list(clients)
        scopes = [scope_of(client) for client in batch]
        if len(set(scopes)) != len(scopes):
            raise ConfigurationError("two clients in one run have the same business and connection")
        workers = min(self.max_workers, len(batch))
        if workers <= 1:
            per_client = [self._sync_client(c, s, full) for c, s in zip(batch, scopes, strict=True)]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ua-sync") as pool:
                futures = [
                    pool.submit(self._sync_client, c, s, full)
                    for c, s in zip(batch, scopes, strict=True)
                ]
                per_client = [future.result() for future in futures]
        return SyncResult(streams=[stream for streams in per_client for stream in streams])

    # -- one business ---------------------------------------------------------------------

    def _sync_client(self, client: SyncClient, scope: Scope, full: bool) -> list[StreamResult]:
        resources = self._resources_of(client)
        unchanged, probed_at = self._probe(client, scope, full, resources)
        return [
            self._sync_stream(
                client, StreamKey(scope, resource), full=full,
                skip_at=probed_at if resource in unchanged else None,
            )
            for resource in resources
        ]

    def _resources_of(self, client: SyncClient) -> tuple[str, ...]:
        """The resources read for a client: those named, or by default those its provider
        can list (a provider without attachments, say, is not asked for them)."""
        capabilities = getattr(client, "capabilities", None)
        if not self._by_default or not callable(capabilities):
            return self.resources
        table = capabilities()
        return tuple(resource for resource in self.resources
                     if resource in table and table[resource].supports("list"))

    def _probe(
        self, client: SyncClient, scope: Scope, full: bool, resources: Sequence[str]
    ) -> tuple[frozenset[str], datetime | None]:
        """Ask the provider which resources changed, if it can tell; return those that did not."""
        if full or not isinstance(client, ChangeProbe):
            return frozenset(), None
        bounds: dict[str, datetime] = {}
        for resource in resources:
            since = probe_since(self.mirror.load_state(StreamKey(scope, resource)), self.overlap)
            if since is not None:
                bounds[resource] = since
        if not bounds:
            return frozenset(), None
        probed_at = self._now()
        try:
            changed = client.changed_resources(min(bounds.values()), sorted(bounds))
        except AccountingError as exc:
            _log.warning("change probe failed for business %s; reading every resource: %s",
                         scope.business_id, exc)
            return frozenset(), None
        if changed is None:
            return frozenset(), None
        return frozenset(bounds) - set(changed), probed_at

    # -- one stream -----------------------------------------------------------------------

    def _sync_stream(
        self, client: SyncClient, key: StreamKey, *, full: bool, skip_at: datetime | None
    ) -> StreamResult:
        result = StreamResult(scope=key.scope, resource=key.resource)
        self._emit(result, "started")
        try:
            with self.mirror.stream_lock(key):
                if skip_at is not None and self._skip(key, skip_at):
                    result.skipped = True
                    self._emit(result, "skipped")
                    return result
                self._reader(key, stream_source(client, key.resource), result).run(full=full)
        except Exception as exc:  # kept per stream so one business cannot stop the others
            result.error = exc
            _log.warning("sync of %s for business %s stopped: %r",
                         key.resource, key.scope.business_id, exc)
            self._emit(result, "failed")
            return result
        self._emit(result, "finished")
        return result

    def _reader(self, key: StreamKey, source: StreamSource, result: StreamResult) -> StreamReader:
        def emit(phase: Phase, total: int | None) -> None:
            self._emit(result, phase, total=total)

        return StreamReader(
            mirror=self.mirror, key=key, source=source, result=result, overlap=self.overlap,
            page_size=self.page_size, max_passes=self.max_passes, now=self._now, emit=emit,
            on_change=self.on_change, read_ahead=self.read_ahead,
        )

    def _skip(self, key: StreamKey, probed_at: datetime) -> bool:
        state = self.mirror.load_state(key)
        if probe_since(state, self.overlap) is None:
            return False  # another run opened a window meanwhile; read normally
        self.mirror.commit(key, state=skip_unchanged(state, now=probed_at))
        return True

    # -- helpers --------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise ConfigurationError("the sync clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def _emit(self, result: StreamResult, phase: Phase, *, total: int | None = None) -> None:
        if self.on_progress is None:
            return
        self.on_progress(
            SyncProgress(
                scope=result.scope, resource=result.resource, phase=phase,
                fetched=result.fetched, total=total, pages=result.pages,
            )
        )


def scope_of(client: SyncClient) -> Scope:
    """The mirror scope of a client.

    Raises:
        ConfigurationError: the client is not bound to one business. Sync refuses to guess,
            because the provider's default (lead) business can change between runs.
    """
    if not client.business_id:
        raise ConfigurationError(
            "sync needs a client bound to one business: pass business_id when connecting"
        )
    return Scope(client.provider, client.connection, client.business_id)


def sync(
    clients: SyncClient | Iterable[SyncClient],
    mirror: Mirror | str | PathLike[str],
    resources: Sequence[str] | None = None,
    *,
    full: bool = False,
    **options: Any,
) -> SyncResult:
    """Sync ``resources`` of one or many clients into ``mirror`` and return the summary.

    Args:
        clients: a client bound to one business, or several.
        mirror: a :class:`Mirror`, or a path for a :class:`SQLiteMirror` opened for this run.
        resources: resource names (default: all of :data:`RESOURCES`).
        full: read every record again.
        options: passed to :class:`Syncer` (``overlap``, ``page_size``, ``max_workers``,
            ``max_passes``, ``on_progress``, ``on_change``, ``clock``).

    Raises:
        AccountingError: the first stream's error, once every stream has had its turn
            (use :class:`Syncer` to get the summary of a partly failed run instead).
    """
    if isinstance(mirror, Mirror):
        result = Syncer(mirror, resources=resources, **options).run(clients, full=full)
    else:
        from unified_accounting.syncing.sqlite_mirror import SQLiteMirror

        with SQLiteMirror(mirror) as opened:
            result = Syncer(opened, resources=resources, **options).run(clients, full=full)
    result.raise_for_errors()
    return result


def _client_list(clients: SyncClient | Iterable[SyncClient]) -> list[SyncClient]:
    if hasattr(clients, "provider"):
        return [cast(SyncClient, clients)]
    return list(clients)
