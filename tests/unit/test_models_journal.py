from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from model_strategies import errors_of

import unified_accounting as ua


def journal(*lines: dict[str, Any], currency: str | None = "GBP") -> dict[str, Any]:
    return {"date": "2026-01-31", "currency": currency, "lines": list(lines)}


def debit(amount: Any, account: str = "7000") -> dict[str, Any]:
    return {"account_id": account, "debit": amount}


def credit(amount: Any, account: str = "2210") -> dict[str, Any]:
    return {"account_id": account, "credit": amount}


def test_balanced_journal_loads_with_currency_places() -> None:
    entry = ua.load("journal_entry", journal(debit("1200"), credit("1200.00")))
    assert isinstance(entry, ua.JournalEntry)
    assert [str(line.debit) for line in entry.lines] == ["1200.00", "0"]
    assert entry.lines[0].credit == 0
    assert ua.dump(entry)["lines"][1] == {
        "account_id": "2210", "account_concept": None, "description": None,
        "debit": "0.00", "credit": "1200.00",
    }


def test_unbalanced_journal_names_both_totals_and_the_difference() -> None:
    errors = errors_of("journal_entry", journal(debit("100.00"), credit("99.99")))
    assert errors == {"lines": ["debits 100.00 != credits 99.99 (difference 0.01)"]}


def test_difference_is_positive_when_credits_are_larger() -> None:
    errors = errors_of("journal_entry", journal(debit("99.99"), credit("100")))
    assert errors["lines"] == ["debits 99.99 != credits 100.00 (difference 0.01)"]


def test_totals_are_written_in_the_currency_places() -> None:
    errors = errors_of("journal_entry", journal(debit("1000"), credit("999"), currency="JPY"))
    assert errors["lines"] == ["debits 1000 != credits 999 (difference 1)"]
    errors = errors_of("journal_entry", journal(debit("1"), credit("0.999"), currency="BHD"))
    assert errors["lines"] == ["debits 1.000 != credits 0.999 (difference 0.001)"]


@pytest.mark.parametrize(
    ("first", "second", "third"),
    [
        ("0.10", "0.20", "0.30"),
        (0.1, 0.2, 0.3),  # floats are read through their text, so 0.1 + 0.2 is 0.3 here
        (Decimal("0.1"), Decimal("0.2"), Decimal("0.3")),
        ("0.1", 0.2, Decimal("0.30")),
    ],
)
def test_point_one_plus_point_two_balances_point_three(first: Any, second: Any, third: Any) -> None:
    entry = ua.load("journal_entry", journal(debit(first), debit(second), credit(third)))
    assert isinstance(entry, ua.JournalEntry)
    assert sum((line.debit for line in entry.lines), Decimal(0)) == Decimal("0.30")


@pytest.mark.parametrize("lines", [[], [{"account_id": "7000", "debit": "0.00"}]])
def test_a_journal_needs_two_lines(lines: list[dict[str, Any]]) -> None:
    errors = errors_of("journal_entry", journal(*lines))
    assert "a journal entry needs at least two lines" in errors["lines"]


def test_missing_lines_are_required() -> None:
    errors = errors_of("journal_entry", {"date": "2026-01-31"})
    assert errors == {"lines": ["is required"]}


def test_a_line_is_a_debit_or_a_credit_not_both_not_neither() -> None:
    both = {"account_id": "1", "debit": "5", "credit": "5"}
    neither = {"account_id": "2", "debit": "0", "credit": "0.00"}
    absent = {"account_id": "3"}
    errors = errors_of("journal_entry", journal(both, neither, absent))
    assert errors["lines[0]"] == ["has both a debit and a credit; use one line for each"]
    assert errors["lines[1]"] == ["needs a debit or a credit above zero"]
    assert errors["lines[2]"] == ["needs a debit or a credit above zero"]


@pytest.mark.parametrize("amount", ["-1.00", -1, Decimal("-0.01"), "-0"])
def test_negative_amounts_are_refused(amount: Any) -> None:
    errors = errors_of("journal_entry", journal(debit(amount), credit("1.00")))
    assert errors["lines[0].debit"] == ["must not be negative"]
    assert "lines" not in errors  # no misleading totals while an amount is unreadable


def test_null_amount_is_refused_rather_than_taken_as_zero() -> None:
    errors = errors_of("journal_entry", journal(debit(None), credit("1.00")))
    assert errors["lines[0].debit"] == ["must not be null"]


def test_line_amounts_must_fit_the_journal_currency() -> None:
    errors = errors_of("journal_entry", journal(debit("10.5"), credit("10.5"), currency="JPY"))
    assert errors == {
        "lines[0].debit": ["has more than 0 decimal places for JPY"],
        "lines[1].credit": ["has more than 0 decimal places for JPY"],
    }


def test_every_line_names_an_account_or_a_concept() -> None:
    errors = errors_of(
        "journal_entry", journal({"debit": "1"}, {"account_concept": "bank", "credit": "1"})
    )
    assert errors == {"lines[0].account_id": ["account_id or account_concept is required"]}


def test_all_errors_come_back_in_one_pass() -> None:
    data = {
        "currency": "GBP",
        "reference": 7,
        "lines": [
            {"account_id": "1", "debit": "abc"},
            {"credit": "1.001"},
            {"account_id": "3", "debit": "1", "credit": "1", "memo": "x"},
            "not a line",
        ],
    }
    errors = errors_of("journal_entry", data)
    assert errors == {
        "date": ["is required"],
        "reference": ["must be a string"],
        "lines[0].debit": ["must be a decimal number written like 1200.00"],
        "lines[1].account_id": ["account_id or account_concept is required"],
        "lines[1].credit": ["has more than 2 decimal places for GBP"],
        "lines[2].memo": ["is not a known field"],
        "lines[2]": ["has both a debit and a credit; use one line for each"],
        "lines[3]": ["must be an object"],
    }


def test_places_are_not_judged_when_the_currency_is_unreadable() -> None:
    errors = errors_of("journal_entry", journal(debit("1.5"), credit("1.5"), currency="XXX"))
    assert errors == {"currency": ["must be an ISO 4217 currency code"]}


def test_a_journal_has_one_currency_and_a_line_in_another_is_refused() -> None:
    line = {**debit("10.00"), "currency": "EUR"}
    assert errors_of("journal_entry", journal(line, credit("10.00"))) == {
        "lines[0].currency": ["is not a known field"]}
    assert not hasattr(ua.JournalLine(account_id="7000", debit=Decimal(1)), "currency")
