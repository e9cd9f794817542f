"""Ledger accounts, tax rates, businesses and reference data over HTTP against the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest
from unified_accounting_sage.business_routing import BusinessChangedWarning
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import nominal_code, open_client


def test_ledger_accounts(client: ua.Client, sandbox: SageSandbox) -> None:
    chart = list(client.ledger_accounts.list())
    by_code = {a.code: a for a in chart}
    assert (by_code["4000"].classification, by_code["4000"].type) == ("revenue", "revenue")
    assert by_code["1200"].type == "bank"
    assert client.ledger_accounts.get(sandbox.ledger_account_id("GB", 4000)).code == "4000"
    code = nominal_code()
    created = client.ledger_accounts.create(ua.LedgerAccount(name="Subscriptions",
                                                             code=code, type="revenue"))
    assert (created.code, created.classification) == (code, "revenue")
    renamed = client.ledger_accounts.update(created.id, {"name": "Subscription income"})  # type: ignore[arg-type]
    assert renamed.name == "Subscription income"
    assert [a.id for a in client.ledger_accounts.list(search=code)] == [created.id]
    assert created.id in {a.id for a in client.ledger_accounts.list(type="revenue")}


def test_tax_rates_are_read_and_classified(client: ua.Client) -> None:
    rates = {r.id: r for r in client.tax_rates.list()}
    assert rates["GB_STANDARD"].code == "standard"
    assert rates["GB_STANDARD"].rate == Decimal("20")
    assert client.tax_rates.get("GB_LOWER").code == "reduced"
    with pytest.raises(ua.UnsupportedOperationError):
        client.tax_rates.create(ua.TaxRate(name="Local", rate=Decimal("1")))


def test_a_us_business_manages_its_own_tax_rates(sandbox: SageSandbox, token: str) -> None:
    client = open_client(sandbox, token, "US")
    created = client.tax_rates.create(ua.TaxRate(name="Austin", rate=Decimal("8.25")),
                                      provider_fields={"agency": "Texas Comptroller"})
    assert created.name == "Austin"
    updated = client.tax_rates.update(created.id, {"name": "Austin City",  # type: ignore[arg-type]
                                                   "rate": Decimal("8.25")})
    assert (updated.name, updated.rate) == ("Austin City", Decimal("8.25"))
    client.extras.tax_codes.set({"standard": created.id})  # type: ignore[dict-item]
    assert client.extras.tax_codes.resolve("standard") == created.id
    client.extras.tax_codes.clear()
    client.tax_rates.delete(created.id)  # type: ignore[arg-type]
    with pytest.raises(ua.NotFoundError):
        client.tax_rates.get(created.id)  # type: ignore[arg-type]


def test_businesses(client: ua.Client, sandbox: SageSandbox) -> None:
    found = {b.country: b for b in client.businesses.list()}
    assert set(found) == {"GB", "IE", "US", "CA", "FR", "ES", "DE"}
    assert found["GB"].is_lead
    assert not found["FR"].is_lead
    french = client.businesses.get(sandbox.business_id("FR"))
    assert (french.country, french.base_currency) == ("FR", "EUR")
    lead = client.businesses.lead()
    assert lead.id == sandbox.business_id("GB")
    assert lead.base_currency == "GBP"
    renamed = client.businesses.update(sandbox.business_id("DE"), {"name": "Handel AG"})
    assert renamed.name == "Handel AG"


def test_a_lead_change_is_reported_not_followed(client: ua.Client,
                                                sandbox: SageSandbox) -> None:
    client.businesses.lead()
    sandbox.set_lead_business("IE")
    try:
        with pytest.warns(BusinessChangedWarning):
            lead = client.businesses.lead()
    finally:
        sandbox.set_lead_business("GB")
    assert lead.id == sandbox.business_id("IE")
    [change] = client.extras.business_changes
    assert (change.kind, change.actual) == ("lead_changed", sandbox.business_id("IE"))
    assert client.business_id == sandbox.business_id("GB")
    assert client.contacts.list().__next__ is not None


@pytest.mark.parametrize("name", ["address_types", "contact_types", "countries", "currencies",
                                  "ledger_account_types", "payment_methods", "bank_accounts",
                                  "contact_person_types"])
def test_reference_lists(client: ua.Client, sandbox: SageSandbox, name: str) -> None:
    records = client.extras.reference(name)
    assert records
    assert all(r.get("id") for r in records)
    before = sandbox.counters.requests.get(f"GET /{name}", 0)
    client.extras.reference(name)
    assert sandbox.counters.requests.get(f"GET /{name}", 0) == before


def test_account_mapping_against_the_sandbox_chart(client: ua.Client,
                                                   sandbox: SageSandbox) -> None:
    offered = {s.concept: s for s in client.extras.account_mapping.suggest()}
    assert offered["sales"].ledger_account_id == sandbox.ledger_account_id("GB", 4000)
    assert offered["bank"].ledger_account_id == sandbox.ledger_account_id("GB", 1200)
    with pytest.raises(ua.ValidationError) as caught:
        client.extras.account_mapping.set({"sales": sandbox.ledger_account_id("GB", 1200)})
    assert "sales" in caught.value.errors
    assert client.extras.account_mapping.get() is None


def test_the_proxy_reaches_unmapped_paths(client: ua.Client, sandbox: SageSandbox) -> None:
    settings = client.proxy.request("GET", "/financial_settings").json()
    assert settings["base_currency"]["id"] == "GBP"
    statuses = [r["id"] for r in client.proxy.paginate("/artefact_statuses")]
    assert "PAID" in statuses


def test_a_new_us_rate_keeps_its_component_percentage(sandbox: SageSandbox,
                                                      token: str) -> None:
    client = open_client(sandbox, token, "US")
    created = client.tax_rates.create(ua.TaxRate(name="Round Rock", rate=Decimal("8.25")))
    assert created.rate == Decimal("8.25")
