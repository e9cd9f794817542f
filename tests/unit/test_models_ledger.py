"""Ledger entries and trial balances: one side per posting, totals that agree and balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from model_strategies import errors_of

import unified_accounting as ua

ENTRY = {"date": "2025-03-01", "ledger_account_id": "la1100", "debit": "120",
         "transaction_id": "t1", "transaction_type": "sales_invoice"}
BALANCE = {"as_of": "2025-03-31", "lines": [
    {"ledger_account_id": "la1100", "code": "1100", "name": "Debtors", "debit": "120.00"},
    {"ledger_account_id": "la4000", "code": "4000", "credit": "100.00"},
    {"ledger_account_id": "la2200", "code": "2200", "credit": "20.00"}],
    "total_debit": "120.00", "total_credit": "120.00"}


def test_an_entry_loads_with_its_amounts_written_to_the_currencys_places() -> None:
    entry = ua.load("ledger_entry", {**ENTRY, "currency": "GBP"})
    assert (entry.debit, entry.credit, entry.date) == (Decimal("120.00"), Decimal("0.00"),
                                                       date(2025, 3, 1))
    assert ua.dump(entry)["debit"] == "120.00"
    assert ua.dump(ua.load("ledger_entry", {**ENTRY, "currency": "JPY"}))["debit"] == "120"


def test_an_entry_is_a_debit_or_a_credit_of_a_known_kind() -> None:
    assert errors_of("ledger_entry", {**ENTRY, "credit": "1"}) == {
        "credit": ["has both a debit and a credit; a posting is one or the other"]}
    errors = errors_of("ledger_entry", {"date": "2025-03-01", "debit": "-1",
                                        "transaction_type": "gift"})
    assert set(errors) == {"ledger_account_id", "debit", "transaction_type"}
    assert errors["debit"] == ["must not be negative"]


def test_a_trial_balance_round_trips() -> None:
    balance = ua.load("trial_balance", BALANCE)
    assert [line.code for line in balance.lines] == ["1100", "4000", "2200"]
    assert ua.dump(balance)["lines"][1] == {"ledger_account_id": "la4000", "code": "4000",
                                            "name": None, "debit": "0.00", "credit": "100.00"}


def test_totals_must_agree_with_the_lines_and_balance() -> None:
    errors = errors_of("trial_balance", {**BALANCE, "total_credit": "119.99"})
    assert errors == {"total_credit": [
        "total_credit 119.99 != the lines' credits 120.00 (difference 0.01)",
        "debits 120.00 != credits 119.99 (difference 0.01)"]}
    both = {**BALANCE, "lines": [{**BALANCE["lines"][0], "credit": "1"}, *BALANCE["lines"][1:]]}
    assert "lines[0]" in errors_of("trial_balance", both)


@pytest.mark.parametrize("kind", ["ledger_entry", "trial_balance"])
def test_models_built_in_code_are_checked_too(kind: str) -> None:
    model = (ua.LedgerEntry(date=date(2025, 3, 1), ledger_account_id="a", debit=1.5)  # type: ignore[arg-type]
             if kind == "ledger_entry" else ua.TrialBalance(as_of="2025-03-31"))  # type: ignore[arg-type]
    with pytest.raises(ua.ValidationError):
        ua.validate_model(model)
