"""``client.ledger_entries`` against Sage-shaped answers: types joined, deletions kept apart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import responses
from unified_accounting_sage.mappers.ledger_entries import to_unified

import unified_accounting as ua

from .sage_http import BASE, calls_to, envelope, query
from .sage_json import ref


def entry(ident: str, tx: str, *, debit: Any = "0.0", credit: Any = "0.0",
          deleted: bool = False, created: str = "2025-03-01T10:00:00Z",
          **extra: Any) -> dict[str, Any]:
    """A Sage ledger entry."""
    return {
        "id": ident, "displayed_as": "SI-1", "$path": f"/ledger_entries/{ident}",
        "created_at": created, "updated_at": created, "date": "2025-03-01",
        "debit": debit, "credit": credit,
        "ledger_account": ref("ledger_accounts", "la1100", "Trade Debtors (1100)"),
        "transaction": ref("transactions", tx, "SI-1"),
        "contact": ref("contacts", "c1", "Acme"), "deleted": deleted,
        "tax_rate": None, "description": "SI-1", "journal_code": None, **extra,
    }


def transaction(ident: str, type_id: str) -> dict[str, Any]:
    return {"id": ident, "displayed_as": ident, "$path": f"/transactions/{ident}",
            "transaction_type": ref("transaction_types", type_id, type_id.title())}


def test_a_page_learns_its_transaction_types_in_one_list(rsps: responses.RequestsMock,
                                                         client: ua.Client) -> None:
    rsps.get(f"{BASE}/ledger_entries", json=envelope([
        entry("e1", "t1", debit="120.0"), entry("e2", "t1", credit="120.0"),
        entry("e3", "t2", debit="5", created="2025-03-02T08:00:00Z"),
        entry("e4", "t3", credit="5", created="2025-03-02T08:00:00Z"),
        entry("gone", "t4", debit="9", deleted=True)]))
    rsps.get(f"{BASE}/transactions", json=envelope([
        transaction("t1", "SALES_INVOICE"), transaction("t2", "VENDOR_PAYMENT")]))
    rsps.get(f"{BASE}/transactions/t3", json=transaction("t3", "TAX_RETURN"))
    found = list(client.ledger_entries.list(from_date=date(2025, 3, 1), ledger_account_id="la"))
    assert [(e.id, e.transaction_type) for e in found] == [
        ("e1", "sales_invoice"), ("e2", "sales_invoice"), ("e3", "supplier_payment"),
        ("e4", "other")]
    assert found[3].remote_data == {"transaction_type": {"id": "TAX_RETURN"}}
    assert (found[0].debit, found[0].credit, found[0].contact_id) == (
        Decimal("120.0"), Decimal("0"), "c1")
    sent = query(calls_to(rsps, "GET", "/ledger_entries")[0])
    assert (sent["from_date"], sent["ledger_account_id"]) == ("2025-03-01", "la")
    listed = query(calls_to(rsps, "GET", "/transactions")[0])
    assert listed["updated_or_created_since"] == "2025-03-01T10:00:00+00:00"
    # Types are kept: reading the same entries again asks for no transaction.
    list(client.ledger_entries.list())
    assert len(calls_to(rsps, "GET", "/transactions")) == 1


def test_narrowed_fields_and_expanded_transactions_need_no_lookup(
    rsps: responses.RequestsMock, client: ua.Client
) -> None:
    expanded = ref("transactions", "t9", "J-1") | {
        "transaction_type": ref("transaction_types", "JOURNAL", "Journal")}
    rsps.get(f"{BASE}/ledger_entries", json=envelope([
        entry("e1", "t1", debit="1"), entry("e9", "t9", credit="1", transaction=expanded)]))
    narrowed = list(client.ledger_entries.list(fields=["debit", "credit", "ledger_account_id"]))
    assert [e.transaction_type for e in narrowed] == [None, "journal"]
    attributes = query(rsps.calls[0])["attributes"].split(",")
    assert {"debit", "credit", "ledger_account", "date", "deleted"} <= set(attributes)
    assert len(calls_to(rsps, "GET", "/transactions")) == 0


def test_get_refuses_a_deleted_entry_and_list_deleted_reports_it(
    rsps: responses.RequestsMock, client: ua.Client
) -> None:
    rsps.get(f"{BASE}/ledger_entries/gone", json=entry("gone", "t1", debit="1", deleted=True))
    with pytest.raises(ua.NotFoundError):
        client.ledger_entries.get("gone")
    rsps.get(f"{BASE}/ledger_entries", json=envelope([
        entry("e1", "t1", debit="1"), entry("gone", "t1", debit="1", deleted=True,
                                             created="2025-03-03T12:00:00Z")]))
    since = datetime(2025, 3, 1, 9, 30, 15, 500000, tzinfo=UTC)
    deleted = list(client.ledger_entries.list_deleted(since=since))
    assert [(d.id, d.deleted_at) for d in deleted] == [
        ("gone", datetime(2025, 3, 3, 12, 0, tzinfo=UTC))]
    assert query(calls_to(rsps, "GET", "/ledger_entries")[0])["updated_or_created_since"] == (
        "2025-03-01T09:30:15+00:00")


def test_entries_cannot_be_written(rsps: responses.RequestsMock, client: ua.Client) -> None:
    for call in (lambda: client.ledger_entries.create(object()),
                 lambda: client.ledger_entries.delete("e1"),
                 lambda: client.ledger_entries.update("e1", {})):
        with pytest.raises(ua.UnsupportedOperationError):
            call()
    assert len(rsps.calls) == 0


def test_the_mapper_nets_both_sides_and_needs_a_date_and_an_account() -> None:
    both = to_unified(entry("e1", "t1", debit="10.00", credit="4.00"))
    assert (both.debit, both.credit) == (Decimal("6.00"), Decimal("0"))
    negative = to_unified(entry("e2", "t1", debit="-3.50"))
    assert (negative.debit, negative.credit) == (Decimal("0"), Decimal("3.50"))
    assert to_unified(entry("e3", "t1"), sage_type="JOURNAL").transaction_type == "journal"
    with pytest.raises(ValueError, match="date or a ledger account"):
        to_unified(entry("e4", "t1", ledger_account=None))


def test_an_unreadable_entry_is_a_provider_error(rsps: responses.RequestsMock,
                                                 client: ua.Client) -> None:
    rsps.get(f"{BASE}/ledger_entries", json=envelope([entry("e1", "t1", debit={"x": 1})]))
    with pytest.raises(ua.ProviderError, match="ledger_entries record"):
        list(client.ledger_entries.list(fields=["debit"]))
