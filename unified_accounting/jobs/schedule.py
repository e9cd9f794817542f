"""Celery beat entries for "sync every N minutes", per (connection, business)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from unified_accounting.errors import ConfigurationError
from unified_accounting.jobs.app import QUEUE, SYNC_TASK
from unified_accounting.tokens.base import TokenStore

__all__ = ["every_connection", "sync_schedule"]


def sync_schedule(targets: Iterable[tuple[str, str]], *, minutes: float) -> dict[str, Any]:
    """Beat entries that queue a sync of every (connection, business) every ``minutes``.

    Use as ``app.conf.beat_schedule = sync_schedule(targets, minutes=5)``. Each job expires
    when the next one is due, so a backlog (workers down, a quota exhausted) never piles up
    runs of one business: the next one does the same work, from the same cursor.

    Raises:
        ConfigurationError: ``minutes`` is not positive.
    """
    if not minutes > 0:
        raise ConfigurationError("minutes must be a positive number")
    period = timedelta(minutes=minutes)
    return {
        f"sync {connection} {business_id}": {
            "task": SYNC_TASK,
            "schedule": period,
            "args": (connection, business_id),
            "options": {"queue": QUEUE, "expires": period.total_seconds()},
        }
        for connection, business_id in targets
    }


def every_connection(store: TokenStore) -> list[tuple[str, str]]:
    """Every (connection, business) the token store knows, in name order."""
    return [(info.connection, business_id) for info in store.list_connections()
            for business_id in info.business_ids]
