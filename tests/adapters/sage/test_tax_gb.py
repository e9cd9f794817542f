from __future__ import annotations

from typing import Any

import pytest
from unified_accounting_sage.countries import TaxCodeError, classify_tax_rate, resolve_tax_rate

from .sage_json import tax_rate


def _tenant() -> list[Any]:
    return [
        tax_rate("GB_STANDARD", "Standard", "20.0"),
        tax_rate("GB_LOWER", "Lower Rate", "5.0"),
        tax_rate("GB_ZERO", "Zero Rated", "0.0"),
        tax_rate("GB_EXEMPT", "Exempt", "0.0"),
        tax_rate("GB_NO_TAX", "No VAT", "0.0"),
        tax_rate("GB_REDUCED_2", "Reduced Rate 2", "12.5", visible=False),
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("standard", "GB_STANDARD"), ("reduced", "GB_LOWER"), ("zero", "GB_ZERO"),
     ("exempt", "GB_EXEMPT"), ("no_tax", "GB_NO_TAX")],
)
def test_each_code_resolves_to_sages_id(code: str, expected: str) -> None:
    assert resolve_tax_rate("GB", _tenant(), code) == expected
    assert resolve_tax_rate("gb", _tenant(), code) == expected


@pytest.mark.parametrize("code", ["second_reduced", "super_reduced", "other"])
def test_codes_the_uk_does_not_have_are_refused(code: str) -> None:
    with pytest.raises(TaxCodeError) as caught:
        resolve_tax_rate("GB", _tenant(), code)
    assert caught.value.errors == {"tax_code": [f"United Kingdom has no {code!r} rate"]}
    assert (caught.value.country, caught.value.code) == ("GB", code)


def test_published_ids_are_trusted_after_a_change_of_law() -> None:
    tenant = [tax_rate("GB_STANDARD", "Standard", "22.0"), tax_rate("X1", "Custom", "20.0")]
    assert resolve_tax_rate("GB", tenant, "standard") == "GB_STANDARD"


def test_without_sages_id_the_percentage_decides() -> None:
    tenant = [tax_rate("custom1", "Standard rate", "20.00"), tax_rate("c2", "Lower", "5.00")]
    assert resolve_tax_rate("GB", tenant, "standard") == "custom1"


def test_an_explicit_mapping_wins_and_is_checked() -> None:
    assert resolve_tax_rate("GB", _tenant(), "standard",
                            mapping={"standard": "GB_LOWER"}) == "GB_LOWER"
    with pytest.raises(TaxCodeError, match="does not have"):
        resolve_tax_rate("GB", _tenant(), "standard", mapping={"standard": "NOPE"})


def test_a_hidden_rate_is_never_matched_but_may_be_mapped() -> None:
    tenant = [tax_rate("GB_STANDARD", "Standard", "20.0", visible=False)]
    with pytest.raises(TaxCodeError, match="no tax rate"):
        resolve_tax_rate("GB", tenant, "standard")
    assert resolve_tax_rate("GB", tenant, "standard",
                            mapping={"standard": "GB_STANDARD"}) == "GB_STANDARD"


def test_zero_rates_are_only_matched_by_name() -> None:
    tenant = [tax_rate("r1", "Something", "0.0")]
    with pytest.raises(TaxCodeError):
        resolve_tax_rate("GB", tenant, "exempt")


def test_an_empty_tenant_list_fails_clearly() -> None:
    with pytest.raises(TaxCodeError, match="map 'standard' explicitly"):
        resolve_tax_rate("GB", [], "standard")


def test_classification_of_read_rates() -> None:
    codes = {rate["id"]: classify_tax_rate("GB", rate) for rate in _tenant()}
    assert codes == {"GB_STANDARD": "standard", "GB_LOWER": "reduced", "GB_ZERO": "zero",
                     "GB_EXEMPT": "exempt", "GB_NO_TAX": "no_tax", "GB_REDUCED_2": None}
