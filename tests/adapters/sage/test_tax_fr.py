from __future__ import annotations

from typing import Any

import pytest
from unified_accounting_sage.countries import TaxCodeError, classify_tax_rate, resolve_tax_rate

from .sage_json import tax_rate


def _tenant() -> list[Any]:
    return [
        tax_rate("fr1", "Taux normal", "20.00"),
        tax_rate("fr2", "Taux intermédiaire", "10.00"),
        tax_rate("fr3", "Taux réduit", "5.50"),
        tax_rate("fr4", "Taux particulier", "2.10"),
        tax_rate("fr5", "Exonéré", "0.00"),
        tax_rate("fr6", "Non soumis à TVA", "0.00"),
        tax_rate("fr7", "Taux zéro", "0.00"),
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("standard", "fr1"), ("reduced", "fr2"), ("second_reduced", "fr3"),
     ("super_reduced", "fr4"), ("exempt", "fr5"), ("no_tax", "fr6"), ("zero", "fr7")],
)
def test_each_code_resolves(code: str, expected: str) -> None:
    assert resolve_tax_rate("FR", _tenant(), code) == expected


def test_accents_do_not_matter_in_names() -> None:
    tenant = [tax_rate("a", "Taux réduit", "5.5"), tax_rate("b", "Taux reduit (import)", "5.5"),
              tax_rate("c", "Autre", "5.5")]
    with pytest.raises(TaxCodeError) as caught:
        resolve_tax_rate("FR", tenant, "second_reduced")
    assert caught.value.candidates == ("a", "b")


def test_an_eu_twin_of_the_standard_rate_is_ambiguous() -> None:
    tenant = [*_tenant(), tax_rate("fr9", "Taux normal UE", "20.00")]
    with pytest.raises(TaxCodeError, match="several"):
        resolve_tax_rate("FR", tenant, "standard")
    assert resolve_tax_rate("FR", tenant, "standard", mapping={"standard": "fr1"}) == "fr1"


def test_classification() -> None:
    assert [classify_tax_rate("FR", rate) for rate in _tenant()] == [
        "standard", "reduced", "second_reduced", "super_reduced", "exempt", "no_tax", "zero"]
