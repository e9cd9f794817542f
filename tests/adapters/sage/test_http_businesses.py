"""``client.businesses`` against Sage-shaped answers."""

from __future__ import annotations

import pytest
import responses

import unified_accounting as ua

from .sage_http import BASE, BUSINESS_ID, body, business_record, calls_to, envelope

OTHER = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"


def test_list_marks_the_lead_business(rsps: responses.RequestsMock, client: ua.Client) -> None:
    other = dict(business_record("CA"), id=OTHER, name="Acme Canada")
    rsps.get(f"{BASE}/businesses", json=envelope([business_record(), other], snake=True))
    rsps.get(f"{BASE}/businesses/lead", json=other)
    found = list(client.businesses.list())
    assert [(b.id, b.country, b.is_lead) for b in found] == [
        (BUSINESS_ID, "GB", False), (OTHER, "CA", True)]
    assert all("X-Business" not in c.request.headers for c in rsps.calls)
    assert client.extras.lead_business_id == OTHER


def test_get_reads_the_base_currency_of_that_business(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/businesses/{OTHER}", json=dict(business_record("CA"), id=OTHER))
    rsps.get(f"{BASE}/financial_settings", json={"base_currency": {"id": "CAD"},
                                                 "year_end_date": "2025-12-31"})
    found = client.businesses.get(OTHER)
    assert (found.country, found.base_currency) == ("CA", "CAD")
    [settings] = calls_to(rsps, "GET", "/financial_settings")
    assert settings.request.headers["X-Business"] == OTHER


def test_a_business_without_settings_access_still_reads(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/businesses/{BUSINESS_ID}", json=business_record())
    rsps.get(f"{BASE}/financial_settings", status=403, json=[])
    assert client.businesses.get(BUSINESS_ID).base_currency is None


def test_update_changes_the_name(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.put(f"{BASE}/businesses/{BUSINESS_ID}", json=dict(business_record(), name="New"))
    assert client.businesses.update(BUSINESS_ID, {"name": "New"}).name == "New"
    assert body(rsps.calls[0]) == {"business": {"name": "New", "idempotency_id": body(
        rsps.calls[0])["business"]["idempotency_id"]}}
    with pytest.raises(ua.UnsupportedOperationError):
        client.businesses.create(ua.Business(name="x"))
