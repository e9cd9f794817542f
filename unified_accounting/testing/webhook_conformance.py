"""Contract tests of a webhook store and the mirror whose commits queue its deliveries.

Give a factory that opens the mirror and the store on one empty database::

    class TestMyStore(WebhookStoreConformance):
        @pytest.fixture
        def ua_webhook_pair(self, tmp_path):
            path = tmp_path / "mirror.sqlite3"
            mirror, store = SQLiteMirror(path), SQLiteWebhookStore(path)
            yield mirror, store
            store.close(); mirror.close()
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from unified_accounting.errors import ValidationError
from unified_accounting.models import DeletedRecord
from unified_accounting.syncing.cursor import StreamState
from unified_accounting.syncing.mirror import Mirror, MirrorItem, Scope, StreamKey
from unified_accounting.webhooks.signing import generate_secret
from unified_accounting.webhooks.store import ClaimedDelivery, Outcome, WebhookStore

__all__ = ["WebhookPair", "WebhookStoreConformance"]

WebhookPair = tuple[Mirror, WebhookStore]

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
SEC = timedelta(seconds=1)
ACME = Scope("sage", "acme", "biz-gb")
GLOBEX = Scope("sage", "globex", "biz-gb")
URL = "https://hooks.example.com/ua?token=abc"


def _change(mirror: Mirror, scope: Scope, record_id: str, step: int,
            resource: str = "contacts") -> None:
    at = T0 + step * SEC
    mirror.commit(StreamKey(scope, resource), state=StreamState(), upserts=[MirrorItem(
        id=record_id, updated_at=at, data={"id": record_id, "v": step})])


def _record_and_version(claimed: ClaimedDelivery) -> tuple[str, int]:
    body = json.loads(claimed.body)
    return body["record_id"], body["data"]["v"]


def _deliver(store: WebhookStore, claimed: list[ClaimedDelivery], now: float) -> None:
    store.finish([(c, Outcome(delivered=True, status=204)) for c in claimed], now=now)


class WebhookStoreConformance:
    """Tests every webhook store passes, with the mirror that writes its events."""

    @pytest.fixture
    def ua_webhook_pair(self) -> WebhookPair:
        raise NotImplementedError("provide a ua_webhook_pair fixture")

    def test_nothing_is_queued_before_an_endpoint_exists(self, ua_webhook_pair: WebhookPair
                                                        ) -> None:
        mirror, store = ua_webhook_pair
        _change(mirror, ACME, "a", 0)
        endpoint = store.add_endpoint(URL)
        assert store.claim(10, lease=60) == []
        _change(mirror, ACME, "a", 1)
        [claimed] = store.claim(10, lease=60)
        assert claimed.endpoint_id == endpoint.id
        assert '"type":"contacts.updated"' in claimed.body

    def test_endpoints_get_only_the_types_and_connection_they_asked_for(
        self, ua_webhook_pair: WebhookPair
    ) -> None:
        mirror, store = ua_webhook_pair
        everything = store.add_endpoint(URL)
        created = store.add_endpoint(URL, event_types=["contacts.created"])
        deleted = store.add_endpoint(URL, event_types=["*.deleted"], connection="globex")
        _change(mirror, ACME, "a", 0)
        _change(mirror, ACME, "a", 1)
        mirror.commit(StreamKey(GLOBEX, "invoices"), state=StreamState(),
                      deletions=[DeletedRecord(id="i", deleted_at=T0)])
        counts = store.counts()
        assert counts[everything.id] == {"pending": 3}
        assert counts[created.id] == {"pending": 1}
        assert counts[deleted.id] == {"pending": 1}

    def test_one_record_is_delivered_in_order_and_others_in_parallel(
        self, ua_webhook_pair: WebhookPair
    ) -> None:
        mirror, store = ua_webhook_pair
        base = time.time()
        store.add_endpoint(URL)
        for step in range(3):
            _change(mirror, ACME, "a", step)
        _change(mirror, ACME, "b", 0)
        first = store.claim(10, lease=60, now=base + 1000.0)
        assert sorted(_record_and_version(c) for c in first) == [("a", 0), ("b", 0)]
        assert store.claim(10, lease=60, now=base + 1001.0) == []  # a's next waits for a's first
        _deliver(store, first, base + 1002.0)
        [second] = store.claim(10, lease=60, now=base + 1003.0)
        assert _record_and_version(second) == ("a", 1)
        store.finish([(second, Outcome(delivered=False, status=500, error="HTTP 500",
                                       retry_at=base + 2000.0))], now=base + 1004.0)
        assert store.claim(10, lease=60, now=base + 1999.0) == []  # backing off holds the record
        [again] = store.claim(10, lease=60, now=base + 2000.0)
        assert (again.event_id, again.attempts) == (second.event_id, 1)

    def test_a_lease_that_runs_out_lets_another_worker_claim(
        self, ua_webhook_pair: WebhookPair
    ) -> None:
        mirror, store = ua_webhook_pair
        base = time.time()
        store.add_endpoint(URL)
        _change(mirror, ACME, "a", 0)
        [held] = store.claim(10, lease=30, now=base + 1000.0)
        assert store.claim(10, lease=30, now=base + 1029.0) == []
        [taken] = store.claim(10, lease=30, now=base + 1031.0)
        assert taken.event_id == held.event_id
        assert taken.claim != held.claim
        # The late worker's failure is not saved over the new holder's claim...
        store.finish([(held, Outcome(delivered=False, error="late", retry_at=base + 5000.0))],
                     now=base + 1032.0)
        assert store.deliveries(states=("pending",), with_errors=True)[0].last_error is None
        # ...but a delivery is saved whoever finishes it.
        _deliver(store, [held], base + 1033.0)
        assert store.deliveries(states=("delivered",))[0].attempts == 1

    def test_failed_for_good_holds_the_record_until_retried(
        self, ua_webhook_pair: WebhookPair
    ) -> None:
        mirror, store = ua_webhook_pair
        base = time.time()
        endpoint = store.add_endpoint(URL)
        _change(mirror, ACME, "a", 0)
        _change(mirror, ACME, "a", 1)
        [claimed] = store.claim(10, lease=60, now=base + 1000.0)
        store.finish([(claimed, Outcome(delivered=False, status=400, error="HTTP 400"))],
                     now=base + 1001.0)
        [failed] = store.deliveries(endpoint_id=endpoint.id)
        assert (failed.state, failed.last_status, failed.attempts) == ("failed", 400, 1)
        assert store.claim(10, lease=60, now=base + 5000.0) == []
        assert store.retry(event_ids=[failed.event_id], now=base + 5001.0) == 1
        [retried] = store.claim(10, lease=60, now=base + 5002.0)
        assert (retried.event_id, retried.attempts) == (failed.event_id, 0)

    def test_a_disabled_endpoint_waits_and_gets_nothing_new(self, ua_webhook_pair: WebhookPair
                                                           ) -> None:
        mirror, store = ua_webhook_pair
        base = time.time()
        endpoint = store.add_endpoint(URL)
        _change(mirror, ACME, "a", 0)
        [claimed] = store.claim(10, lease=60, now=base + 1000.0)
        gone = Outcome(delivered=False, status=410, error="410 Gone", retry_at=base + 1000.0,
                       disable_reason="answered 410 Gone")
        store.finish([(claimed, gone)], now=base + 1000.0)
        _change(mirror, ACME, "b", 0)
        assert store.claim(10, lease=60, now=base + 2000.0) == []
        assert store.counts()[endpoint.id] == {"pending": 1}
        found = store.endpoint(endpoint.id)
        assert found is not None
        assert found.disabled_reason == "answered 410 Gone"
        assert store.set_disabled(endpoint.id, None)
        assert len(store.claim(10, lease=60, now=base + 2001.0)) == 1

    def test_endpoints_are_validated_listed_removed_and_never_show_the_secret(
        self, ua_webhook_pair: WebhookPair
    ) -> None:
        _, store = ua_webhook_pair
        with pytest.raises(ValidationError) as refused:
            store.add_endpoint("ftp://x", secret="plain",  # noqa: S106 - refused on purpose
                               event_types=["contacts.removed"])
        assert set(refused.value.errors) == {"url", "secret", "event_types[0]"}
        secret = generate_secret()
        endpoint = store.add_endpoint(URL, secret=secret, description="billing")
        [listed] = store.endpoints()
        assert listed.secret == secret
        assert secret.reveal() not in repr(listed)
        assert "token=abc" not in repr(listed)
        assert store.remove_endpoint(endpoint.id)
        assert not store.remove_endpoint(endpoint.id)
        assert store.endpoints() == []

    def test_removing_an_endpoint_drops_its_queue_and_prune_forgets_delivered(
        self, ua_webhook_pair: WebhookPair
    ) -> None:
        mirror, store = ua_webhook_pair
        base = time.time()
        kept, dropped = store.add_endpoint(URL), store.add_endpoint(URL)
        _change(mirror, ACME, "a", 0)
        store.remove_endpoint(dropped.id)
        [claimed] = store.claim(10, lease=60, now=base + 1000.0)
        assert claimed.endpoint_id == kept.id
        _deliver(store, [claimed], base + 1001.0)
        assert store.prune(older_than=base + 1000.5) == 0
        assert store.prune(older_than=base + 1002.0) == 1
        assert store.counts() == {}
