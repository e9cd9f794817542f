from __future__ import annotations

from typing import Any

import pytest
from unified_accounting_sage.countries import TaxCodeError, classify_tax_rate, resolve_tax_rate

from .sage_json import tax_rate


def _tenant() -> list[Any]:
    return [
        tax_rate("de1", "Regelsteuersatz", "19.00"),
        tax_rate("de2", "Ermäßigter Steuersatz", "7.00"),
        tax_rate("de3", "Land- und Forstwirtschaft", "7.00"),
        tax_rate("de4", "Steuerfrei", "0.00"),
        tax_rate("de5", "Nicht steuerbar", "0.00"),
        tax_rate("de6", "Nullsatz Photovoltaik", "0.00"),
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("standard", "de1"), ("reduced", "de2"), ("exempt", "de4"), ("no_tax", "de5"),
     ("zero", "de6")],
)
def test_each_code_resolves(code: str, expected: str) -> None:
    assert resolve_tax_rate("DE", _tenant(), code) == expected


def test_the_sharp_s_is_folded_when_names_decide() -> None:
    # Two 7 % rates: only the name "Ermäßigt" (folded to "ermassigt") tells them apart.
    assert resolve_tax_rate("DE", _tenant(), "reduced") == "de2"


@pytest.mark.parametrize("code", ["second_reduced", "super_reduced"])
def test_germany_has_two_rates_only(code: str) -> None:
    with pytest.raises(TaxCodeError, match="Germany has no"):
        resolve_tax_rate("DE", _tenant(), code)


def test_unknown_country_needs_a_mapping() -> None:
    with pytest.raises(TaxCodeError, match="no tax table for country 'ZA'"):
        resolve_tax_rate("ZA", _tenant(), "standard")
    assert resolve_tax_rate("ZA", _tenant(), "standard", mapping={"standard": "de1"}) == "de1"


def test_classification() -> None:
    codes = [classify_tax_rate("DE", rate) for rate in _tenant()]
    assert codes == ["standard", "reduced", "reduced", "exempt", "no_tax", "zero"]
