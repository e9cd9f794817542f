from __future__ import annotations

import pytest
from unified_accounting_sage.countries import LEDGER_ACCOUNT_TYPES
from unified_accounting_sage.mappers import ledger_accounts

from unified_accounting.errors import ValidationError
from unified_accounting.models import LedgerAccount

from .sage_json import LEDGER_SALES_ID, ledger_account


@pytest.mark.parametrize(
    ("sage", "classification", "kind"),
    [
        ("SALES", "revenue", "revenue"),
        ("OTHER_INCOME", "revenue", "other_income"),
        ("DIRECT_EXPENSES", "expense", "cost_of_sales"),
        ("OVERHEADS", "expense", "expense"),
        ("DEPRECIATION", "expense", "depreciation"),
        ("CURRENT_ASSETS", "asset", "current_asset"),
        ("FIXED_ASSETS", "asset", "fixed_asset"),
        ("FUTURE_ASSETS", "asset", "other"),
        ("BANK", "asset", "bank"),
        ("CURRENT_LIABILITY", "liability", "current_liability"),
        ("FUTURE_LIABILITY", "liability", "long_term_liability"),
        ("EQUITY", "equity", "equity"),
        ("LINE_OF_CREDIT", "liability", "other"),
    ],
)
def test_every_sage_type_has_a_classification(sage: str, classification: str, kind: str) -> None:
    account = ledger_accounts.to_unified(ledger_account(type_id=sage), business_id=None,
                                         include_remote=False)
    assert (account.classification, account.type) == (classification, kind)


def test_the_table_covers_the_thirteen_published_types() -> None:
    assert len(LEDGER_ACCOUNT_TYPES) == 13


def test_reads_an_account() -> None:
    account = ledger_accounts.to_unified(ledger_account(), business_id="b", include_remote=False)
    assert (account.id, account.code, account.name) == (LEDGER_SALES_ID, "4000", "Sales - Products")
    assert account.tax_rate_id == "GB_STANDARD"
    assert account.is_active is True
    assert account.remote_data is None


def test_an_unknown_type_is_kept_with_its_sage_id() -> None:
    account = ledger_accounts.to_unified(ledger_account(type_id="TAXES"), business_id=None,
                                         include_remote=False)
    assert (account.classification, account.type) == (None, "other")
    assert account.remote_data is not None
    assert account.remote_data["ledger_account_type"]["id"] == "TAXES"
    # Sent back unchanged, the type survives.
    assert ledger_accounts.to_sage(account)["ledger_account_type_id"] == "TAXES"


def test_a_collapsed_type_round_trips_through_remote_data() -> None:
    account = ledger_accounts.to_unified(ledger_account(type_id="LINE_OF_CREDIT"),
                                         business_id=None, include_remote=False)
    assert ledger_accounts.to_sage(account)["ledger_account_type_id"] == "LINE_OF_CREDIT"


def test_writes_an_account_body() -> None:
    model = LedgerAccount(name="Subscriptions", code="4010", type="revenue",
                          classification="revenue")
    assert ledger_accounts.to_sage(model) == {
        "ledger_account_type_id": "SALES",
        "included_in_chart": True,
        "name": "Subscriptions",
        "display_name": "Subscriptions",
        "nominal_code": 4010,
    }


def test_type_other_needs_an_explicit_sage_type() -> None:
    model = LedgerAccount(name="Odd", code="9000", type="other")
    with pytest.raises(ValidationError) as caught:
        ledger_accounts.to_sage(model)
    assert list(caught.value.errors) == ["type"]
    extra = {"ledger_account_type_id": "FUTURE_ASSETS"}
    body = ledger_accounts.to_sage(model, provider_fields=extra)
    assert body["ledger_account_type_id"] == "FUTURE_ASSETS"


@pytest.mark.parametrize("code", ["40A0", "0", "100000000", "-5"])
def test_codes_must_be_sage_nominal_codes(code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ledger_accounts.to_sage(LedgerAccount(name="x", code=code, type="revenue"))
    assert list(caught.value.errors) == ["code"]


def test_classification_must_agree_with_type() -> None:
    with pytest.raises(ValidationError) as caught:
        ledger_accounts.to_sage(LedgerAccount(name="x", code="1", type="bank",
                                              classification="liability"))
    assert list(caught.value.errors) == ["classification"]


def test_name_length() -> None:
    with pytest.raises(ValidationError) as caught:
        ledger_accounts.to_sage(LedgerAccount(name="n" * 201, code="1", type="equity"))
    assert list(caught.value.errors) == ["name"]


def test_round_trip() -> None:
    first = ledger_accounts.to_unified(ledger_account(type_id="BANK", code=1200, name="Current"),
                                       business_id=None, include_remote=False)
    body = ledger_accounts.to_sage(first)
    echoed = {**body, "id": first.id, "tax_rate": {"id": body["tax_rate_id"]},
              "ledger_account_type": {"id": body["ledger_account_type_id"]},
              "created_at": "2020-01-01T00:00:00Z", "updated_at": "2024-06-01T00:00:00Z"}
    assert ledger_accounts.to_unified(echoed, business_id=None, include_remote=False) == first
