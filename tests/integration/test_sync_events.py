"""Change events from a real sync against the Sage sandbox: what a product's listener hears.

The listener is ``on_change`` of ``ua.sync`` / ``Syncer``; it runs inside each page's commit,
so a listener that fails leaves the page uncommitted and the next run tells it again, with
the same event ids.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.events import ChangeEvent
from unified_accounting.syncing import Syncer, scope_of
from unified_accounting.webhooks import open_webhook_store


class Heard(list[ChangeEvent]):
    """Keeps every event; refuses the ``fail_at``-th one (counting from 1) once."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__()
        self.fail_at = fail_at

    def __call__(self, event: ChangeEvent) -> None:
        if self.fail_at is not None and len(self) + 1 == self.fail_at:
            self.fail_at = None
            raise RuntimeError("the product's handler is down")
        self.append(event)

    def kinds(self) -> list[str]:
        return sorted({event.type for event in self})


def test_a_sync_tells_created_then_updated_and_deleted_and_nothing_for_rereads(
    sage_sandbox: SageSandbox, tmp_path: Path
) -> None:
    client = sage_sandbox.connect()
    ids = sage_sandbox.seed_contacts(30)
    heard = Heard()
    path = tmp_path / "mirror.sqlite3"
    first = ua.sync(client, path, ["contacts"], on_change=heard)
    assert len(heard) == first.total("inserted") >= 30
    assert heard.kinds() == ["contacts.created"]
    assert {event.business_id for event in heard} == {client.business_id}
    contact = next(e for e in heard if e.record_id == ids[0]).model()
    assert isinstance(contact, ua.Contact)

    heard.clear()
    ua.sync(client, path, ["contacts"], on_change=heard)  # the overlap re-reads: no news
    assert heard == []

    client.contacts.update(ids[1], {"name": "Renamed Ltd"})
    client.contacts.delete(ids[2])
    ua.sync(client, path, ["contacts"], on_change=heard)
    assert sorted((e.type, e.record_id) for e in heard) == sorted(
        [("contacts.updated", ids[1]), ("contacts.deleted", ids[2])])
    updated = next(e for e in heard if e.action == "updated")
    assert updated.data is not None
    assert updated.data["name"] == "Renamed Ltd"
    deleted = next(e for e in heard if e.action == "deleted")
    assert deleted.data is not None  # the last data the mirror held
    assert deleted.data["id"] == ids[2]
    client.close()


def test_a_failing_listener_fails_its_page_and_the_next_run_repeats_the_same_ids(
    sage_sandbox: SageSandbox, tmp_path: Path
) -> None:
    client = sage_sandbox.connect()
    sage_sandbox.seed_contacts(25)
    with ua.SQLiteMirror(tmp_path / "mirror.sqlite3") as mirror:
        failing = Heard(fail_at=15)
        result = Syncer(mirror, resources=["contacts"], page_size=10,
                        on_change=failing).run(client)
        assert isinstance(result.streams[0].error, RuntimeError)
        committed = [e.id for e in failing][:10]  # the first page committed; the second not
        assert mirror.count(scope_of(client), "contacts") == 10
        again = Heard()
        assert Syncer(mirror, resources=["contacts"], page_size=10,
                      on_change=again).run(client).ok
        told_twice = {e.id for e in failing[10:]} & {e.id for e in again}
        assert len(told_twice) == 4  # the rolled-back page's events come back, same ids
        assert not set(committed) & {e.id for e in again}
    client.close()


def test_ledger_entries_tell_their_postings_and_a_void_tells_only_its_reversal(
    sage_sandbox: SageSandbox, tmp_path: Path
) -> None:
    client = sage_sandbox.connect()
    invoice_ids = sage_sandbox.seed_invoices(3, lines=2)
    path = tmp_path / "mirror.sqlite3"
    store = open_webhook_store(str(path))
    store.add_endpoint("http://127.0.0.1:9/ledger", event_types=["ledger_entries.*"])
    heard = Heard()
    first = ua.sync(client, path, ["invoices", "ledger_entries"], on_change=heard)
    ledger = [e for e in heard if e.resource == "ledger_entries"]
    assert len(ledger) == first.streams[1].inserted > 0
    assert {e.type for e in ledger} == {"ledger_entries.created"}
    entries = [e.model() for e in ledger]
    assert all(isinstance(entry, ua.LedgerEntry) for entry in entries)
    assert {entry.transaction_type for entry in entries} == {"sales_invoice"}
    assert sum(entry.debit for entry in entries) == sum(entry.credit for entry in entries)

    heard.clear()
    client.invoices.delete(invoice_ids[0], void_reason="Raised in error")
    ua.sync(client, path, ["invoices", "ledger_entries"], on_change=heard)
    reversal = [e for e in heard if e.resource == "ledger_entries"]
    assert reversal  # the postings are append-only: the void posts new, reversing entries
    assert {e.type for e in reversal} == {"ledger_entries.created"}
    assert len({e.data["transaction_id"] for e in reversal if e.data}) == 1
    [queued] = store.counts().values()
    assert queued == {"pending": len(ledger) + len(reversal)}  # the endpoint wants only these
    store.close()
    client.close()


def test_a_mirror_that_cannot_report_changes_is_refused_at_once() -> None:
    class Silent(ua.SQLiteMirror):
        emits_changes = False

    with pytest.raises(ua.ConfigurationError, match="does not report changes"):
        Syncer(Silent.__new__(Silent), on_change=print)


def test_without_a_listener_or_endpoint_nothing_is_written_beside_the_records(
    sage_sandbox: SageSandbox, tmp_path: Path
) -> None:
    import sqlite3

    sage_sandbox.seed_contacts(5)
    client = sage_sandbox.connect()
    ua.sync(client, tmp_path / "mirror.sqlite3", ["contacts"])
    with sqlite3.connect(tmp_path / "mirror.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM change_events").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM webhook_deliveries").fetchone() == (0,)
    client.close()

