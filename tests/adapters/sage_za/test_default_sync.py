"""A default sync (no resources named) of the v2 provider reads what v2 can list and skips the
rest (contact persons, ledger entries, attachments) instead of failing on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.syncing import RESOURCES, SQLiteMirror, Syncer


def test_a_default_sync_skips_the_kinds_v2_does_not_have(
        za_client: ua.Client, za_sandbox: SageZASandbox, tmp_path: Path) -> None:
    za_client.contacts.create(ua.Contact(name="Buyer", is_customer=True))
    listable = {name for name, found in za_client.capabilities().items()
                if found.supports("list")}
    missing = set(RESOURCES) - listable
    assert {"attachments", "ledger_entries", "contact_persons"} <= missing
    before = za_sandbox.counters().requests

    result = ua.sync(za_client, tmp_path / "mirror.db")

    streams = {stream.resource: stream for stream in result.streams}
    assert set(streams) == set(RESOURCES) & listable
    assert all(stream.error is None for stream in streams.values())
    assert streams["contacts"].inserted == 1
    asked = set(za_sandbox.counters().requests) - set(before)
    assert asked
    assert not any("attach" in endpoint.lower() for endpoint in asked)


def test_a_resource_named_is_synced_or_fails_never_skipped(
        za_client: ua.Client, tmp_path: Path) -> None:
    with SQLiteMirror(tmp_path / "mirror.db") as mirror:
        result = Syncer(mirror, resources=["contacts", "attachments"], max_workers=1).run(
            za_client)
    streams = {stream.resource: stream for stream in result.streams}
    assert streams["contacts"].error is None
    assert isinstance(streams["attachments"].error, ua.UnsupportedOperationError)
    with pytest.raises(ua.UnsupportedOperationError):
        result.raise_for_errors()


def test_attachments_are_not_mapped_and_fail_before_any_request(
        za_client: ua.Client, za_sandbox: SageZASandbox) -> None:
    attachments = za_client.attachments
    assert not any(attachments.supports(operation) for operation in
                   ("list", "get", "create", "delete", "upload", "download"))
    before = za_sandbox.counters().requests
    with pytest.raises(ua.UnsupportedOperationError, match=r"attachments\.create"):
        attachments.create(ua.Attachment(file_name="a.pdf", attached_to_kind="invoice",
                                         attached_to_id="TI1"), file=b"")
    with pytest.raises(ua.UnsupportedOperationError):
        attachments.download("1", "never.pdf")
    assert za_sandbox.counters().requests == before
