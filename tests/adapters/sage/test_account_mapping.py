"""``client.extras.account_mapping``: validated against the chart, stored per connection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import responses
from unified_accounting_sage.countries import AccountMapping
from unified_accounting_sage.mappings import MappingKind

import unified_accounting as ua

from .sage_http import BASE, BUSINESS_ID, add_business, calls_to, connect, envelope
from .sage_json import ledger_account

CHART = [
    ledger_account("SALES", 4000, "Sales", "la4000"),
    ledger_account("BANK", 1200, "Current", "la1200"),
    ledger_account("OVERHEADS", 7900, "Bank charges", "la7900", included=False),
]


def test_set_validates_against_the_chart(rsps: responses.RequestsMock,
                                         client: ua.Client) -> None:
    rsps.get(f"{BASE}/ledger_accounts", json=envelope(CHART))
    stored = client.extras.account_mapping.set({"subscription_revenue": "la4000",
                                                "bank": "la1200"})
    assert client.extras.account_mapping.get() == stored
    assert client.extras.account_mapping.resolve("Subscription revenue") == "la4000"


def test_a_wrong_mapping_is_refused_and_not_stored(rsps: responses.RequestsMock,
                                                   client: ua.Client) -> None:
    rsps.get(f"{BASE}/ledger_accounts", json=envelope(CHART))
    with pytest.raises(ua.ValidationError) as caught:
        client.extras.account_mapping.set({"sales": "la1200", "bank_charges": "la7900",
                                           "bank": "missing"})
    assert set(caught.value.errors) == {"sales", "bank_charges", "bank"}
    assert client.extras.account_mapping.get() is None
    # The chart was read again once, in case the account had just been added.
    assert len(calls_to(rsps, "GET", "/ledger_accounts")) == 2


def test_suggestions_are_offered_for_the_business_country(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    add_business(rsps, "GB")
    rsps.get(f"{BASE}/ledger_accounts", json=envelope(CHART))
    offered = {s.concept: s.ledger_account_id for s in client.extras.account_mapping.suggest()}
    assert offered["sales"] == "la4000"
    assert offered["bank"] == "la1200"
    assert client.extras.account_mapping.get() is None


class RecordingStore:
    """A store a product would back with its own database."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str | None, str], Mapping[str, Any] | None] = {}

    def load(self, connection: str, business_id: str | None,
             kind: MappingKind) -> Mapping[str, Any] | None:
        return self.saved.get((connection, business_id, kind))

    def save(self, connection: str, business_id: str | None, kind: MappingKind,
             data: Mapping[str, Any] | None) -> None:
        self.saved[(connection, business_id, kind)] = data


def test_a_custom_store_persists_the_mapping(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{BASE}/ledger_accounts", json=envelope(CHART))
    store = RecordingStore()
    client = connect(mapping_store=store, connection="acme")
    client.extras.account_mapping.set(AccountMapping({"bank": "la1200"}))
    assert store.saved[("acme", BUSINESS_ID, "accounts")] == {
        "accounts": {"bank": "la1200"}, "classifications": {}}
    again = connect(mapping_store=store, connection="acme")
    assert again.extras.account_mapping.resolve("bank") == "la1200"
    again.extras.account_mapping.clear()
    assert store.saved[("acme", BUSINESS_ID, "accounts")] is None


def test_a_store_without_the_protocol_is_refused() -> None:
    with pytest.raises(ua.ConfigurationError):
        connect(mapping_store=object())


def test_mappings_are_shared_by_clients_of_one_connection(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/ledger_accounts", json=envelope(CHART))
    client.extras.account_mapping.set({"bank": "la1200"})
    other = client.with_options(max_retries=0)
    assert other.extras.account_mapping.resolve("bank") == "la1200"
    assert connect().extras.account_mapping.get() is None
