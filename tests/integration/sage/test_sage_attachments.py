"""Attachments through the Sage adapter and the sandbox over HTTP: every kind of document,
lost answers, limits checked before sending, the file read in chunks, sync of the metadata."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from tests.support.files import pdf_bytes, write_pdf
from unified_accounting.http.streaming import CHUNK_BYTES
from unified_accounting.outbox import SQLiteOutbox
from unified_accounting.syncing import SQLiteMirror, Syncer, scope_of

from .books import (
    TODAY,
    customer,
    open_client,
    purchase_invoice,
    sales_invoice,
    supplier,
    unique,
)


class SpyFile(io.BytesIO):
    """A binary file that records the size of every read."""

    def __init__(self, data: bytes, name: str = "scan.pdf") -> None:
        super().__init__(data)
        self.name = name
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        piece = super().read(size)
        self.reads.append(len(piece))
        return piece


def _documents(client: ua.Client, sandbox: SageSandbox) -> dict[str, tuple[str, str, str]]:
    """One document of every kind a file can be kept with: name -> (kind, id, Sage type)."""
    sales, costs = sandbox.ledger_account_id("GB", 4000), sandbox.ledger_account_id("GB", 5000)
    buyer, vendor = customer(client), supplier(client)
    line = ua.InvoiceLine(description="Refund", unit_price=Decimal("10"), account_id=sales)
    bought = ua.InvoiceLine(description="Paper back", unit_price=Decimal("5"),
                            account_id=costs)
    journal = client.journals.create(ua.JournalEntry(date=TODAY, reference=unique("J"), lines=[
        ua.JournalLine(account_id=sandbox.ledger_account_id("GB", 7000), debit=Decimal("8")),
        ua.JournalLine(account_id=sandbox.ledger_account_id("GB", 2109),
                       credit=Decimal("8"))]))
    return {
        "sales invoice": ("invoice", client.invoices.create(
            sales_invoice(buyer.id or "", sales)).id or "", "SALES_INVOICE"),
        "purchase invoice": ("invoice", client.invoices.create(
            purchase_invoice(vendor.id or "", costs)).id or "", "PURCHASE_INVOICE"),
        "sales credit note": ("credit_note", client.credit_notes.create(ua.CreditNote(
            type="sales", contact_id=buyer.id or "", issue_date=TODAY, lines=[line])).id or "",
                              "SALES_CREDIT_NOTE"),
        "purchase credit note": ("credit_note", client.credit_notes.create(ua.CreditNote(
            type="purchase", contact_id=vendor.id or "", issue_date=TODAY, lines=[bought],
            number=unique("PC"))).id or "", "PURCHASE_CREDIT_NOTE"),
        "contact": ("contact", buyer.id or "", "CONTACT"),
        "journal": ("journal_entry", journal.id or "", "JOURNAL"),
    }


def test_a_file_goes_with_every_kind_of_document_and_comes_back(
    client: ua.Client, sandbox: SageSandbox, tmp_path: Path
) -> None:
    for number, (name, (kind, document_id, sage_type)) in enumerate(
            _documents(client, sandbox).items()):
        content = pdf_bytes(40_000 + number, seed=number)
        made = client.attachments.upload(io.BytesIO(content), (kind, document_id),
                                         file_name=f"{number}.pdf", description=name)
        assert (made.attached_to, made.size, made.mime_type, made.description) == (
            (kind, document_id), len(content), "application/pdf", name)
        listed = list(client.attachments.list(attached_to=(kind, document_id)))
        assert [found.id for found in listed] == [made.id], name
        raw = client.attachments.list(attached_to=(kind, document_id),
                                      include_remote_data=True)
        assert next(iter(raw)).remote_data["attachment_context_type"]["id"] == sage_type
        target = tmp_path / f"{number}.pdf"
        assert client.attachments.download(made.id or "", target) == len(content)
        assert target.read_bytes() == content


def test_a_path_uploads_under_its_own_name_read_in_chunks(
    client: ua.Client, tmp_path: Path
) -> None:
    contact = customer(client)
    path = write_pdf(tmp_path / "statement.pdf", 3 * CHUNK_BYTES + 10)
    made = client.attachments.upload(path, ("contact", contact.id or ""))
    assert (made.file_name, made.size) == ("statement.pdf", path.stat().st_size)
    spy = SpyFile(pdf_bytes(7 * CHUNK_BYTES), name="spy.pdf")
    spied = client.attachments.upload(spy, ("contact", contact.id or ""))
    # The upload read its file CHUNK_BYTES at a time while it was sent, never all at once.
    assert max(spy.reads) == CHUNK_BYTES
    assert sum(spy.reads) == 7 * CHUNK_BYTES
    sink = io.BytesIO()
    client.attachments.download(spied.id or "", sink)
    assert sink.getvalue() == spy.getvalue()


def test_a_lost_answer_is_retried_with_the_same_idempotency_id(
    client: ua.Client, sandbox: SageSandbox
) -> None:
    contact = customer(client)
    spy = SpyFile(pdf_bytes(2 * CHUNK_BYTES))
    before = sandbox.record_counts()["GB"].get("attachments", 0)
    sandbox.queue_fault("drop_after_commit", method="POST", path_contains="/attachments")
    made = client.attachments.upload(spy, ("contact", contact.id or ""))
    assert sandbox.record_counts()["GB"]["attachments"] == before + 1
    assert sum(spy.reads) == 2 * 2 * CHUNK_BYTES  # each attempt read the file from its start
    assert client.attachments.get(made.id or "").size == 2 * CHUNK_BYTES


def test_a_download_cut_off_is_retried_into_the_same_file(
    client: ua.Client, sandbox: SageSandbox, tmp_path: Path
) -> None:
    content = pdf_bytes(200_000)
    made = client.attachments.upload(io.BytesIO(content), ("contact", customer(client).id or ""),
                                     file_name="a.pdf")
    sandbox.queue_fault("error_503", method="GET", path_contains="/file")
    sandbox.queue_fault("drop", method="GET", path_contains="/file")
    target = tmp_path / "a.pdf"
    assert client.attachments.download(made.id or "", target) == len(content)
    assert target.read_bytes() == content


@pytest.mark.parametrize(("change", "field"), [
    (lambda doc: {"attached_to": ("invoice", "0" * 32)}, "attached_to_id"),
    (lambda doc: {"attached_to": ("payment", doc)}, "attached_to_kind"),
    (lambda doc: {"file_name": "tool.exe"}, "mime_type"),
    (lambda doc: {"mime_type": "image/gif"}, "mime_type"),
], ids=["no-such-invoice", "payment", "exe", "gif"])
def test_a_refused_upload_writes_nothing(
    client: ua.Client, sandbox: SageSandbox, change: Callable[[str], dict[str, Any]],
    field: str,
) -> None:
    contact = customer(client).id or ""
    arguments: dict[str, Any] = {"attached_to": ("contact", contact), "file_name": "a.pdf",
                                 **change(contact)}
    before = sandbox.counters.requests.get("POST /attachments", 0)
    with pytest.raises(ua.ValidationError) as caught:
        client.attachments.upload(io.BytesIO(b"%PDF-1.4"), **arguments)
    assert field in caught.value.errors
    assert sandbox.counters.requests.get("POST /attachments", 0) == before


def test_the_size_limit_follows_the_setting(
    sandbox: SageSandbox, token: str
) -> None:
    small = open_client(sandbox, token, settings={**sandbox.settings,
                                                  "attachment_max_bytes": 100})
    contact = customer(small).id or ""
    with pytest.raises(ua.ValidationError) as caught:
        small.attachments.upload(io.BytesIO(b"x" * 101), ("contact", contact), file_name="a.pdf")
    assert caught.value.errors["file"] == [
        "is 101 bytes; Sage takes files of at most 100 bytes"]
    assert small.attachments.upload(io.BytesIO(b"x" * 100), ("contact", contact),
                                    file_name="a.pdf").size == 100


def test_sync_mirrors_the_metadata_and_the_deletion(
    client: ua.Client, sandbox: SageSandbox, tmp_path: Path
) -> None:
    contact = customer(client).id or ""
    kept = client.attachments.upload(io.BytesIO(b"%PDF kept"), ("contact", contact),
                                     file_name="kept.pdf")
    gone = client.attachments.upload(io.BytesIO(b"%PDF gone"), ("contact", contact),
                                     file_name="gone.pdf")
    with SQLiteMirror(tmp_path / "mirror.db") as mirror:
        syncer = Syncer(mirror, resources=["attachments"], max_workers=1)
        syncer.run(client).raise_for_errors()
        sandbox.advance_clock(5)
        client.attachments.delete(gone.id or "")
        second = syncer.run(client)
        second.raise_for_errors()
        assert second.streams[0].deleted == 1
        stored = mirror.get(scope_of(client), "attachments", kept.id or "")
        removed = mirror.get(scope_of(client), "attachments", gone.id or "")
    assert stored is not None
    assert removed is None
    assert (stored.model().file_name, stored.model().size) == ("kept.pdf", 9)


def test_the_outbox_refuses_an_upload_but_queues_a_deletion(
    client: ua.Client, sandbox: SageSandbox, tmp_path: Path
) -> None:
    made = client.attachments.upload(io.BytesIO(b"%PDF"), ("contact", customer(client).id or ""),
                                     file_name="a.pdf")
    with SQLiteOutbox(tmp_path / "outbox.sqlite3") as store:
        queued = sandbox.connect("GB", outbox=store)
        with pytest.raises(ua.ValidationError) as caught:
            queued.outbox.create(made)
        assert "does not keep files" in caught.value.errors["resource"][0]
        deletion = queued.outbox.delete("attachments", made.id or "")
        assert store.get(deletion).status == "queued"  # type: ignore[union-attr]
