from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from model_strategies import errors_of

import unified_accounting as ua


def test_ledger_account_loads_with_its_enums() -> None:
    loaded = ua.load(
        "ledger_account",
        {"name": "Sales", "code": "4000", "classification": "revenue", "type": "revenue"},
    )
    assert loaded == ua.LedgerAccount(name="Sales", code="4000", classification="revenue",
                                      type="revenue")


@pytest.mark.parametrize(
    ("changes", "path"),
    [({"classification": "income"}, "classification"), ({"type": "sales"}, "type"),
     ({"code": "1" * 51}, "code"), ({"name": None}, "name")],
)
def test_ledger_account_rules(changes: dict[str, Any], path: str) -> None:
    assert path in errors_of("ledger_account", {"name": "Sales", **changes})


def test_tax_rate_is_a_percentage_with_up_to_four_places() -> None:
    loaded = ua.load("tax_rate", {"name": "Standard 20%", "code": "standard", "rate": "20.0000",
                                  "country": "GB", "valid_from": "2011-01-04"})
    assert isinstance(loaded, ua.TaxRate)
    assert loaded.rate == Decimal(20)
    assert loaded.valid_from == date(2011, 1, 4)
    errors = errors_of("tax_rate", {"name": "x", "rate": "5.12345"})
    assert errors == {"rate": ["must have at most 4 decimal places"]}
    assert errors_of("tax_rate", {"name": "x", "rate": "-1"}) == {"rate": ["must not be negative"]}


def test_tax_rate_period_runs_forwards() -> None:
    errors = errors_of("tax_rate", {"name": "x", "valid_from": "2026-01-01",
                                    "valid_to": "2025-12-31"})
    assert errors == {"valid_to": ["must not be before valid_from 2026-01-01"]}


def test_business_codes() -> None:
    loaded = ua.load("business", {"name": "Acme Ltd", "country": "GB", "base_currency": "GBP",
                                  "is_lead": True})
    assert loaded == ua.Business(name="Acme Ltd", country="GB", base_currency="GBP", is_lead=True)
    errors = errors_of("business", {"name": "Acme", "country": "gb", "base_currency": "EURO"})
    assert set(errors) == {"country", "base_currency"}


def test_contact_person_loads_alone() -> None:
    loaded = ua.load("contact_person", {"contact_id": "c-1", "name": "Ann", "is_main": True})
    assert loaded == ua.ContactPerson(contact_id="c-1", name="Ann", is_main=True)
    assert set(errors_of("contact_person", {"email": "ann", "phone": 1})) == {"email", "phone"}
