"""``validate_model`` checks models built in code: their Python types and every load rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

import unified_accounting as ua
from unified_accounting.validation import KINDS, kind_of, validate_model


def payroll(*lines: ua.JournalLine, currency: str | None = "GBP") -> ua.JournalEntry:
    return ua.JournalEntry(date=date(2026, 1, 31), currency=currency, lines=list(lines))


def errors_of_model(model: Any) -> dict[str, list[str]]:
    with pytest.raises(ua.ValidationError) as caught:
        validate_model(model)
    return caught.value.errors


def test_valid_models_pass() -> None:
    validate_model(payroll(ua.JournalLine(account_id="7000", debit=Decimal("0.10")),
                           ua.JournalLine(account_id="7000", debit=Decimal("0.20")),
                           ua.JournalLine(account_id="2210", credit=Decimal("0.30"))))
    validate_model(ua.Contact(name="Northwind", is_supplier=True))


def test_unbalanced_journal_in_memory_is_refused_with_its_message() -> None:
    entry = payroll(ua.JournalLine(account_id="7000", debit=Decimal("100")),
                    ua.JournalLine(account_id="2210", credit=Decimal("99.99")))
    assert errors_of_model(entry) == {
        "lines": ["debits 100.00 != credits 99.99 (difference 0.01)"]
    }


def test_floats_are_refused_never_converted() -> None:
    entry = payroll(ua.JournalLine(account_id="7000", debit=0.1),  # type: ignore[arg-type]
                    ua.JournalLine(account_id="2210", credit=Decimal("0.1")))
    assert errors_of_model(entry) == {"lines[0].debit": ["must be Decimal, not float"]}


def test_wrong_types_are_reported_with_paths_and_with_the_other_errors() -> None:
    contact = ua.Contact(
        name="",
        is_customer=1,  # type: ignore[arg-type]
        credit_days=True,  # type: ignore[arg-type]
        created_at="2026-01-31",  # type: ignore[arg-type]
        addresses=[ua.Address(country="UK"), {"country": "GB"}],  # type: ignore[list-item]
        bank_details=ua.BankDetails(bic="bad"),
    )
    assert errors_of_model(contact) == {
        "name": ["must be 1 to 255 characters long"],
        "is_customer": ["must be bool, not int"],
        "credit_days": ["must be int, not bool"],
        "created_at": ["must be datetime, not str"],
        "addresses[0].country": ["must be an ISO 3166-1 alpha-2 country code"],
        "addresses[1]": ["must be Address, not dict"],
        "bank_details.bic": ["must be a BIC"],
    }


def test_a_datetime_is_not_a_date() -> None:
    entry = ua.JournalEntry(
        date=datetime(2026, 1, 31, tzinfo=UTC),
        lines=[ua.JournalLine(account_id="a", debit=Decimal(1)),
               ua.JournalLine(account_id="b", credit=Decimal(1))],
    )
    assert errors_of_model(entry) == {"date": ["must be date, not datetime"]}


def test_naive_timestamps_are_refused() -> None:
    contact = ua.Contact(name="x", is_customer=True, updated_at=datetime(2026, 1, 31))
    assert errors_of_model(contact) == {"updated_at": ["must carry a UTC offset"]}


def test_decimal_values_must_still_fit_the_currency() -> None:
    payment = ua.Payment(type="supplier_payment", contact_id="s-1", date=date(2026, 2, 1),
                         amount=Decimal("10.001"), currency="GBP")
    assert errors_of_model(payment) == {"amount": ["has more than 2 decimal places for GBP"]}
    nan = ua.Payment(type="supplier_payment", contact_id="s-1", date=date(2026, 2, 1),
                     amount=Decimal("NaN"))
    assert errors_of_model(nan) == {"amount": ["must be a finite number"]}


def test_nested_records_can_be_checked_alone() -> None:
    assert errors_of_model(ua.JournalLine(account_id="a", debit=Decimal(-1))) == {
        "debit": ["must not be negative"]
    }
    validate_model(ua.Address(country="GB"))


def test_other_dataclasses_pass_unchecked_but_other_objects_do_not() -> None:
    @dataclass
    class Options:
        timeout: float = 1.5

    validate_model(Options())
    validate_model(ua.DeletedRecord(id="x"))
    with pytest.raises(TypeError):
        validate_model({"name": "x"})
    with pytest.raises(TypeError):
        validate_model(ua.Contact)


def test_kind_of_names_each_top_level_model() -> None:
    assert kind_of(ua.Contact(name="x")) == "contact"
    assert kind_of(ua.JournalEntry(date=date(2026, 1, 1))) == "journal_entry"
    assert kind_of(ua.Item(type="service", description="x")) == "item"
    assert kind_of(ua.Attachment(file_name="a.pdf", attached_to_kind="contact",
                                 attached_to_id="c1")) == "attachment"
    assert set(KINDS) == {"contact", "contact_person", "invoice", "payment", "journal_entry",
                          "ledger_account", "tax_rate", "business", "ledger_entry",
                          "trial_balance", "credit_note", "item", "attachment"}
    with pytest.raises(TypeError, match="not a unified record"):
        kind_of(ua.Address())


def test_load_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown kind 'journal'"):
        ua.load("journal", {})


def test_dump_refuses_wrong_types_instead_of_guessing() -> None:
    contact = ua.Contact(name="x", is_customer=True, credit_limit=1.5)  # type: ignore[arg-type]
    with pytest.raises(ua.ValidationError) as caught:
        ua.dump(contact)
    assert caught.value.errors == {"credit_limit": ["must be Decimal, not float"]}
    with pytest.raises(TypeError):
        ua.dump(ua.Address())  # type: ignore[arg-type]


def test_validation_error_summarises_the_paths() -> None:
    with pytest.raises(ua.ValidationError) as caught:
        ua.load("journal_entry", {"date": "2026-01-31", "lines": [
            {"account_id": "a", "debit": "100.00"}, {"account_id": "b", "credit": "99.99"}]})
    assert str(caught.value) == (
        "invalid input: lines: debits 100.00 != credits 99.99 (difference 0.01)"
    )
    assert caught.value.retryable is False
