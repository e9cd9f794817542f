"""The Celery task that delivers webhooks, and its beat entry.

Every worker of a deployment can run it at once: deliveries are claimed with leases in the
mirror's database (see :mod:`unified_accounting.webhooks.store`), so each due delivery is sent
by one worker, and one record's events go out in order. A run delivers what is due for up to
``max_seconds``, then returns its counts; beat queues it again (:func:`webhook_schedule`).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from celery import Celery, Task

from unified_accounting.jobs.settings import JobSettings
from unified_accounting.webhooks.delivery import Deliverer
from unified_accounting.webhooks.registry import open_webhook_store
from unified_accounting.webhooks.store import WebhookStore

__all__ = ["DELIVER_TASK", "enqueue_webhook_delivery", "register_webhook_task",
           "webhook_schedule"]

DELIVER_TASK = "unified_accounting.deliver_webhooks"

_stores: dict[int, WebhookStore] = {}
_guard = threading.Lock()


def _process_store(settings: JobSettings) -> WebhookStore:
    # Opened once per pool process (a connection must not cross Celery's fork).
    with _guard:
        store = _stores.get(os.getpid())
        if store is None:
            store = _stores[os.getpid()] = open_webhook_store(settings.mirror_url)
        return store


def register_webhook_task(celery: Celery, settings: JobSettings) -> None:
    """Add the delivery task to a jobs app (``create_app`` does)."""

    @celery.task(  # type: ignore[untyped-decorator]  # celery ships no type hints
        bind=True, name=DELIVER_TASK, shared=False, acks_late=True, reject_on_worker_lost=True)
    def deliver_webhooks(self: Task, max_seconds: float = 50.0,
                         concurrency: int = 8) -> dict[str, Any]:
        """Deliver due webhooks for up to ``max_seconds``; return what happened."""
        # The app's own settings, read off the app that runs the task.
        store = _process_store(self.app.conf.unified_accounting)
        with Deliverer(store, concurrency=concurrency) as deliverer:
            stats = deliverer.run(until_idle=True, max_seconds=max_seconds)
        return {"delivered": stats.delivered, "retried": stats.retried,
                "failed": stats.failed, "pid": os.getpid()}


def enqueue_webhook_delivery(celery: Celery, *, max_seconds: float = 50.0,
                             concurrency: int = 8) -> Any:
    """Queue one delivery run; returns Celery's ``AsyncResult``."""
    return celery.send_task(DELIVER_TASK, kwargs={"max_seconds": max_seconds,
                                                  "concurrency": concurrency},
                            queue=celery.conf.task_default_queue)


def webhook_schedule(*, seconds: float = 60.0, queue: str | None = None) -> dict[str, Any]:
    """A beat entry that queues a delivery run every ``seconds`` (each expires at the next).

    Merge it into ``app.conf.beat_schedule``; each run delivers for at most 90 % of the period.

    Raises:
        ValueError: ``seconds`` is not positive.
    """
    if not seconds > 0:
        raise ValueError("seconds must be positive")
    options: dict[str, Any] = {"expires": seconds}
    if queue is not None:
        options["queue"] = queue
    return {"deliver webhooks": {"task": DELIVER_TASK, "schedule": seconds,
                                 "kwargs": {"max_seconds": seconds * 0.9},
                                 "options": options}}
