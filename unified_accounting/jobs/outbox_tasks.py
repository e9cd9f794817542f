"""Outbox delivery as a Celery task: drain the due writes, then give the worker back.

The task delivers due writes (as ``unified-accounting outbox run --until-idle`` does) until
none is due, or until ``max_items`` attempts or ``max_seconds`` have passed, and returns a
summary. Writes that must wait (a rate limit, a block, a backoff) stay in the store with their
not-before time, so no Celery worker is held while a business is paused: queue the task again
from beat (:func:`outbox_schedule`) or after enqueuing (:func:`enqueue_outbox_delivery`).
Every process opens its store and its clients once (after the fork), from the
``UNIFIED_ACCOUNTING_*`` variables (:class:`~unified_accounting.outbox.settings.OutboxSettings`).

Deliveries of one business never overlap, however many tasks run at once: the store hands
each task other queue heads, under leases that a killed task's successor waits out.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from typing import Any

from celery import Celery

from unified_accounting.errors import ConfigurationError

__all__ = ["OUTBOX_TASK", "enqueue_outbox_delivery", "outbox_schedule", "register_outbox_task"]

OUTBOX_TASK = "unified_accounting.deliver_outbox"

_workers: dict[int, Any] = {}
_guard = threading.Lock()


def _process_worker() -> Any:
    """This process's outbox worker, opened on first use (again after a fork)."""
    from unified_accounting.outbox.registry import default_outbox, open_outbox
    from unified_accounting.outbox.settings import OutboxSettings
    from unified_accounting.outbox.worker import OutboxWorker

    pid = os.getpid()
    with _guard:
        worker = _workers.get(pid)
        if worker is None:
            settings = OutboxSettings.from_env()
            store = open_outbox(settings.outbox_url) if settings.outbox_url else default_outbox()
            worker = _workers[pid] = OutboxWorker(store, settings=settings)
        return worker


def register_outbox_task(celery: Celery) -> None:
    """Add the delivery task to a Celery app (``create_app`` does)."""

    @celery.task(  # type: ignore[untyped-decorator]  # celery ships no type hints
        name=OUTBOX_TASK, shared=False, acks_late=True, reject_on_worker_lost=True)
    def deliver_outbox(max_items: int = 500, max_seconds: float = 60.0) -> dict[str, Any]:
        """Deliver due writes until none is due (or the limits are reached)."""
        summary = _process_worker().run(until_idle=True, max_items=max_items,
                                        max_seconds=max_seconds)
        return {"delivered": summary.delivered, "failed": summary.failed, "dead": summary.dead,
                "requeued": summary.requeued, "taken_over": summary.taken_over,
                "pid": os.getpid()}


def enqueue_outbox_delivery(celery: Celery, *, max_items: int = 500,
                            max_seconds: float = 60.0) -> Any:
    """Queue one delivery task on the app's queue; returns Celery's ``AsyncResult``."""
    return celery.send_task(OUTBOX_TASK, kwargs={"max_items": max_items,
                                                 "max_seconds": max_seconds},
                            queue=celery.conf.task_default_queue)


def outbox_schedule(*, seconds: float, tasks: int = 1) -> dict[str, Any]:
    """Beat entries that queue ``tasks`` delivery tasks every ``seconds``.

    Each entry expires when the next is due, so a stopped deployment never piles them up;
    the tasks go to the app's default queue.

    Raises:
        ConfigurationError: ``seconds`` or ``tasks`` is not positive.
    """
    if not seconds > 0 or tasks < 1:
        raise ConfigurationError("seconds and tasks must be positive")
    return {f"deliver outbox {number}": {
        "task": OUTBOX_TASK, "schedule": timedelta(seconds=seconds),
        "options": {"expires": seconds}} for number in range(tasks)}
