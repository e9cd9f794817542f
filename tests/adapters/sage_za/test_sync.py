"""Incremental sync without a changed-since filter: Modified compared, deletions by absence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.syncing import SQLiteMirror, Syncer


def _direct(sb: SageZASandbox, method: str, path: str, **kwargs: object) -> requests.Response:
    creds = sb.credentials
    return requests.request(method, sb.base_url + path, timeout=5,
                            params={"apikey": creds["api_key"], "companyid": sb.company_id},
                            auth=(creds["username"], creds["password"]), **kwargs)  # type: ignore[arg-type]


def test_a_second_sync_reads_the_change_and_the_deletion(
        za_client: ua.Client, za_sandbox: SageZASandbox, tmp_path: Path) -> None:
    kept = za_client.contacts.create(ua.Contact(name="Kept", is_customer=True))
    gone = za_client.contacts.create(ua.Contact(name="Gone", is_customer=True))
    with SQLiteMirror(tmp_path / "mirror.db") as mirror:
        syncer = Syncer(mirror, resources=["contacts", "tax_rates"], max_workers=1)
        first = syncer.run(za_client)
        first.raise_for_errors()
        assert first.total("inserted") == 2 + 4
        za_sandbox.advance_clock(5)  # the change is stamped after the first run's window
        raw = _direct(za_sandbox, "GET", f"/Customer/Get/{kept.id[1:]}").json()  # type: ignore[index]
        assert _direct(za_sandbox, "POST", "/Customer/Save",
                       json={**raw, "Name": "Kept, renamed"}).status_code == 200
        # Deleted behind the adapter's back: only its absence from a re-list can tell.
        assert _direct(za_sandbox, "DELETE", f"/Customer/Delete/{gone.id[1:]}").status_code == 204  # type: ignore[index]
        second = syncer.run(za_client)
        second.raise_for_errors()
        contacts = next(s for s in second.streams if s.resource == "contacts")
        assert (contacts.updated, contacts.deleted, contacts.inserted) == (1, 1, 0)
        names = {r.name for r in za_client.contacts.list()}
    assert names == {"Kept, renamed"}


def test_updated_since_is_compared_here_unless_the_server_filter_is_switched_on(
        za_sandbox: SageZASandbox) -> None:
    plain = ua.connect("sage_za", settings=za_sandbox.settings(),
                       credentials=za_sandbox.credentials, business_id=za_sandbox.company_id)
    plain.contacts.create(ua.Contact(name="Old", is_customer=True))
    za_sandbox.advance_clock(120)
    since = za_sandbox.core.clock.now() - timedelta(seconds=30)
    plain.contacts.create(ua.Contact(name="New", is_customer=True))
    assert [c.name for c in plain.contacts.list(updated_since=since)] == ["New"]
    assert not any("$filter" in e for e in za_sandbox.counters().requests)
    filtered = ua.connect("sage_za", settings=za_sandbox.settings(modified_filter=True),
                          credentials=za_sandbox.credentials, business_id=za_sandbox.company_id)
    sent: list[dict[str, str]] = []
    session = filtered.context.transport.session
    original = session.request

    def capture(*args: object, **kwargs: object) -> requests.Response:
        sent.append(dict(kwargs.get("params") or {}))  # type: ignore[call-overload]
        return original(*args, **kwargs)  # type: ignore[arg-type]

    session.request = capture  # type: ignore[method-assign]
    assert [c.name for c in filtered.contacts.list(updated_since=since)] == ["New"]
    filters = [p["$filter"] for p in sent if "$filter" in p]
    assert filters
    assert filters[0].startswith("Modified ge datetime'")
    assert [c.name for c in filtered.contacts.list(
        updated_since=datetime.now(UTC) + timedelta(days=1))] == []
