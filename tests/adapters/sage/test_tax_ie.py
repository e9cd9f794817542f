from __future__ import annotations

from typing import Any

import pytest
from unified_accounting_sage.countries import TaxCodeError, classify_tax_rate, resolve_tax_rate

from .sage_json import tax_rate


def _tenant() -> list[Any]:
    # Ireland's ids are not published: these are opaque on purpose.
    return [
        tax_rate("a01", "Standard", "23.0"),
        tax_rate("a02", "Reduced", "13.5"),
        tax_rate("a03", "Second Reduced", "9.0"),
        tax_rate("a04", "Livestock", "4.8"),
        tax_rate("a05", "Zero", "0.0"),
        tax_rate("a06", "Exempt", "0.0"),
        tax_rate("a07", "No VAT", "0.0"),
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("standard", "a01"), ("reduced", "a02"), ("second_reduced", "a03"),
     ("super_reduced", "a04"), ("zero", "a05"), ("exempt", "a06"), ("no_tax", "a07")],
)
def test_each_code_resolves_by_percentage_or_name(code: str, expected: str) -> None:
    assert resolve_tax_rate("IE", _tenant(), code) == expected


def test_a_guessed_id_with_the_wrong_percentage_is_not_taken() -> None:
    tenant = [tax_rate("IE_STANDARD", "Standard (old)", "21.0"), tax_rate("b1", "Standard", "23")]
    assert resolve_tax_rate("IE", tenant, "standard") == "b1"


def test_a_guessed_id_with_the_right_percentage_is_taken() -> None:
    tenant = [tax_rate("IE_STANDARD", "Standard", "23.0"), tax_rate("b1", "Standard EU", "23")]
    assert resolve_tax_rate("IE", tenant, "standard") == "IE_STANDARD"


def test_two_rates_of_one_percentage_and_name_are_ambiguous() -> None:
    tenant = [tax_rate("b1", "Standard", "23"), tax_rate("b2", "Standard (EU)", "23")]
    with pytest.raises(TaxCodeError) as caught:
        resolve_tax_rate("IE", tenant, "standard")
    assert caught.value.candidates == ("b1", "b2")
    assert "several tax rates" in caught.value.message


def test_names_settle_a_shared_percentage() -> None:
    tenant = [tax_rate("b1", "Standard", "23"), tax_rate("b2", "Services from abroad", "23")]
    assert resolve_tax_rate("IE", tenant, "standard") == "b1"


def test_classification() -> None:
    assert [classify_tax_rate("IE", rate) for rate in _tenant()] == [
        "standard", "reduced", "second_reduced", "super_reduced", "zero", "exempt", "no_tax"]
