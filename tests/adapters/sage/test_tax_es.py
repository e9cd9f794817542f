from __future__ import annotations

from typing import Any

import pytest
from unified_accounting_sage.countries import TaxCodeError, classify_tax_rate, resolve_tax_rate

from .sage_json import tax_rate


def _tenant() -> list[Any]:
    return [
        tax_rate("es1", "General", "21.0"),
        tax_rate("es2", "Reducido", "10.0"),
        tax_rate("es3", "Superreducido", "4.0"),
        tax_rate("es4", "Exento", "0.0"),
        tax_rate("es5", "No sujeto", "0.0"),
        # Recargo de equivalencia rates sit beside the IVA rates and must not interfere.
        tax_rate("es6", "Recargo General", "5.2"),
        tax_rate("es7", "Recargo Reducido", "1.4"),
        tax_rate("es8", "Recargo Superreducido", "0.5"),
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("standard", "es1"), ("reduced", "es2"), ("super_reduced", "es3"), ("exempt", "es4"),
     ("no_tax", "es5")],
)
def test_each_code_resolves(code: str, expected: str) -> None:
    assert resolve_tax_rate("ES", _tenant(), code) == expected


def test_spain_has_no_second_reduced_rate() -> None:
    with pytest.raises(TaxCodeError, match="Spain has no 'second_reduced' rate"):
        resolve_tax_rate("ES", _tenant(), "second_reduced")


def test_zero_is_not_confused_with_exempt() -> None:
    with pytest.raises(TaxCodeError, match="no tax rate"):
        resolve_tax_rate("ES", _tenant(), "zero")


def test_classification() -> None:
    codes = [classify_tax_rate("ES", rate) for rate in _tenant()]
    assert codes == ["standard", "reduced", "super_reduced", "exempt", "no_tax", None, None,
                     None]
