"""``client.journals`` against Sage-shaped answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import responses

import unified_accounting as ua

from .sage_http import BASE, body, calls_to, envelope, query
from .sage_json import journal, ledger_account


def _entry(**first: object) -> ua.JournalEntry:
    line: dict[str, object] = {"account_id": "la7000", "debit": Decimal("5000.00")}
    line.update(first)
    return ua.JournalEntry(date=date(2025, 3, 31), reference="PAY-03", lines=[
        ua.JournalLine(**line),  # type: ignore[arg-type]
        ua.JournalLine(account_id="la2220", credit=Decimal("5000.00"))])


def test_create_sends_both_sides_of_every_line(rsps: responses.RequestsMock,
                                                client: ua.Client) -> None:
    rsps.post(f"{BASE}/journals", json=journal(), status=201)
    created = client.journals.create(_entry())
    sent = body(rsps.calls[0])["journal"]
    assert [(line["debit"], line["credit"]) for line in sent["journal_lines"]] == [
        ("5000.00", "0"), ("0", "5000.00")]
    assert len(sent["idempotency_id"]) == 32
    assert created.lines[1].credit == Decimal("1200.50")


def test_concepts_resolve_through_the_account_mapping(rsps: responses.RequestsMock,
                                                      client: ua.Client) -> None:
    rsps.get(f"{BASE}/ledger_accounts", json=envelope([
        ledger_account("OVERHEADS", 7000, "Wages", "la7000")]))
    rsps.post(f"{BASE}/journals", json=journal(), status=201)
    client.extras.account_mapping.set({"wages": "la7000"})
    client.journals.create(_entry(account_id=None, account_concept="wages"))
    [posted] = calls_to(rsps, "POST", "/journals")
    assert body(posted)["journal"]["journal_lines"][0]["ledger_account_id"] == "la7000"


def test_list_get_delete_and_deleted(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/journals", json=envelope([journal()]))
    rsps.get(f"{BASE}/journals/j1", json=journal())
    rsps.delete(f"{BASE}/journals/j1", status=204)
    [found] = client.journals.list(updated_since=datetime(2025, 3, 1, tzinfo=UTC))
    assert query(rsps.calls[0])["updated_or_created_since"] == "2025-03-01T00:00:00+00:00"
    assert found.description == "March payroll"
    assert client.journals.get("j1").reference == "PAY-03"
    client.journals.delete("j1")
    assert calls_to(rsps, "DELETE", "/journals/j1")
    deleted = list(client.journals.list_deleted(since=datetime(2025, 3, 1, tzinfo=UTC)))
    assert [d.id for d in deleted] == ["j1"]


def test_journals_cannot_be_updated(rsps: responses.RequestsMock, client: ua.Client) -> None:
    with pytest.raises(ua.UnsupportedOperationError):
        client.journals.update("j1", {"reference": "X"})
    assert len(rsps.calls) == 0
