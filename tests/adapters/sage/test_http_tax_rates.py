"""``client.tax_rates`` against Sage-shaped answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
import responses

import unified_accounting as ua

from .sage_http import BASE, add_business, body, calls_to, envelope, query
from .sage_json import tax_rate


def test_rates_are_classified_with_the_business_country(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    add_business(rsps, "IE")
    rsps.get(f"{BASE}/tax_rates", json=envelope([
        tax_rate("r23", "Standard", "23.00"), tax_rate("r135", "Reduced", "13.50"),
        tax_rate("rx", "Exempt", "0.00")]))
    found = list(client.tax_rates.list(usage="sales"))
    assert [(r.code, r.rate, r.country) for r in found] == [
        ("standard", Decimal("23.00"), "IE"), ("reduced", Decimal("13.50"), "IE"),
        ("exempt", Decimal("0.00"), "IE")]
    assert query(calls_to(rsps, "GET", "/tax_rates")[0])["usage"] == "sales"


def test_canadian_rates_can_be_listed_per_province(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    add_business(rsps, "CA")
    rsps.get(f"{BASE}/tax_rates", json=envelope([tax_rate("CA_GST_QST", "GST & QST", "14.975")]))
    [rate] = client.tax_rates.list(region="CA-QC")
    assert rate.code == "standard"
    assert query(calls_to(rsps, "GET", "/tax_rates")[0])["address_region_id"] == "CA-QC"


def test_writes_are_us_only(rsps: responses.RequestsMock, client: ua.Client) -> None:
    add_business(rsps, "GB")
    with pytest.raises(ua.UnsupportedOperationError, match="only for US"):
        client.tax_rates.create(ua.TaxRate(name="Local", rate=Decimal("3")))
    with pytest.raises(ua.UnsupportedOperationError):
        client.tax_rates.delete("GB_STANDARD")
    assert calls_to(rsps, "POST", "/tax_rates") == []
    assert calls_to(rsps, "DELETE", "/tax_rates/GB_STANDARD") == []


def test_a_us_business_creates_and_updates_rates(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    add_business(rsps, "US")
    created = tax_rate("us1", "Travis County", "8.25", agency="Texas Comptroller")
    rsps.get(f"{BASE}/tax_rates", json=envelope([created]))
    rsps.post(f"{BASE}/tax_rates", json=created, status=201)
    rsps.put(f"{BASE}/tax_rates/us1", json=created)
    rsps.delete(f"{BASE}/tax_rates/us1", status=204)
    client.extras.reference("tax_rates")
    rate = client.tax_rates.create(ua.TaxRate(name="Travis County", rate=Decimal("8.25")),
                                   provider_fields={"agency": "Texas Comptroller"})
    sent = body(calls_to(rsps, "POST", "/tax_rates")[0])["tax_rate"]
    assert sent["component_tax_rate"] == [{"name": "Travis County", "percentage": "8.25"}]
    assert sent["agency"] == "Texas Comptroller"
    assert rate.rate == Decimal("8.25")
    client.tax_rates.update("us1", {"is_active": False, "rate": Decimal("8.5")})
    put = body(calls_to(rsps, "PUT", "/tax_rates/us1")[0])["tax_rate"]
    assert (put["is_visible"], put["percentage"]) == (False, "8.5")
    assert "component_tax_rate" not in put
    client.tax_rates.delete("us1")
    # The cached rates were dropped by the writes, so resolution sees the new state.
    client.extras.reference("tax_rates")
    assert len(calls_to(rsps, "GET", "/tax_rates")) == 2
