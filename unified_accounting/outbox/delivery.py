"""One delivery attempt of a claimed item: resolve its references, send it, say how it ended.

The write is sent inside ``chosen_idempotency_keys(item.idempotency_key, repeat=...)``, so
every attempt of one item sends the same idempotency tokens (Sage v3.1: the same
``idempotency_id``), and a provider without tokens sets the same unique reference and, on
any attempt after the first, looks the record up before sending it again (Sage v2.0). Either
way the provider stores the write once, however often a worker dies or an answer is lost.

While the attempt runs, a thread renews the item's lease every third of its length.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from unified_accounting.errors import AccountingError, ValidationError
from unified_accounting.http.idempotency import chosen_idempotency_keys
from unified_accounting.outbox.items import OutboxItem, Queue
from unified_accounting.outbox.outcomes import (
    ItemOutcome,
    RetryPolicy,
    delivered,
    failed_outcome,
    outcome_of,
)
from unified_accounting.outbox.payload import decode, resolve
from unified_accounting.outbox.store import OutboxStore
from unified_accounting.validation import dump_without_remote

__all__ = ["Attempt", "ItemLease", "attempt_delivery"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt needs besides the item."""

    store: OutboxStore
    client_for: Callable[[Queue], Any]
    policy: RetryPolicy
    clock: Callable[[], float]
    jitter: Callable[[], float]


def attempt_delivery(item: OutboxItem, attempt: Attempt) -> ItemOutcome:
    """Send one claimed item and return how the attempt ended (nothing is written here)."""
    ids, blocked = _referenced_ids(item, attempt)
    if blocked is not None:
        return blocked
    try:
        target = resolve(item.target_id, ids)
        data = decode(resolve(item.payload, ids))
        options = decode(resolve(item.options, ids))
    except (AccountingError, ValueError, KeyError) as exc:
        return outcome_of(exc if isinstance(exc, AccountingError) else _unreadable(exc),
                          item, attempt.policy, attempt.clock(), attempt.jitter)
    try:
        client = attempt.client_for(item.queue)
    except Exception as exc:  # a worker that cannot connect now may later: never final
        return outcome_of(exc, item, attempt.policy, attempt.clock(), attempt.jitter,
                          retry_any=True)
    try:
        with chosen_idempotency_keys(item.idempotency_key, repeat=item.attempts > 1):
            return _send(client, item, target, data, options)
    except Exception as exc:
        return outcome_of(exc, item, attempt.policy, attempt.clock(), attempt.jitter)


def _send(client: Any, item: OutboxItem, target: str | None, data: Any,
          options: Mapping[str, Any]) -> ItemOutcome:
    resource = getattr(client, item.resource)
    if item.action == "delete":
        resource.delete(target, **options)
        return delivered(target, None)
    if item.action == "create":
        record = resource.create(data, **options)
    else:
        record = resource.update(target, data, **options)
    return delivered(getattr(record, "id", None) or target, dump_without_remote(record))


def _referenced_ids(item: OutboxItem,
                    attempt: Attempt) -> tuple[dict[str, str], ItemOutcome | None]:
    """The provider ids the item's references stand for, or the outcome that stops it."""
    if not item.references:
        return {}, None
    found = attempt.store.get_many(item.references)
    ids: dict[str, str] = {}
    for outbox_id in item.references:
        referenced = found.get(outbox_id)
        if referenced is not None and referenced.status == "delivered" and referenced.provider_id:
            ids[outbox_id] = referenced.provider_id
            continue
        if referenced is not None and referenced.status in ("queued", "sending", "dead"):
            # Earlier writes of the queue come first, so this is not expected; wait for it.
            wait = attempt.clock() + attempt.policy.backoff(1, attempt.jitter)
            return ids, ItemOutcome(status="queued", not_before=wait)
        return ids, failed_outcome(_reference_failure(outbox_id, referenced))
    return ids, None


def _reference_failure(outbox_id: str, referenced: OutboxItem | None) -> dict[str, Any]:
    if referenced is None:
        why = "is no longer in the outbox"
    else:
        cause = (referenced.error or {}).get("message")
        why = f"is {referenced.status}" + (f": {cause}" if cause else "")
    return {"type": "ReferenceFailed", "reference": outbox_id, "field_errors": {},
            "message": f"the write this one refers to ({outbox_id}) {why}"}


def _unreadable(error: Exception) -> AccountingError:
    return ValidationError({"data": [f"the queued write cannot be read back: {error}"]})


class ItemLease:
    """Renews one item's lease in the background while its attempt runs.

    Args:
        store: where the lease lives.
        item: the claimed item.
        owner: the claiming worker.
        lease_seconds: the lease's length; it is renewed every third of it.
        clock: POSIX seconds.
    """

    def __init__(self, store: OutboxStore, item: OutboxItem, owner: str,
                 lease_seconds: float, clock: Callable[[], float]) -> None:
        self._store, self._item, self._owner = store, item, owner
        self._lease, self._clock = lease_seconds, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="ua-outbox-lease",
                                        daemon=True)
        self.lost = False

    def __enter__(self) -> ItemLease:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _renew(self) -> None:
        while not self._stop.wait(self._lease / 3):
            try:
                kept = self._store.renew(self._item.id, owner=self._owner,
                                         until=self._clock() + self._lease)
            except Exception:  # a blip of the store: the next beat tries again
                _log.warning("could not renew the lease of %s", self._item.id)
                continue
            if not kept:
                self.lost = True
                _log.warning("the lease of %s was taken over; another worker sends it",
                             self._item.id)
                return
