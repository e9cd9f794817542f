"""Change events: what each sync commit changed, for in-process listeners and webhooks.

- :mod:`unified_accounting.events.model`: :class:`ChangeEvent` and its stable ids;
- :mod:`unified_accounting.events.recorder`: collecting a commit's changes in its transaction;
- :mod:`unified_accounting.events.sqlite_log`, :mod:`unified_accounting.events.postgres_log`:
  the durable event and delivery tables beside each mirror.

See docs/events.md. Delivery to registered URLs is :mod:`unified_accounting.webhooks`.
"""

from __future__ import annotations

from unified_accounting.events.model import (
    ACTIONS,
    Action,
    ChangeEvent,
    ChangeListener,
    RecordChange,
    Subscription,
    event_id,
    event_type_matches,
)

__all__ = [
    "ACTIONS",
    "Action",
    "ChangeEvent",
    "ChangeListener",
    "RecordChange",
    "Subscription",
    "event_id",
    "event_type_matches",
]
