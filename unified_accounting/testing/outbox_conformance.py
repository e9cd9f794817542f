"""The outbox conformance suite: the same contract tests for every :class:`OutboxStore`.

Use it from a store's tests with a factory that opens the store on one empty database (every
call on the same database, so that several instances compete as workers do)::

    class TestMyOutbox(OutboxConformance):
        @pytest.fixture
        def ua_outbox_factory(self, tmp_path):
            return lambda: MyOutbox(tmp_path / "outbox.db")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from unified_accounting.errors import ConflictError, NotFoundError
from unified_accounting.outbox.items import NewItem, Queue, new_item_id
from unified_accounting.outbox.outcomes import ItemOutcome, delivered, failed_outcome
from unified_accounting.outbox.store import OutboxStore

__all__ = ["OutboxConformance", "OutboxFactory"]

OutboxFactory = Callable[[], OutboxStore]

T0 = 1_700_000_000.0
GB = Queue("sage", "acme", "biz-gb")
IE = Queue("sage", "acme", "biz-ie")
GLOBEX = Queue("sage", "globex", "biz-gb")
PAYLOAD = {"$record": "contact", "data": {"name": "Acme", "email": None,
                                          "credit_limit": {"$decimal": "12.50"}}}


def new(queue: Queue = GB, *, payload: Any = PAYLOAD, refs: tuple[str, ...] = (),
        action: Any = "create", target: str | None = None) -> NewItem:
    """A new item of ``queue`` (a contact create unless told otherwise)."""
    return NewItem(id=new_item_id(), queue=queue, resource="contacts", action=action,
                   target_id=target, payload=payload, options={"provider_fields": {"a": 1}},
                   references=refs, idempotency_key="0" * 31 + "1", created_at=T0)


def claim(store: OutboxStore, owner: str = "w1", at: float = T0, lease: float = 30.0) -> Any:
    """Claim one due item at ``at``."""
    return store.claim(owner=owner, now=at, lease_seconds=lease)


class OutboxConformance:
    """Contract tests every outbox store passes; subclass and provide ``ua_outbox_factory``."""

    @pytest.fixture
    def ua_outbox_factory(self) -> OutboxFactory:
        raise NotImplementedError("provide a ua_outbox_factory fixture")

    @pytest.fixture
    def ua_outbox(self, ua_outbox_factory: OutboxFactory) -> Iterator[OutboxStore]:
        store = ua_outbox_factory()
        try:
            yield store
        finally:
            store.close()

    def test_an_item_reads_back_as_it_was_added(self, ua_outbox: OutboxStore) -> None:
        first = ua_outbox.add(new(refs=("ob_" + "a" * 20,), target="outbox:ob_" + "a" * 20,
                                  action="update"))
        second = ua_outbox.add(new(IE))
        assert second.seq > first.seq
        read = ua_outbox.get(first.id)
        assert read == first
        assert (read.status, read.attempts, read.failures, read.queue) == ("queued", 0, 0, GB)
        assert read.payload == PAYLOAD
        assert read.options == {"provider_fields": {"a": 1}}
        assert read.references == ("ob_" + "a" * 20,)
        assert (read.action, read.target_id) == ("update", "outbox:ob_" + "a" * 20)
        assert read.idempotency_key == "0" * 31 + "1"
        assert read.created_at == T0
        assert ua_outbox.get("ob_" + "f" * 20) is None
        assert set(ua_outbox.get_many([first.id, second.id, "ob_nothing"])) == {first.id,
                                                                               second.id}

    def test_one_business_at_a_time_in_order_and_businesses_side_by_side(
        self, ua_outbox: OutboxStore
    ) -> None:
        a1, a2 = ua_outbox.add(new(GB)), ua_outbox.add(new(GB))
        b1 = ua_outbox.add(new(IE))
        c1 = ua_outbox.add(new(GLOBEX))
        taken = [claim(ua_outbox, f"w{n}") for n in range(4)]
        assert [item.id if item else None for item in taken] == [a1.id, b1.id, c1.id, None]
        assert (taken[0].status, taken[0].attempts, taken[0].lease_owner) == ("sending", 1, "w0")
        assert taken[0].lease_until == T0 + 30
        assert ua_outbox.finish(a1.id, owner="w0", outcome=delivered("P1", {"id": "P1"}),
                                now=T0 + 1)
        nxt = claim(ua_outbox, "w9", at=T0 + 1)
        assert nxt is not None
        assert nxt.id == a2.id
        done = ua_outbox.get(a1.id)
        assert done is not None
        assert (done.status, done.provider_id, done.result) == ("delivered", "P1", {"id": "P1"})
        assert (done.delivered_at, done.lease_owner, done.lease_until) == (T0 + 1, None, None)

    def test_a_paused_item_waits_and_holds_its_business_only(self, ua_outbox: OutboxStore) -> None:
        a1, a2 = ua_outbox.add(new(GB)), ua_outbox.add(new(GB))
        b1 = ua_outbox.add(new(IE))
        claim(ua_outbox)
        paused = ItemOutcome(status="queued", not_before=T0 + 3600,
                             error={"type": "RateLimitError"})
        assert ua_outbox.finish(a1.id, owner="w1", outcome=paused, now=T0)
        assert claim(ua_outbox, "w2", at=T0 + 10).id == b1.id  # the other business goes on
        ua_outbox.finish(b1.id, owner="w2", outcome=delivered("P", None), now=T0 + 11)
        assert claim(ua_outbox, at=T0 + 3599) is None  # a2 waits behind a1
        again = claim(ua_outbox, at=T0 + 3600)
        assert (again.id, again.attempts, again.failures) == (a1.id, 2, 0)
        assert again.error == {"type": "RateLimitError"}
        backoff = ItemOutcome(status="queued", not_before=T0 + 3700, counted=True)
        ua_outbox.finish(a1.id, owner="w1", outcome=backoff, now=T0 + 3600)
        item = ua_outbox.get(a1.id)
        assert item is not None
        assert (item.status, item.failures, item.not_before) == ("queued", 1, T0 + 3700)
        assert ua_outbox.get(a2.id).status == "queued"  # type: ignore[union-attr]

    def test_a_lost_worker_lease_ends_and_another_worker_takes_over(
        self, ua_outbox: OutboxStore
    ) -> None:
        item = ua_outbox.add(new())
        claim(ua_outbox, "w1", lease=5)
        assert claim(ua_outbox, "w2", at=T0 + 4.9) is None
        assert ua_outbox.renew(item.id, owner="w1", until=T0 + 10)
        assert claim(ua_outbox, "w2", at=T0 + 9.9) is None
        taken = claim(ua_outbox, "w2", at=T0 + 10)
        assert (taken.id, taken.lease_owner, taken.attempts) == (item.id, "w2", 2)
        assert not ua_outbox.renew(item.id, owner="w1", until=T0 + 20)
        late = delivered("P-late", None)
        assert not ua_outbox.finish(item.id, owner="w1", outcome=late, now=T0 + 11)
        assert ua_outbox.get(item.id).status == "sending"  # type: ignore[union-attr]
        assert ua_outbox.finish(item.id, owner="w2", outcome=delivered("P", None), now=T0 + 11)
        assert ua_outbox.get(item.id).provider_id == "P"  # type: ignore[union-attr]

    def test_dead_holds_its_queue_failed_and_cancelled_do_not(
        self, ua_outbox: OutboxStore
    ) -> None:
        dead, after_dead = ua_outbox.add(new(GB)), ua_outbox.add(new(GB))
        failed, after_failed = ua_outbox.add(new(IE)), ua_outbox.add(new(IE))
        claim(ua_outbox, "w1")
        claim(ua_outbox, "w2")
        error = {"type": "ValidationError", "message": "bad", "field_errors": {"name": ["x"]}}
        ua_outbox.finish(dead.id, owner="w1", now=T0,
                         outcome=ItemOutcome(status="dead", counted=True, error=error))
        ua_outbox.finish(failed.id, owner="w2", now=T0, outcome=failed_outcome(error))
        assert ua_outbox.get(failed.id).error == error  # type: ignore[union-attr]
        assert claim(ua_outbox, "w3").id == after_failed.id
        assert claim(ua_outbox, "w4") is None  # after_dead waits for an operator
        cancelled = ua_outbox.cancel(dead.id, now=T0)
        assert cancelled.status == "cancelled"
        assert claim(ua_outbox, "w4").id == after_dead.id

    def test_an_operator_retries_dead_and_failed_items(self, ua_outbox: OutboxStore) -> None:
        item = ua_outbox.add(new())
        claim(ua_outbox)
        ua_outbox.finish(item.id, owner="w1", now=T0,
                         outcome=ItemOutcome(status="dead", counted=True, error={"type": "X"}))
        again = ua_outbox.retry(item.id, now=T0 + 5)
        assert (again.status, again.failures, again.not_before) == ("queued", 0, T0 + 5)
        assert again.attempts == 1  # the history of attempts stays
        taken = claim(ua_outbox, "w2", at=T0 + 5)
        assert taken.id == item.id
        with pytest.raises(ConflictError, match="being sent"):
            ua_outbox.retry(item.id, now=T0 + 6)
        with pytest.raises(ConflictError, match="being sent"):
            ua_outbox.cancel(item.id, now=T0 + 6)
        ua_outbox.finish(item.id, owner="w2", outcome=delivered("P", None), now=T0 + 6)
        with pytest.raises(ConflictError, match="delivered"):
            ua_outbox.retry(item.id, now=T0 + 7)
        with pytest.raises(ConflictError, match="delivered"):
            ua_outbox.cancel(item.id, now=T0 + 7)
        with pytest.raises(NotFoundError):
            ua_outbox.retry("ob_" + "0" * 20, now=T0)

    def test_listing_filters_and_counts(self, ua_outbox: OutboxStore) -> None:
        items = [ua_outbox.add(new(queue)) for queue in (GB, IE, GLOBEX, GB)]
        claim(ua_outbox)
        ua_outbox.finish(items[0].id, owner="w1", outcome=delivered("P", None), now=T0)
        assert [i.id for i in ua_outbox.items()] == [i.id for i in items]
        assert [i.id for i in ua_outbox.items(status="delivered")] == [items[0].id]
        assert [i.id for i in ua_outbox.items(queue=GB)] == [items[0].id, items[3].id]
        assert [i.id for i in ua_outbox.items(connection="globex")] == [items[2].id]
        assert [i.id for i in ua_outbox.items(after_seq=items[1].seq, limit=1)] == [items[2].id]
        counts = ua_outbox.counts()
        assert counts["delivered"] == 1
        assert counts["queued"] == 3
        assert counts["dead"] == counts["failed"] == counts["cancelled"] == 0

    def test_a_new_instance_reads_what_an_earlier_one_wrote(
        self, ua_outbox_factory: OutboxFactory
    ) -> None:
        first = ua_outbox_factory()
        item = first.add(new())
        first.close()
        second = ua_outbox_factory()
        try:
            assert second.get(item.id) == item
        finally:
            second.close()

    def test_competing_workers_never_send_one_business_twice_at_once(
        self, ua_outbox_factory: OutboxFactory
    ) -> None:
        queues = [Queue("sage", "acme", f"biz-{n}") for n in range(4)]
        setup = ua_outbox_factory()
        planned = {queue: [setup.add(new(queue)).id for _ in range(12)] for queue in queues}
        setup.close()
        claimed: dict[Queue, list[str]] = {queue: [] for queue in queues}
        finishing: set[str] = set()
        problems: list[str] = []
        guard = threading.Lock()

        def check(item: Any) -> None:
            # Marked before ``finish`` runs, so a claim of the next item of the queue that
            # does not find its predecessor marked was made while that one was still sending.
            position = planned[item.queue].index(item.id)
            earlier = planned[item.queue][position - 1] if position else None
            if earlier is not None and earlier not in finishing:
                problems.append(f"{item.id} claimed while {earlier} was being sent")
            claimed[item.queue].append(item.id)

        def work(number: int) -> None:
            store = ua_outbox_factory()
            try:
                while (item := claim(store, f"w{number}")) is not None:
                    with guard:
                        check(item)
                        finishing.add(item.id)
                    store.finish(item.id, owner=f"w{number}", now=T0,
                                 outcome=delivered(f"P-{item.id}", None))
            except BaseException as exc:  # collected and asserted by the test thread
                problems.append(repr(exc))
            finally:
                store.close()

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert problems == []
        assert claimed == planned
