"""The outbox store contract: where queued writes wait, and how workers take them in turn.

A store keeps every item durably and hands them to workers one queue head at a time: an item
is *due* when it is queued (or sending under a lease that has run out), its not-before time
has passed, and no earlier item of its (provider, connection, business) is still queued,
sending or dead. :meth:`OutboxStore.claim` takes one due item under a lease, atomically, so
two workers never send two writes of one business at once and a worker that dies loses
nothing: its lease runs out and another worker sends the item again, with the same
idempotency key.

The library ships ``sqlite`` (one machine) and ``postgres`` (many workers); a product can
register its own store under the entry-point group ``unified_accounting.outboxes``
(:mod:`unified_accounting.outbox.registry` finds them). The conformance suite
:mod:`unified_accounting.testing.outbox_conformance` checks any store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from types import TracebackType

from unified_accounting.outbox.items import NewItem, OutboxItem, Queue, Status
from unified_accounting.outbox.outcomes import ItemOutcome

__all__ = ["OutboxStore"]


class OutboxStore(ABC):
    """Durable storage of queued writes, shared by the enqueuing code and the workers.

    Every method is atomic. Times are POSIX seconds from the caller's clock, so all workers
    of a deployment must agree on the time (as they must for leases anywhere).
    """

    @abstractmethod
    def add(self, item: NewItem) -> OutboxItem:
        """Store a new write as ``queued``, after every write already in the store."""

    @abstractmethod
    def get(self, item_id: str) -> OutboxItem | None:
        """One item by outbox id, or ``None``."""

    def get_many(self, item_ids: Iterable[str]) -> dict[str, OutboxItem]:
        """The items of the ids that exist, by id."""
        found = {item_id: self.get(item_id) for item_id in item_ids}
        return {item_id: item for item_id, item in found.items() if item is not None}

    @abstractmethod
    def claim(self, *, owner: str, now: float, lease_seconds: float) -> OutboxItem | None:
        """Take one due item (oldest not-before first) for ``owner`` and return it.

        The item becomes ``sending`` with a lease until ``now + lease_seconds`` and one more
        attempt; ``None`` when nothing is due.
        """

    @abstractmethod
    def renew(self, item_id: str, *, owner: str, until: float) -> bool:
        """Extend ``owner``'s lease; ``False`` when the lease is no longer theirs."""

    @abstractmethod
    def finish(self, item_id: str, *, owner: str, outcome: ItemOutcome, now: float) -> bool:
        """Record how ``owner``'s attempt ended and release the lease.

        Returns ``False`` (and changes nothing) when ``owner`` no longer holds the lease:
        another worker has taken the item over and sends it again.
        """

    @abstractmethod
    def items(self, *, status: Status | None = None, queue: Queue | None = None,
              connection: str | None = None, after_seq: int = 0,
              limit: int = 100) -> list[OutboxItem]:
        """Items in queue order (``seq``), optionally of one status, queue or connection."""

    @abstractmethod
    def retry(self, item_id: str, *, now: float) -> OutboxItem:
        """Send an item again: a dead, failed or cancelled item is queued anew with its
        failure count reset; a queued one is made due now.

        Raises:
            NotFoundError: no such item.
            ConflictError: it is delivered or being sent.
        """

    @abstractmethod
    def cancel(self, item_id: str, *, now: float) -> OutboxItem:
        """Give up on an item that is not delivered; later writes of its queue go on.

        Raises:
            NotFoundError: no such item.
            ConflictError: it is delivered, already cancelled, or being sent under a live
                lease.
        """

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many items are in each state (every state listed)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""

    def __enter__(self) -> OutboxStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
