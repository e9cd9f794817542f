"""Static data: cached per business with a TTL, pinned inside a sync run."""

from __future__ import annotations

import pytest
import responses
from unified_accounting_sage.reference_cache import ReferenceCache

import unified_accounting as ua

from .sage_http import BASE, BUSINESS_ID, calls_to, connect, lookup


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_the_ttl() -> None:
    clock, loads = Clock(), []
    cache = ReferenceCache(ttl=60, clock=clock)

    def load() -> list[str]:
        loads.append(clock.now)
        return ["GBP"]

    assert cache.get("b1", "currencies", load) == ["GBP"]
    clock.now = 59
    cache.get("b1", "currencies", load)
    clock.now = 61
    cache.get("b1", "currencies", load)
    assert loads == [0, 61]


def test_entries_are_kept_per_business() -> None:
    cache = ReferenceCache(ttl=60, clock=Clock())
    cache.get("b1", "countries", lambda: ["GB"])
    assert cache.get("b2", "countries", lambda: ["CA"]) == ["CA"]
    assert cache.get("b1", "countries", lambda: ["??"]) == ["GB"]


def test_nothing_expires_while_pinned() -> None:
    clock, loads = Clock(), []
    cache = ReferenceCache(ttl=60, clock=clock)

    def load() -> int:
        loads.append(1)
        return len(loads)

    cache.get(None, "tax_rates", load)
    with cache.pinned():
        clock.now = 10_000
        assert cache.get(None, "tax_rates", load) == 1
        with cache.pinned():
            clock.now = 20_000
        assert cache.get(None, "tax_rates", load) == 1
    assert cache.get(None, "tax_rates", load) == 2


def test_callers_get_copies() -> None:
    cache = ReferenceCache(ttl=60, clock=Clock())
    first = cache.get(None, "x", lambda: [{"id": "a"}])
    first[0]["id"] = "changed"
    assert cache.get(None, "x", lambda: []) == [{"id": "a"}]


def test_reference_lists_are_fetched_once(rsps: responses.RequestsMock,
                                          client: ua.Client) -> None:
    rsps.get(f"{BASE}/countries", json=lookup("countries", "GB", "IE"))
    rsps.get(f"{BASE}/currencies", json=lookup("currencies", "GBP"))
    with client.extras.pinned():
        for _ in range(3):
            assert [c["id"] for c in client.extras.reference("countries")] == ["GB", "IE"]
    client.extras.reference("currencies")
    assert len(calls_to(rsps, "GET", "/countries")) == 1
    assert rsps.calls[0].request.headers["X-Business"] == BUSINESS_ID
    client.extras.refresh("countries")
    client.extras.reference("countries")
    assert len(calls_to(rsps, "GET", "/countries")) == 2


@pytest.mark.parametrize("name", ["address_types", "contact_types", "countries", "currencies",
                                  "ledger_account_types", "payment_methods", "bank_accounts"])
def test_every_reference_list_of_a_typical_integration(
        rsps: responses.RequestsMock, client: ua.Client, name: str) -> None:
    rsps.get(f"{BASE}/{name}", json=lookup(name, "ONE"))
    assert client.extras.reference(name)[0]["id"] == "ONE"
    assert name in client.extras.reference_lists


def test_an_unknown_list_is_refused(rsps: responses.RequestsMock, client: ua.Client) -> None:
    with pytest.raises(ua.ValidationError):
        client.extras.reference("planets")
    assert len(rsps.calls) == 0


def test_the_ttl_is_configurable(rsps: responses.RequestsMock) -> None:
    client = connect(static_data_ttl=5)
    assert client.extras._tenant.reference_cache.ttl == 5
    with pytest.raises(ua.ConfigurationError):
        connect(static_data_ttl=-1)
