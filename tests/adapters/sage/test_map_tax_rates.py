from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from unified_accounting_sage.mappers import tax_rates

from unified_accounting.errors import ValidationError
from unified_accounting.models import TaxRate

from .sage_json import tax_rate


def test_reads_a_uk_rate_with_its_code() -> None:
    raw = tax_rate("GB_STANDARD", "Standard", "20.0")
    rate = tax_rates.to_unified(raw, business_id="b", include_remote=False)
    assert (rate.id, rate.name, rate.rate) == ("GB_STANDARD", "Standard", Decimal("20.0"))
    assert (rate.country, rate.code) == ("GB", "standard")
    assert (rate.valid_from, rate.valid_to) == (date(2011, 1, 4), None)
    assert rate.is_active is True


def test_the_current_period_is_the_latest_with_the_current_percentage() -> None:
    raw = tax_rate("GB_STANDARD", "Standard", "20.0", percentages=[
        {"percentage": "17.5", "from_date": "2010-01-01", "to_date": "2011-01-03"},
        {"percentage": "20.0", "from_date": "2011-01-04", "to_date": None},
    ])
    rate = tax_rates.to_unified(raw, business_id=None, include_remote=False)
    assert (rate.valid_from, rate.valid_to) == (date(2011, 1, 4), None)


def test_country_is_taken_from_the_caller_when_ids_are_opaque() -> None:
    raw = tax_rate("4f1e0c", "Taux normal", "20.00")
    assert tax_rates.to_unified(raw, business_id=None, include_remote=False).country is None
    rate = tax_rates.to_unified(raw, business_id=None, include_remote=False, country="fr")
    assert (rate.country, rate.code) == ("FR", "standard")


def test_hidden_rates_are_inactive() -> None:
    raw = tax_rate("GB_LOWER", "Lower Rate", "5.00", visible=False)
    assert tax_rates.to_unified(raw, business_id=None, include_remote=False).is_active is False


def test_writes_a_us_rate() -> None:
    body = tax_rates.to_sage(TaxRate(name="Travis County", rate=Decimal("8.25"), country="US"),
                             provider_fields={"agency": "Texas Comptroller"})
    assert body == {"name": "Travis County", "is_visible": True, "agency": "Texas Comptroller",
                    "component_tax_rate": [{"name": "Travis County", "percentage": "8.25"}]}


def test_other_countries_cannot_write_rates() -> None:
    with pytest.raises(ValidationError) as caught:
        tax_rates.to_sage(TaxRate(name="x", rate=Decimal(1), country="GB"))
    assert list(caught.value.errors) == ["country"]
