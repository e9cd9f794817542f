"""Webhooks lose nothing while their receiver is down, and keep each record's events in order.

The whole stack runs for real: a Sage sandbox on loopback, syncs into a SQLite file or a
PostgreSQL schema (their commits queue the events), two ``unified-accounting webhooks deliver``
processes, and a receiver process that verifies every signature and logs what it accepts.
The receiver is down while three rounds of edits are synced, so deliveries pile up and back
off; then it comes up, one worker is killed with SIGKILL and restarted, and the receiver is
killed and restarted once more. Every event must arrive (at least once), each record's
events in the order they happened.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.webhook_processes import Receiver, free_port, start_deliverer, stop
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.syncing import Mirror, SyncResult
from unified_accounting.webhooks.registry import open_webhook_store
from unified_accounting.webhooks.signing import generate_secret
from unified_accounting.webhooks.store import WebhookStore

pytestmark = pytest.mark.slow

#: Quick retries, so that a few seconds of downtime show several backed-off attempts.
WORKER_OPTIONS = ("--schedule", "0.25,0.5,1", "--max-attempts", "1000", "--poll", "0.05",
                  "--concurrency", "4", "--timeout", "5")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Mirror, str]]:
    """The mirror the syncs write to, and the location the workers open it by."""
    if request.param == "sqlite":
        path = tmp_path / "mirror.sqlite3"
        mirror: Mirror = ua.SQLiteMirror(path)
        location = str(path)
    else:
        from unified_accounting.syncing.postgres_mirror import PostgresMirror

        url, schema = (request.getfixturevalue("postgres_url"),
                       request.getfixturevalue("postgres_schema"))
        mirror = PostgresMirror(url, schema=schema, max_size=2)
        location = f"{url}{'&' if '?' in url else '?'}schema={schema}"
    yield mirror, location
    mirror.close()


def _changed(result: SyncResult) -> int:
    return sum(result.total(name) for name in ("inserted", "updated", "deleted"))


def _edit_and_sync(sb: SageSandbox, mirror: Mirror) -> int:
    """Three rounds of edits, each synced: returns how many changes the syncs committed."""
    client = sb.connect()
    ids = sb.seed_contacts(60)
    changes = _changed(ua.sync(client, mirror, ["contacts"]))
    for round_number in range(3):
        for contact_id in ids[round_number * 10: round_number * 10 + 25]:
            client.contacts.update(contact_id, {"name": f"Renamed {round_number} {contact_id}"})
        client.contacts.delete(ids[-1 - round_number])
        client.contacts.create(ua.Contact(name=f"New {round_number}", is_customer=True))
        changes += _changed(ua.sync(client, mirror, ["contacts"]))
    client.close()
    return changes


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _pending(store: WebhookStore) -> int:
    return sum(states.get("pending", 0) for states in store.counts().values())


def test_receiver_down_then_up_every_event_arrives_in_order_per_record(
    backend: tuple[Mirror, str], sage_sandbox: SageSandbox, tmp_path: Path
) -> None:
    mirror, location = backend
    store = open_webhook_store(location)
    secret = generate_secret()
    receiver = Receiver(free_port(), secret.reveal(), tmp_path / "received.jsonl")
    store.add_endpoint(receiver.url, secret=secret)
    workers = [start_deliverer(location, *WORKER_OPTIONS) for _ in range(2)]
    try:
        started = time.monotonic()
        changes = _edit_and_sync(sage_sandbox, mirror)
        assert changes >= 60 + 3 * 27  # the seeds, then 25 renames, a deletion, a creation
        time.sleep(2.5)  # the receiver is still down: deliveries pile up and back off
        retrying = store.deliveries(states=("failed",), with_errors=True, limit=10_000)
        assert retrying, "no attempt was made while the receiver was down"
        assert {d.last_error for d in retrying} == {"ConnectionError: no answer"}
        # Backing off (0.25 s, 0.5 s, then 1 s between attempts), not one per 50 ms poll.
        down_for = time.monotonic() - started
        assert 2 <= max(d.attempts for d in retrying) <= 3 + down_for / 0.9
        assert _pending(store) == changes  # every event is queued, none delivered

        receiver.start()
        _wait(lambda: len(receiver.lines()) >= changes // 3, 60, "a third of the events")
        stop(workers.pop(0), hard=True)  # killed in the middle of delivering
        workers.append(start_deliverer(location, *WORKER_OPTIONS))
        receiver.kill()
        time.sleep(0.5)
        receiver.start()
        _wait(lambda: _pending(store) == 0, 120, "every delivery")
    finally:
        errors = [stop(worker) for worker in workers]
        receiver.kill()
    assert not any("Traceback" in text for text in errors), errors

    delivered = store.deliveries(states=("delivered",), limit=100_000)
    store.close()
    assert len(delivered) == changes  # one event per committed change, each delivered
    seq_of = {d.event_id: d.event_seq for d in delivered}
    lines = receiver.lines()
    assert {line["id"] for line in lines} == set(seq_of)  # no gap, nothing unknown
    by_record: dict[str, list[int]] = defaultdict(list)
    for line in lines:
        by_record[line["lane"][-1]].append(seq_of[line["id"]])
    assert sum(len(set(seqs)) > 2 for seqs in by_record.values()) >= 10  # orders to check
    for record_id, seqs in by_record.items():
        assert seqs == sorted(seqs), f"{record_id} received out of order: {seqs}"
