from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from unified_accounting_sage.countries import (
    PROVINCES,
    TaxCodeError,
    classify_tax_rate,
    resolve_tax_rate,
    tax_address_region_id,
)
from unified_accounting_sage.mappers import invoices
from unified_accounting_sage.mappers import tax_rates as tax_rate_mapper

from .sage_json import tax_rate


def _tenant() -> list[Any]:
    """Canadian rates as Sage lists them for every province since 2021."""
    return [
        tax_rate("CA_GST", "GST", "5.0"),
        tax_rate("CA_PST_BC", "PST", "7.0"),
        tax_rate("CA_GST_PST_BC", "GST & PST", "12.0"),
        tax_rate("CA_GST_PST_BC_1", "GST & PST", "13.0"),
        tax_rate("CA_PST_MB", "RST", "7.0"),
        tax_rate("CA_GST_PST_MB", "GST & PST", "12.0"),
        tax_rate("CA_PST_SK", "PST", "6.0"),
        tax_rate("CA_GST_PST_SK", "GST & PST", "11.0"),
        tax_rate("CA_HST_ON", "HST", "13.0"),
        tax_rate("CA_HST_NB", "HST", "15.0"),
        tax_rate("CA_HST_NL", "HST", "15.0"),
        tax_rate("CA_HST_PE", "HST", "15.0"),
        tax_rate("CA_HST_NS", "HST", "14.0"),
        tax_rate("CA_QST", "QST", "9.975"),
        tax_rate("CA_GST_QST", "GST & QST", "14.975"),
        tax_rate("CA_ZERO", "Zero-rated", "0.0"),
        tax_rate("CA_EXEMPT", "Exempt", "0.0"),
        tax_rate("CA_NO_TAX", "No Tax", "0.0"),
    ]


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("AB", "CA_GST"), ("NT", "CA_GST"), ("NU", "CA_GST"), ("YT", "CA_GST"),
        ("BC", "CA_GST_PST_BC"), ("MB", "CA_GST_PST_MB"), ("SK", "CA_GST_PST_SK"),
        ("ON", "CA_HST_ON"), ("NB", "CA_HST_NB"), ("NL", "CA_HST_NL"), ("PE", "CA_HST_PE"),
        ("NS", "CA_HST_NS"),
        ("QC", "CA_GST_QST"), ("qc", "CA_GST_QST"), ("CA-QC", "CA_GST_QST"),
    ],
)
def test_standard_rate_by_province(region: str, expected: str) -> None:
    assert resolve_tax_rate("CA", _tenant(), "standard", region=region) == expected


def test_statutory_totals() -> None:
    totals = {code: province.total for code, province in PROVINCES.items()}
    assert totals["QC"] == Decimal("14.975")
    assert PROVINCES["QC"].taxes == ("GST", "QST")
    assert totals["ON"] == Decimal("13")
    assert {totals[p] for p in ("NB", "NL", "PE")} == {Decimal("15")}
    assert totals["BC"] == totals["MB"] == Decimal("12")
    assert {totals[p] for p in ("AB", "NT", "NU", "YT")} == {Decimal("5")}
    assert len(PROVINCES) == 13


def test_the_province_is_required_for_the_standard_rate() -> None:
    with pytest.raises(TaxCodeError, match="province of supply"):
        resolve_tax_rate("CA", _tenant(), "standard")
    with pytest.raises(TaxCodeError, match="province of supply"):
        resolve_tax_rate("CA", _tenant(), "standard", region="XX")


@pytest.mark.parametrize(("code", "expected"),
                         [("zero", "CA_ZERO"), ("exempt", "CA_EXEMPT"), ("no_tax", "CA_NO_TAX")])
def test_rates_that_do_not_depend_on_the_province(code: str, expected: str) -> None:
    assert resolve_tax_rate("CA", _tenant(), code) == expected


def test_reduced_rates_do_not_exist() -> None:
    with pytest.raises(TaxCodeError, match="Canada has no 'reduced' rate"):
        resolve_tax_rate("CA", _tenant(), "reduced", region="ON")


def test_quebec_by_name_when_ids_are_opaque() -> None:
    tenant = [tax_rate("x1", "GST", "5"), tax_rate("x2", "TPS & TVQ", "14.975"),
              tax_rate("x3", "GST & QST", "14.975")]
    with pytest.raises(TaxCodeError) as caught:
        resolve_tax_rate("CA", tenant, "standard", region="QC")
    assert caught.value.candidates == ("x2", "x3")
    # A rate that names the province settles it.
    tenant[2] = tax_rate("x3", "GST & QST (QC)", "14.975")
    assert resolve_tax_rate("CA", tenant, "standard", region="QC") == "x3"
    assert resolve_tax_rate("CA", tenant[:2], "standard", region="QC") == "x2"


def test_a_pst_rate_must_name_its_province() -> None:
    tenant = [tax_rate("y1", "GST & PST", "12.0"), tax_rate("y2", "GST & PST (MB)", "12.0")]
    with pytest.raises(TaxCodeError, match="no tax rate"):
        resolve_tax_rate("CA", tenant, "standard", region="BC")
    assert resolve_tax_rate("CA", tenant, "standard", region="MB") == "y2"


def test_one_shared_hst_rate_serves_every_15_percent_province() -> None:
    tenant = [tax_rate("h15", "HST", "15.0"), tax_rate("h13", "HST", "13.0")]
    for region in ("NB", "NL", "PE"):
        assert resolve_tax_rate("CA", tenant, "standard", region=region) == "h15"


def test_a_mapping_may_be_keyed_by_province() -> None:
    mapping = {"standard:QC": "CA_QST", "standard": "CA_GST"}
    assert resolve_tax_rate("CA", _tenant(), "standard", region="QC", mapping=mapping) == "CA_QST"
    assert resolve_tax_rate("CA", _tenant(), "standard", region="CA-QC",
                            mapping=mapping) == "CA_QST"
    assert resolve_tax_rate("CA", _tenant(), "standard", region="ON", mapping=mapping) == "CA_GST"


def test_tax_address_region_on_a_quebec_invoice() -> None:
    assert tax_address_region_id("qc") == "CA-QC"
    assert tax_address_region_id("CA-ON") == "CA-ON"
    with pytest.raises(KeyError):
        tax_address_region_id("ZZ")
    from datetime import date

    from unified_accounting.models import Invoice, InvoiceLine

    inv = Invoice(type="sales", contact_id="c", issue_date=date(2025, 5, 1), lines=[
        InvoiceLine(description="Service", unit_price=Decimal("100"), account_id="a",
                    tax_code="standard", tax_amount=Decimal("14.98"))])
    body = invoices.to_sage(
        inv,
        provider_fields={"tax_address_region_id": tax_address_region_id("QC")},
        resolve_tax_code=lambda code: resolve_tax_rate("CA", _tenant(), code, region="QC"),
    )
    assert body["tax_address_region_id"] == "CA-QC"
    assert body["invoice_lines"][0]["tax_rate_id"] == "CA_GST_QST"


def test_classification() -> None:
    codes = {rate["id"]: classify_tax_rate("CA", rate) for rate in _tenant()}
    assert codes["CA_GST"] == "standard"
    assert codes["CA_GST_QST"] == "standard"
    assert codes["CA_HST_ON"] == "standard"
    assert codes["CA_PST_BC"] is None
    assert codes["CA_ZERO"] == "zero"
    rate = tax_rate_mapper.to_unified(_tenant()[0], business_id=None, include_remote=False)
    assert (rate.country, rate.code) == ("CA", "standard")
