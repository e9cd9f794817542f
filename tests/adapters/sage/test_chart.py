from __future__ import annotations

from typing import Any

import pytest
from unified_accounting_sage.countries import (
    COUNTRIES,
    AccountMapping,
    classify_account_type,
    sage_account_type,
    suggest_account_mapping,
)

from unified_accounting.errors import ValidationError

from .sage_json import ledger_account


def _gb_chart() -> list[Any]:
    return [
        ledger_account("SALES", 4000, "Sales - Products", "la4000"),
        ledger_account("SALES", 4009, "Discounts Allowed", "la4009"),
        ledger_account("CURRENT_ASSETS", 1100, "Trade Debtors", "la1100"),
        ledger_account("BANK", 1200, "Current", "la1200"),
        ledger_account("CURRENT_LIABILITY", 2100, "Trade Creditors", "la2100"),
        ledger_account("CURRENT_LIABILITY", 2200, "VAT on Sales", "la2200"),
        ledger_account("CURRENT_LIABILITY", 2201, "VAT on Purchases", "la2201"),
        ledger_account("OVERHEADS", 7900, "Bank charges", "la7900"),
        ledger_account("OVERHEADS", 8100, "Bad debts", "la8100", included=False),
        ledger_account("TAXES", 9998, "Mystery", "la9998"),
    ]


def test_type_helpers() -> None:
    assert classify_account_type("BANK") == ("asset", "bank")
    assert classify_account_type("NEW_TYPE") == (None, "other")
    assert classify_account_type(None) == (None, "other")
    assert sage_account_type("cost_of_sales") == "DIRECT_EXPENSES"
    assert sage_account_type("other") is None
    assert sage_account_type("other", fallback="LINE_OF_CREDIT") == "LINE_OF_CREDIT"


def test_a_valid_mapping_passes() -> None:
    mapping = AccountMapping({"subscription_revenue": "la4000", "bank": "la1200",
                              "Sales Tax": "la2200"})
    mapping.validate(_gb_chart())


def test_every_problem_is_reported_by_concept() -> None:
    mapping = AccountMapping({
        "subscription_revenue": "la1200",   # a bank account, not revenue
        "bank": "missing",                  # not in the chart
        "bad_debts": "la8100",              # not included in the chart
        "payroll_clearing": "la2100",       # no classification known
        "suspense": "la9998",               # unknown Sage type
    })
    with pytest.raises(ValidationError) as caught:
        mapping.validate(_gb_chart())
    errors = caught.value.errors
    assert set(errors) == {"subscription_revenue", "bank", "bad_debts", "payroll_clearing",
                           "suspense"}
    assert errors["subscription_revenue"] == ["Current (1200) is asset; expected revenue"]
    assert errors["bank"] == ["ledger account 'missing' does not exist in this business"]
    assert "not included in the chart" in errors["bad_debts"][0]
    assert "declare it" in errors["payroll_clearing"][0]
    assert "unknown (Sage type TAXES)" in errors["suspense"][0]


def test_declared_classifications_extend_the_defaults() -> None:
    mapping = AccountMapping({"payroll_clearing": "la2100"},
                             classifications={"payroll_clearing": frozenset({"liability"})})
    mapping.validate(_gb_chart())


def test_resolve_feeds_the_mappers() -> None:
    mapping = AccountMapping({"subscription_revenue": "la4000"})
    assert mapping.resolve("subscription_revenue") == "la4000"
    assert mapping.resolve("Subscription Revenue") == "la4000"
    with pytest.raises(ValidationError) as caught:
        mapping.resolve("consulting")
    assert list(caught.value.errors) == ["account_concept"]


def test_gb_suggestions_point_at_sages_nominal_codes() -> None:
    found = {s.concept: s for s in suggest_account_mapping("GB", _gb_chart())}
    assert found["sales"].ledger_account_id == "la4000"
    assert found["sales"].confirmed
    assert found["bank"].ledger_account_id == "la1200"
    assert found["bank"].code == "1200"
    assert found["sales_tax"].ledger_account_id == "la2200"
    assert found["purchase_tax"].ledger_account_id == "la2201"
    assert found["accounts_receivable"].ledger_account_id == "la1100"
    # An excluded account is never suggested, and a missing one leaves the choice open.
    assert found["bad_debts"].ledger_account_id is None
    assert found["suspense"].candidates == ()
    assert found["subscription_revenue"].confirmed is False


def test_suggestions_are_not_applied() -> None:
    chart = _gb_chart()
    suggestions = suggest_account_mapping("GB", chart)
    mapping = AccountMapping({s.concept: s.ledger_account_id for s in suggestions
                              if s.ledger_account_id})
    mapping.validate(chart)
    assert "bank" in mapping.accounts


def test_prefix_suggestions_list_candidates_instead_of_choosing() -> None:
    chart = [ledger_account("SALES", 706000, "Prestations de services", "p1"),
             ledger_account("SALES", 706100, "Abonnements", "p2"),
             ledger_account("BANK", 512000, "Banque", "p3"),
             ledger_account("CURRENT_ASSETS", 512999, "Not a bank", "p4", included=False)]
    found = {s.concept: s for s in suggest_account_mapping("FR", chart)}
    assert found["subscription_revenue"].ledger_account_id is None
    assert found["subscription_revenue"].candidates == ("p1", "p2")
    assert found["bank"].ledger_account_id == "p3"


def test_wrong_classification_is_not_suggested() -> None:
    chart = [ledger_account("OVERHEADS", 1200, "Odd", "x1")]
    found = {s.concept: s for s in suggest_account_mapping("GB", chart)}
    assert found["bank"].ledger_account_id is None


def test_unknown_country_has_no_suggestions() -> None:
    assert suggest_account_mapping("ZA", _gb_chart()) == []


@pytest.mark.parametrize("country", ["GB", "IE", "US", "CA", "FR", "ES", "DE"])
def test_every_country_offers_core_concepts(country: str) -> None:
    concepts = {s.concept for s in COUNTRIES[country].suggestions}
    assert {"sales", "bank", "accounts_receivable", "accounts_payable", "sales_tax"} <= concepts


def test_only_sage_documented_codes_are_marked_confirmed() -> None:
    for country in ("IE", "US", "CA", "FR", "ES", "DE"):
        assert not any(s.confirmed for s in COUNTRIES[country].suggestions), country
    assert any(s.confirmed for s in COUNTRIES["GB"].suggestions)
