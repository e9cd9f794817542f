"""Tax codes resolved against each sandbox country's seeded tax rates, and used on invoices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import customer, open_client, sales_invoice

EXPECTED: dict[str, dict[str, str]] = {
    "GB": {"standard": "GB_STANDARD", "reduced": "GB_LOWER", "zero": "GB_ZERO",
           "exempt": "GB_EXEMPT", "no_tax": "GB_NO_TAX"},
    "IE": {"standard": "IE_STANDARD", "reduced": "IE_REDUCED",
           "second_reduced": "IE_SECOND_REDUCED", "super_reduced": "IE_LIVESTOCK",
           "zero": "IE_ZERO", "exempt": "IE_EXEMPT"},
    "FR": {"standard": "FR_STANDARD", "reduced": "FR_INTERMEDIATE",
           "second_reduced": "FR_REDUCED", "super_reduced": "FR_SUPER_REDUCED",
           "zero": "FR_ZERO", "exempt": "FR_EXEMPT"},
    "ES": {"standard": "ES_STANDARD", "reduced": "ES_REDUCED",
           "super_reduced": "ES_SUPER_REDUCED", "zero": "ES_ZERO", "exempt": "ES_EXEMPT"},
    "DE": {"standard": "DE_STANDARD", "reduced": "DE_REDUCED", "zero": "DE_ZERO",
           "exempt": "DE_EXEMPT"},
    "CA": {"zero": "CA_ZERO", "exempt": "CA_EXEMPT"},
}
CA_PROVINCES = {"QC": "CA_GST_QST", "ON": "CA_HST_ON", "AB": "CA_GST", "BC": "CA_GST_PST_BC",
                "NB": "CA_HST_NB", "YT": "CA_GST"}
STANDARD_TAX = {"GB": "20.00", "IE": "23.00", "FR": "20.00", "ES": "21.00", "DE": "19.00"}
SALES_CODE = {"GB": 4000, "IE": 4000, "FR": 706000, "ES": 700000, "DE": 8400, "CA": 4000,
              "US": 4000}


@pytest.fixture(scope="module")
def clients(sandbox: SageSandbox, token: str) -> dict[str, ua.Client]:
    return {country: open_client(sandbox, token, country)
            for country in ("GB", "IE", "US", "CA", "FR", "ES", "DE")}


@pytest.mark.parametrize(("country", "code", "rate_id"), [
    (country, code, rate_id) for country, codes in EXPECTED.items()
    for code, rate_id in codes.items()])
def test_unified_codes_resolve_to_the_business_rates(
        clients: dict[str, ua.Client], country: str, code: str, rate_id: str) -> None:
    assert clients[country].extras.tax_codes.resolve(code) == rate_id


@pytest.mark.parametrize(("province", "rate_id"), sorted(CA_PROVINCES.items()))
def test_canada_resolves_the_standard_rate_by_province(
        clients: dict[str, ua.Client], province: str, rate_id: str) -> None:
    canada = clients["CA"].extras.tax_codes
    assert canada.resolve("standard", region=province) == rate_id
    assert canada.resolve("standard", region=f"CA-{province}") == rate_id


def test_canada_needs_a_province_for_the_standard_rate(clients: dict[str, ua.Client]) -> None:
    with pytest.raises(ua.ValidationError, match="province"):
        clients["CA"].extras.tax_codes.resolve("standard")


@pytest.mark.parametrize(("country", "code"), [("GB", "super_reduced"), ("DE", "second_reduced"),
                                              ("ES", "second_reduced")])
def test_a_code_a_country_lacks_is_refused(clients: dict[str, ua.Client], country: str,
                                           code: str) -> None:
    with pytest.raises(ua.ValidationError):
        clients[country].extras.tax_codes.resolve(code)


def test_us_rates_need_a_mapping_or_a_name(clients: dict[str, ua.Client]) -> None:
    us = clients["US"]
    with pytest.raises(ua.ValidationError, match="defined by each business"):
        us.extras.tax_codes.resolve("standard")
    new_york = next(r for r in us.tax_rates.list() if r.name == "NY Sales Tax")
    assert us.extras.tax_codes.resolve("standard", name="NY Sales Tax") == new_york.id
    us.extras.tax_codes.set({"standard": new_york.id})  # type: ignore[dict-item]
    try:
        assert us.extras.tax_codes.resolve("standard") == new_york.id
    finally:
        us.extras.tax_codes.clear()


@pytest.mark.parametrize("country", sorted(STANDARD_TAX))
def test_an_invoice_with_the_standard_code_is_taxed_at_the_statutory_rate(
        clients: dict[str, ua.Client], sandbox: SageSandbox, country: str) -> None:
    client = clients[country]
    buyer = customer(client)
    account = sandbox.ledger_account_id(country, SALES_CODE[country])
    created = client.invoices.create(sales_invoice(buyer.id, account, tax_code="standard"))  # type: ignore[arg-type]
    assert created.lines[0].tax_rate_id == EXPECTED[country]["standard"]
    assert created.tax_amount == Decimal(STANDARD_TAX[country])


def test_a_quebec_invoice_carries_its_region(clients: dict[str, ua.Client],
                                             sandbox: SageSandbox) -> None:
    client = clients["CA"]
    buyer = customer(client)
    created = client.invoices.create(
        sales_invoice(buyer.id, sandbox.ledger_account_id("CA", 4000), tax_code="standard"),  # type: ignore[arg-type]
        tax_region="QC", provider_fields={"notes": "Livraison à Montréal"})
    assert created.lines[0].tax_rate_id == "CA_GST_QST"
    assert created.tax_amount == Decimal("14.98")
    assert created.notes == "Livraison à Montréal"


@pytest.mark.parametrize("country", ["GB", "IE", "FR", "ES", "DE", "US", "CA"])
def test_chart_suggestions_name_the_sales_account(clients: dict[str, ua.Client],
                                                  sandbox: SageSandbox, country: str) -> None:
    offered = {s.concept: s for s in clients[country].extras.account_mapping.suggest()}
    # France suggests 707 (sales of goods) for sales and 706 for services and subscriptions.
    code = 707000 if country == "FR" else SALES_CODE[country]
    assert offered["sales"].ledger_account_id == sandbox.ledger_account_id(country, code)
