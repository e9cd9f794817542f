from __future__ import annotations

from unified_accounting_sage.mappers import businesses

from unified_accounting.models import Business

from .sage_json import business


def test_reads_a_business() -> None:
    result = businesses.to_unified(business(), business_id=None, include_remote=True,
                                   is_lead=True, base_currency="GBP")
    assert (result.id, result.name, result.country) == (
        "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0", "Acme Trading", "GB")
    assert (result.is_lead, result.base_currency) == (True, "GBP")
    assert result.remote_data is not None
    assert result.remote_data["is_demo"] is False


def test_lead_is_false_unless_said() -> None:
    result = businesses.to_unified(business(), business_id=None, include_remote=False)
    assert result.is_lead is False


def test_writes_only_the_name_plus_provider_fields() -> None:
    body = businesses.to_sage(Business(name="New Name", country="GB"),
                              provider_fields={"city": "York"})
    assert body == {"name": "New Name", "city": "York"}
    assert businesses.wrapper_key() == "business"
