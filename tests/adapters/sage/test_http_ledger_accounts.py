"""``client.ledger_accounts`` against Sage-shaped answers."""

from __future__ import annotations

import pytest
import responses

import unified_accounting as ua

from .sage_http import BASE, body, calls_to, envelope, query
from .sage_json import LEDGER_SALES_ID, ledger_account


def test_list_classifies_and_keeps_unknown_types(rsps: responses.RequestsMock,
                                                 client: ua.Client) -> None:
    rsps.get(f"{BASE}/ledger_accounts", json=envelope([
        ledger_account(), ledger_account("TAXES", 2200, "VAT", "la2200"),
        ledger_account("LINE_OF_CREDIT", 1250, "Overdraft", "la1250")]))
    found = list(client.ledger_accounts.list(search="4000", type="revenue"))
    assert [(a.classification, a.type) for a in found] == [
        ("revenue", "revenue"), (None, "other"), ("liability", "other")]
    assert found[1].remote_data == {"ledger_account_type": {
        "id": "TAXES", "displayed_as": "Taxes", "$path": "/ledger_account_types/TAXES"}}
    sent = query(rsps.calls[0])
    assert (sent["search"], sent["ledger_account_type_id"]) == ("4000", "SALES")
    with pytest.raises(ua.ValidationError):
        list(client.ledger_accounts.list(type="other"))


def test_create_and_update_drop_the_cached_chart(rsps: responses.RequestsMock,
                                                 client: ua.Client) -> None:
    rsps.get(f"{BASE}/ledger_accounts", json=envelope([ledger_account()]))
    rsps.post(f"{BASE}/ledger_accounts", json=ledger_account(), status=201)
    rsps.put(f"{BASE}/ledger_accounts/{LEDGER_SALES_ID}", json=ledger_account())
    client.extras.reference("ledger_accounts")
    created = client.ledger_accounts.create(ua.LedgerAccount(
        name="Subscriptions", code="4010", type="revenue"))
    sent = body(calls_to(rsps, "POST", "/ledger_accounts")[0])["ledger_account"]
    assert (sent["nominal_code"], sent["ledger_account_type_id"]) == (4010, "SALES")
    assert sent["display_name"] == "Subscriptions"
    assert created.code == "4000"
    client.extras.reference("ledger_accounts")
    client.ledger_accounts.update(LEDGER_SALES_ID, {"name": "Sales"})
    put = body(calls_to(rsps, "PUT", f"/ledger_accounts/{LEDGER_SALES_ID}")[0])
    assert set(put["ledger_account"]) == {"name", "display_name", "idempotency_id"}
    client.extras.reference("ledger_accounts")
    assert len(calls_to(rsps, "GET", "/ledger_accounts")) == 3


def test_ledger_accounts_cannot_be_deleted(rsps: responses.RequestsMock,
                                           client: ua.Client) -> None:
    with pytest.raises(ua.UnsupportedOperationError):
        client.ledger_accounts.delete(LEDGER_SALES_ID)
    assert len(rsps.calls) == 0
