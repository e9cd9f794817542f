"""The Celery app of sync jobs, and the task that syncs one (connection, business).

``celery -A unified_accounting.jobs.app worker`` and ``unified-accounting worker`` both run
this module's :data:`app`, configured from the environment (:class:`JobSettings`).

Delivery: tasks are acknowledged late and rejected (so requeued) when the pool process
running them dies, so a killed worker's job runs again; it then resumes from the cursor the
mirror committed with the last page. A worker takes one job at a time per pool process
(prefetch multiplier 1), so a queued job never waits behind a long one in another worker's
buffer.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from typing import Any

from celery import Celery, Task

from unified_accounting.errors import (
    ConflictError,
    ProviderUnavailableError,
    RateLimitError,
    StoreUnavailableError,
)
from unified_accounting.jobs.outbox_tasks import register_outbox_task
from unified_accounting.jobs.runtime import job_summary, process_runtime
from unified_accounting.jobs.settings import JobSettings
from unified_accounting.jobs.webhook_tasks import register_webhook_task

__all__ = ["SYNC_TASK", "SyncFailed", "app", "create_app", "enqueue_sync"]

SYNC_TASK = "unified_accounting.sync_business"
QUEUE = "unified-accounting-sync"
#: Stream failures another attempt may cure; any other failure ends the job as failed.
TRANSIENT = (RateLimitError, ProviderUnavailableError, ConflictError, ConnectionError)
MAX_TRANSIENT_RETRIES = 5
#: How often a job finding its (connection, business) busy asks again before giving up
#: (about an hour with the backoff).
MAX_BUSY_RETRIES = 125

_log = logging.getLogger(__name__)


class SyncFailed(Exception):
    """A sync job ended with streams that failed for a reason retrying does not cure."""


def create_app(settings: JobSettings | None = None) -> Celery:
    """A Celery app with the sync and webhook tasks and the delivery settings they rely on."""
    settings = settings or JobSettings.from_env()
    celery = Celery("unified_accounting", broker=settings.broker_url,
                    backend=settings.results, set_as_current=False)
    prefixed = {"global_keyprefix": settings.prefix}
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_track_started=True,
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={**prefixed,
                                  "visibility_timeout": settings.visibility_timeout},
        result_backend_transport_options=prefixed,
        worker_hijack_root_logger=False,
    )
    celery.conf.unified_accounting = settings
    _register_sync_task(celery, settings)
    register_webhook_task(celery, settings)
    register_outbox_task(celery)
    return celery


def _register_sync_task(celery: Celery, settings: JobSettings) -> None:
    @celery.task(  # type: ignore[untyped-decorator]  # celery ships no type hints
        bind=True, name=SYNC_TASK, shared=False, acks_late=True, reject_on_worker_lost=True,
        max_retries=None)
    def sync_business(self: Task, connection: str, business_id: str,
                      resources: Sequence[str] | None = None,
                      full: bool = False) -> dict[str, Any]:
        """Run one incremental sync of ``connection``'s business ``business_id``."""
        # The app's own settings, read off the app that runs the task (each app registers
        # its own closure: ``shared=False`` keeps a later app's task out of earlier apps).
        runtime = process_runtime(self.app.conf.unified_accounting)
        lock = runtime.job_lock(connection, business_id)
        try:
            acquired = lock.acquire()
        except StoreUnavailableError as exc:
            # Redis may be back in a moment: wait for it instead of failing the job for good.
            _log.warning("sync of %s/%s cannot take its lock (%s); retrying later",
                         connection, business_id, exc.message)
            raise _retry(self, "transient",
                         countdown=min(60.0, 2.0 ** self.request.retries)) from exc
        if not acquired:
            _log.info("sync of %s/%s is running elsewhere (%s); retrying later",
                      connection, business_id, lock.holder())
            # A live holder renews its lease, a dead one's lease runs out: ask again after
            # whichever comes first, the lease's end or a backoff that grows to 30 s.
            backoff = min(30.0, 2.0 ** self.request.retries)
            raise _retry(self, "busy",
                         countdown=min(lock.seconds_left(), backoff) + random.uniform(0.1, 0.5))
        try:
            result = runtime.sync(connection, business_id, resources=_listed(resources),
                                  full=full)
        finally:
            lock.release()
        summary = job_summary(connection, business_id, result)
        errors = [stream.error for stream in result.failed]
        if errors and all(isinstance(error, TRANSIENT) for error in errors):
            raise _retry(self, "transient", countdown=min(60.0, 2.0 ** self.request.retries))
        if errors:
            raise SyncFailed(f"sync of {connection}/{business_id} failed: {summary['failed']}")
        return summary


def _retry(task: Task, why: str, *, countdown: float) -> Exception:
    limit = MAX_BUSY_RETRIES if why == "busy" else MAX_TRANSIENT_RETRIES
    return task.retry(countdown=max(0.1, countdown), max_retries=limit)  # type: ignore[no-any-return]


def _listed(resources: Sequence[str] | None) -> list[str] | None:
    return None if resources is None else list(resources)


def enqueue_sync(celery: Celery, connection: str, business_id: str, *,
                 resources: Sequence[str] | None = None, full: bool = False) -> Any:
    """Queue one sync job; returns Celery's ``AsyncResult``."""
    return celery.send_task(SYNC_TASK, args=(connection, business_id),
                            kwargs={"resources": _listed(resources), "full": full}, queue=QUEUE)


#: The app of this deployment, configured from the environment when first imported.
app = create_app()
