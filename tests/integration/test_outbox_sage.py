"""The outbox against the Sage v3.1 sandbox (a real HTTP server): queue, deliver, recover.

A worker on a test clock delivers through a real client. Lost answers are resent with the
same ``idempotency_id`` and stored once; refusals fail with their unified error and take the
writes that refer to them along; a 429 pauses one business while another goes on; a dead
write holds its business until an operator retries or cancels it from the command line.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.outbox_fixtures import NO_RETRY, ManualClock, RecordingSession, worker
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.cli import main
from unified_accounting.outbox import OutboxOperation, Queue, SQLiteOutbox


@pytest.fixture
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=11) as sb:
        yield sb


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[SQLiteOutbox]:
    with SQLiteOutbox(tmp_path / "outbox.sqlite3") as store:
        yield store


def invoice_for(contact_id: str, sb: SageSandbox, reference: str = "INV-1") -> ua.Invoice:
    return ua.Invoice(type="sales", contact_id=contact_id, issue_date=date(2026, 3, 1),
                      reference=reference, lines=[ua.InvoiceLine(
                          description="Support", quantity=Decimal("2"),
                          unit_price=Decimal("50.00"), account_id=sb.ledger_account_id("GB", 4000),
                          tax_code="standard")])


def test_writes_are_delivered_in_order_with_references_resolved(
    sandbox: SageSandbox, outbox: SQLiteOutbox
) -> None:
    client = sandbox.connect("GB", outbox=outbox)
    contact = client.outbox.create(ua.Contact(name="Northwind", is_customer=True))
    invoice = client.outbox.create(invoice_for(ua.OutboxRef(contact), sandbox))
    update = client.outbox.update("contacts", ua.OutboxRef(contact),
                                  {"email": "ap@northwind.test"})
    assert [outbox.get(i).status for i in (contact, invoice, update)] == ["queued"] * 3  # type: ignore[union-attr]
    summary = worker(outbox, lambda queue: client).run(until_idle=True)
    assert (summary.delivered, summary.attempts) == (3, 3)
    done = {i: outbox.get(i) for i in (contact, invoice, update)}
    assert all(item.status == "delivered" for item in done.values())  # type: ignore[union-attr]
    contact_id = done[contact].provider_id  # type: ignore[union-attr]
    stored = client.invoices.get(done[invoice].provider_id)  # type: ignore[union-attr, arg-type]
    assert stored.contact_id == contact_id
    assert stored.total_amount == Decimal("120.00")
    assert done[invoice].result["total_amount"] == "120.00"  # type: ignore[union-attr, index]
    assert client.contacts.get(contact_id).email == "ap@northwind.test"  # type: ignore[arg-type]
    assert done[update].provider_id == contact_id  # type: ignore[union-attr]


def test_a_lost_answer_is_resent_with_the_same_idempotency_id_and_stored_once(
    sandbox: SageSandbox, outbox: SQLiteOutbox
) -> None:
    recorder = RecordingSession()
    client = sandbox.connect("GB", outbox=outbox, session=recorder.session, retry=NO_RETRY)
    before = len(list(client.contacts.list()))
    sandbox.queue_fault("drop_after_commit", 2, method="POST", path_contains="/contacts")
    contact = client.outbox.create(ua.Contact(name="Lost Answer Ltd", is_customer=True))
    assert outbox.get(contact).idempotency_key  # type: ignore[union-attr]
    clock = ManualClock()
    delivering = worker(outbox, lambda queue: client, clock)
    first = delivering.deliver_one()
    assert first is not None
    assert (first.status, first.failures) == ("queued", 1)
    assert first.error is not None
    assert first.error["type"] == "ProviderUnavailableError"
    second = delivering.deliver_one()
    assert second is not None
    assert (second.status, second.attempts) == ("queued", 2)
    third = delivering.deliver_one()
    assert third is not None
    assert (third.status, third.attempts) == ("delivered", 3)
    posted = [body["contact"]["idempotency_id"] for body in recorder.bodies("POST", "/contacts")]
    assert len(posted) == 3
    assert len(set(posted)) == 1  # the same id on every attempt: Sage replays the first answer
    names = [c.name for c in client.contacts.list()]
    assert len(names) == before + 1
    assert names.count("Lost Answer Ltd") == 1
    assert client.contacts.get(third.provider_id).name == "Lost Answer Ltd"  # type: ignore[arg-type]


def test_a_receipt_whose_answer_was_lost_is_not_refused_for_the_invoice_it_paid(
    sandbox: SageSandbox, outbox: SQLiteOutbox
) -> None:
    # The receipt's first attempt pays the invoice, then loses its answer. The next attempt
    # reads the invoice (nothing outstanding now) before sending: it must not refuse the
    # allocation, but send the same idempotency_id and get the first receipt back.
    client = sandbox.connect("GB", outbox=outbox, retry=NO_RETRY)
    contact = client.contacts.create(ua.Contact(name="Paid Twice Ltd", is_customer=True))
    invoice = client.invoices.create(invoice_for(contact.id, sandbox))  # type: ignore[arg-type]
    bank = client.proxy.request("GET", "/bank_accounts").json()["$items"][0]["id"]
    sandbox.queue_fault("drop_after_commit", 1, method="POST", path_contains="/contact_payments")
    receipt = client.outbox.create(ua.Payment(
        type="customer_receipt", contact_id=contact.id, date=date(2026, 3, 2),  # type: ignore[arg-type]
        amount=Decimal("120.00"), bank_account_id=bank, reference="RCPT-LOST",
        allocations=[ua.PaymentAllocation(invoice_id=invoice.id,  # type: ignore[arg-type]
                                          amount=Decimal("120.00"))]))
    delivering = worker(outbox, lambda queue: client)
    first = delivering.deliver_one()
    assert first is not None
    assert (first.id, first.status, first.failures) == (receipt, "queued", 1)
    assert client.invoices.get(invoice.id).amount_due == Decimal("0.00")  # type: ignore[arg-type]
    second = delivering.deliver_one()
    assert second is not None
    assert (second.status, second.attempts, second.error) == ("delivered", 2, None)
    receipts = [p for p in client.payments.list() if p.reference == "RCPT-LOST"]
    assert [p.id for p in receipts] == [second.provider_id]


def test_a_refusal_fails_with_its_error_and_takes_the_writes_referring_to_it(
    sandbox: SageSandbox, outbox: SQLiteOutbox
) -> None:
    client = sandbox.connect("GB", outbox=outbox)
    vendor = client.outbox.create(ua.Contact(name="Only A Vendor", is_supplier=True))
    refused = client.outbox.create(invoice_for(ua.OutboxRef(vendor), sandbox))
    follow_up = client.outbox.update("invoices", ua.OutboxRef(refused), {"notes": "thanks"})
    unrelated = client.outbox.create(ua.Contact(name="Goes On", is_customer=True))
    worker(outbox, lambda queue: client).run(until_idle=True)
    invoice = outbox.get(refused)
    assert invoice is not None
    assert invoice.status == "failed"
    assert invoice.error is not None
    assert invoice.error["type"] == "ValidationError"
    assert "contact_id" in invoice.error["field_errors"]
    dependent = outbox.get(follow_up)
    assert dependent is not None
    assert dependent.status == "failed"
    assert dependent.error is not None
    assert dependent.error["type"] == "ReferenceFailed"
    assert refused in dependent.error["message"]
    assert dependent.attempts == 1  # failed at its turn, without a request
    assert [outbox.get(i).status for i in (vendor, unrelated)] == ["delivered"] * 2  # type: ignore[union-attr]


def test_a_rate_limit_pauses_one_business_while_another_goes_on(
    sandbox: SageSandbox, outbox: SQLiteOutbox
) -> None:
    gb = sandbox.connect("GB", outbox=outbox, retry=NO_RETRY)
    ie = sandbox.connect("IE", outbox=outbox, retry=NO_RETRY)
    paused = gb.outbox.create(ua.Contact(name="Waits", is_customer=True))
    behind = gb.outbox.create(ua.Contact(name="Waits Too", is_customer=True))
    other = ie.outbox.create(ua.Contact(name="Goes On", is_customer=True))
    sandbox.set_rate_limits(business_per_minute=0)
    clock = ManualClock()
    clients = {gb.outbox.queue: gb, ie.outbox.queue: ie}
    delivering = worker(outbox, clients.__getitem__, clock)
    first = delivering.deliver_one()
    assert first is not None
    assert (first.id, first.status, first.failures) == (paused, "queued", 0)
    assert first.error is not None
    wait = first.error["retry_after"]
    assert 0 < wait <= 60
    assert first.not_before == clock.now + wait
    sandbox.set_rate_limits(business_per_minute=100)
    assert delivering.deliver_one().id == other  # type: ignore[union-attr]
    assert delivering.deliver_one() is None  # GB waits until its pause is over
    assert outbox.get(behind).status == "queued"  # type: ignore[union-attr]
    clock.advance(wait)
    assert delivering.run(until_idle=True).delivered == 2
    assert [outbox.get(i).status for i in (paused, behind)] == ["delivered"] * 2  # type: ignore[union-attr]


def test_a_dead_write_holds_its_business_until_an_operator_acts(
    sandbox: SageSandbox, outbox: SQLiteOutbox
) -> None:
    client = sandbox.connect("GB", outbox=outbox, retry=NO_RETRY)
    doomed = client.outbox.create(ua.Contact(name="Dead First", is_customer=True))
    behind = client.outbox.create(ua.Contact(name="Behind It", is_customer=True))
    sandbox.set_fault_rates(error_503=1.0)
    delivering = worker(outbox, lambda queue: client)
    summary = delivering.run(until_idle=True)
    assert (summary.requeued, summary.dead) == (3, 1)  # FAST allows four failures
    assert outbox.get(doomed).status == "dead"  # type: ignore[union-attr]
    assert outbox.get(behind).status == "queued"  # type: ignore[union-attr]
    assert delivering.run(until_idle=True).attempts == 0
    sandbox.clear_faults()
    url = f"sqlite://{outbox.path}"
    listed = CliRunner().invoke(main, ["outbox", "list", "--outbox", url, "--status", "dead",
                                       "--json"])
    assert listed.exit_code == 0, listed.output
    report = json.loads(listed.stdout)
    assert [item["id"] for item in report["items"]] == [doomed]
    assert report["items"][0]["error"]["type"] == "ProviderUnavailableError"
    assert report["counts"]["dead"] == 1
    retried = CliRunner().invoke(main, ["outbox", "retry", "--outbox", url, doomed])
    assert retried.exit_code == 0, retried.output
    assert f"{doomed} queued" in retried.output
    assert delivering.run(until_idle=True).delivered == 2
    names = [c.name for c in client.contacts.list()]
    assert names.index("Dead First") < names.index("Behind It")
    shown = CliRunner().invoke(main, ["outbox", "show", "--outbox", url, doomed])
    assert json.loads(shown.stdout)["result"]["name"] == "Dead First"


def test_an_operator_cancels_a_write_and_the_queue_goes_on(
    sandbox: SageSandbox, outbox: SQLiteOutbox
) -> None:
    client = sandbox.connect("GB", outbox=outbox)
    contact = client.outbox.create(ua.Contact(name="Never Sent", is_customer=True))
    invoice = client.outbox.create(invoice_for(ua.OutboxRef(contact), sandbox))
    later = client.outbox.create(ua.Contact(name="Sent", is_customer=True))
    url = f"sqlite://{outbox.path}"
    cancelled = CliRunner().invoke(main, ["outbox", "cancel", "--outbox", url, contact])
    assert cancelled.exit_code == 0, cancelled.output
    again = CliRunner().invoke(main, ["outbox", "cancel", "--outbox", url, contact])
    assert again.exit_code == 1
    assert "cancelled; it cannot be cancelled" in again.output
    worker(outbox, lambda queue: client).run(until_idle=True)
    assert [outbox.get(i).status for i in (contact, invoice, later)] == [  # type: ignore[union-attr]
        "cancelled", "failed", "delivered"]
    assert "is cancelled" in outbox.get(invoice).error["message"]  # type: ignore[union-attr, index]
    assert "Never Sent" not in [c.name for c in client.contacts.list()]


def test_enqueue_refuses_bad_writes_and_stores_nothing(
    sandbox: SageSandbox, outbox: SQLiteOutbox, tmp_path: Path
) -> None:
    client = sandbox.connect("GB", outbox=outbox)
    ie = sandbox.connect("IE", outbox=outbox)
    other_business = ie.outbox.create(ua.Contact(name="IE", is_customer=True))
    deleted = client.outbox.delete("contacts", "C-1")
    before = outbox.counts()
    bad = [
        (OutboxOperation.update("journals", "J1", {"reference": "x"}),
         ua.UnsupportedOperationError, "journals.update"),
        (OutboxOperation.create(ua.Contact(name="")), ua.ValidationError, "name"),
        (OutboxOperation.update("contacts", "C1", {"credit_limit": 1.5}),
         ua.ValidationError, "float"),
        (OutboxOperation.update("contacts", "C1", {"colour": "red"}),
         ua.ValidationError, "no field 'colour'"),
        (OutboxOperation.create(ua.Contact(name="x"), resource="invoices"),
         ua.ValidationError, "takes a invoice"),
        (OutboxOperation("gadgets", "create", ua.Contact(name="x")), ua.ValidationError,
         "not a resource"),
        (OutboxOperation.delete("contacts", ""), ua.ValidationError, "needs the record's id"),
        (OutboxOperation.create(invoice_for(ua.OutboxRef("ob_" + "0" * 20), sandbox)),
         ua.ValidationError, "no such outbox item"),
        (OutboxOperation.create(invoice_for(ua.OutboxRef(other_business), sandbox)),
         ua.ValidationError, "another business"),
        (OutboxOperation.update("contacts", ua.OutboxRef(deleted), {"email": "a@b.test"}),
         ua.ValidationError, "a delete leaves no record"),
    ]
    for operation, error, words in bad:
        with pytest.raises(error, match=words):
            client.outbox.enqueue(operation)
    assert outbox.counts() == before


def test_a_client_opens_its_outbox_by_url_and_closes_it(
    sandbox: SageSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "by-url.sqlite3"
    client = sandbox.connect("GB", outbox=f"sqlite://{path}")
    queued = client.outbox.create(ua.Contact(name="By URL", is_customer=True))
    assert client.outbox.queue == Queue("sage", client.connection, client.business_id or "")
    same = client.for_business(client.business_id or "")
    assert same.outbox.get(queued) is not None  # a derived client keeps the store
    same.close()
    client.close()
    with SQLiteOutbox(path) as reopened:
        item = reopened.get(queued)
    assert item is not None
    assert (item.status, item.resource, item.action) == ("queued", "contacts", "create")
    monkeypatch.setenv("UNIFIED_ACCOUNTING_OUTBOX", f"sqlite://{tmp_path / 'env.sqlite3'}")
    with sandbox.connect("GB") as from_env:
        from_env.outbox.create(ua.Contact(name="From Env", is_customer=True))
    with SQLiteOutbox(tmp_path / "env.sqlite3") as by_env:
        assert by_env.counts()["queued"] == 1


def test_a_store_that_fails_for_a_moment_does_not_stop_the_worker(
    sandbox: SageSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class FlakyOutbox(SQLiteOutbox):
        outages = 2

        def claim(self, **kwargs: Any) -> Any:
            if self.outages:
                self.outages -= 1
                raise sqlite3.OperationalError("disk I/O error")
            return super().claim(**kwargs)

    with FlakyOutbox(tmp_path / "flaky.sqlite3") as store:
        client = sandbox.connect("GB", outbox=store)
        queued = client.outbox.create(ua.Contact(name="After An Outage", is_customer=True))
        delivering = worker(store, lambda queue: client)
        runner = threading.Thread(target=delivering.run, kwargs={"poll_interval": 0.05})
        runner.start()
        try:
            deadline = time.monotonic() + 20
            while store.get(queued).status != "delivered":  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the worker stopped after the outage"
                time.sleep(0.05)
        finally:
            delivering.stop()
            runner.join()
    assert store.outages == 0
    assert caplog.text.count("the outbox store failed") == 2
