from __future__ import annotations

from typing import Any

import pytest
from unified_accounting_sage.countries import COUNTRIES, TaxCodeError, resolve_tax_rate

from .sage_json import tax_rate


def _tenant() -> list[Any]:
    return [
        tax_rate("f1e2", "Travis County", "8.25", agency="Texas Comptroller",
                 is_combined_rate=True),
        tax_rate("f1e3", "Austin City", "2.0", agency="City of Austin"),
        tax_rate("f1e4", "Out of state", "0.0", agency=None),
    ]


def test_nothing_is_guessed_without_a_mapping_or_a_name() -> None:
    with pytest.raises(TaxCodeError, match="defined by each business"):
        resolve_tax_rate("US", _tenant(), "standard")


def test_an_explicit_mapping_resolves() -> None:
    assert resolve_tax_rate("US", _tenant(), "standard", mapping={"standard": "f1e2"}) == "f1e2"
    assert resolve_tax_rate("US", _tenant(), "no_tax", mapping={"no_tax": "f1e4"}) == "f1e4"


def test_a_mapping_to_an_unknown_id_fails() -> None:
    with pytest.raises(TaxCodeError, match="does not have"):
        resolve_tax_rate("US", _tenant(), "standard", mapping={"standard": "gone"})


def test_name_and_agency_match_exactly_ignoring_case() -> None:
    assert resolve_tax_rate("US", _tenant(), "standard", name="travis county") == "f1e2"
    assert resolve_tax_rate("US", _tenant(), "standard", agency="City of Austin") == "f1e3"
    assert resolve_tax_rate("US", _tenant(), "standard", name="Travis County",
                            agency="Texas Comptroller") == "f1e2"


def test_no_match_and_several_matches_fail() -> None:
    with pytest.raises(TaxCodeError, match="no tax rate"):
        resolve_tax_rate("US", _tenant(), "standard", name="Travis")
    tenant = [*_tenant(), tax_rate("f1e5", "Travis County", "8.25", agency="Other")]
    with pytest.raises(TaxCodeError) as caught:
        resolve_tax_rate("US", tenant, "standard", name="Travis County")
    assert caught.value.candidates == ("f1e2", "f1e5")


def test_the_us_has_no_statutory_table_but_chart_suggestions() -> None:
    assert COUNTRIES["US"].rates == {}
    assert {s.concept for s in COUNTRIES["US"].suggestions} >= {"bank", "sales", "sales_tax"}
    assert not any(s.confirmed for s in COUNTRIES["US"].suggestions)
