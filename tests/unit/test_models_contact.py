from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from model_strategies import errors_of, iban_for

import unified_accounting as ua


def contact(**changes: Any) -> dict[str, Any]:
    return {"name": "Northwind", "is_customer": True, **changes}


def test_minimal_contact_loads_with_defaults() -> None:
    loaded = ua.load("contact", contact())
    assert loaded == ua.Contact(name="Northwind", is_customer=True)


def test_full_contact_loads_nested_records() -> None:
    iban = iban_for("NWBK60161331926819")
    loaded = ua.load(
        "contact",
        contact(
            is_supplier=True, email="ap@northwind.example", currency="EUR",
            credit_limit="2500", credit_days=30, tax_number="GB123456789",
            addresses=[{"type": "shipping", "line1": "1 Quay", "country": "IE"}],
            contact_persons=[{"name": "Ann", "is_main": True, "email": "ann@northwind.example"}],
            bank_details={"iban": iban, "bic": "NWBKGB2L"},
            created_at="2026-01-31T09:30:00Z", remote_data={"id": "abc", "balance": "1.0"},
        ),
    )
    assert isinstance(loaded, ua.Contact)
    assert str(loaded.credit_limit) == "2500.00"
    assert loaded.addresses == [ua.Address(type="shipping", line1="1 Quay", country="IE")]
    assert loaded.contact_persons[0].is_main is True
    assert loaded.bank_details == ua.BankDetails(iban=iban, bic="NWBKGB2L")
    assert loaded.created_at == datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert loaded.remote_data == {"id": "abc", "balance": "1.0"}


def test_name_is_required_and_not_blank() -> None:
    assert errors_of("contact", {"is_customer": True}) == {"name": ["is required"]}
    assert errors_of("contact", contact(name="   ")) == {"name": ["must not be blank"]}
    assert errors_of("contact", contact(name="")) == {"name": ["must be 1 to 255 characters long"]}
    assert errors_of("contact", contact(name=None)) == {"name": ["must not be null"]}


@pytest.mark.parametrize(
    "flags", [{}, {"is_customer": False}, {"is_customer": False, "is_supplier": False}]
)
def test_a_contact_is_a_customer_or_a_supplier(flags: dict[str, bool]) -> None:
    data = {"name": "Nobody", **flags}
    assert errors_of("contact", data) == {
        "is_customer": ["at least one of is_customer and is_supplier must be true"]
    }


@pytest.mark.parametrize("value", ["true", 1, "yes", None])
def test_flags_are_strict_booleans(value: Any) -> None:
    errors = errors_of("contact", contact(is_customer=value, is_supplier=True))
    assert errors["is_customer"] in (["must be true or false"], ["must not be null"])


@pytest.mark.parametrize("days", [0, 30, 365])
def test_credit_days_within_a_year(days: int) -> None:
    assert ua.load("contact", contact(credit_days=days)).credit_days == days


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "must be between 0 and 365 days"), (366, "must be between 0 and 365 days"),
     (True, "must be a whole number"), (30.0, "must be a whole number"),
     ("30", "must be a whole number")],
)
def test_credit_days_refused(days: Any, message: str) -> None:
    assert errors_of("contact", contact(credit_days=days)) == {"credit_days": [message]}


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        ({"credit_limit": "-1"}, "credit_limit", "must not be negative"),
        ({"credit_limit": "10.5", "currency": "JPY"}, "credit_limit",
         "has more than 0 decimal places for JPY"),
        ({"credit_limit": "10.555"}, "credit_limit",
         "has more than 2 decimal places when no currency is given"),
        ({"currency": "gbp"}, "currency", "must be an ISO 4217 currency code"),
        ({"currency": "XAU"}, "currency", "must be an ISO 4217 currency code"),
        ({"email": "not-an-address"}, "email", "must be an e-mail address"),
        ({"addresses": [{}, {"country": "UK"}]}, "addresses[1].country",
         "must be an ISO 3166-1 alpha-2 country code"),
        ({"addresses": [{"type": "home"}]}, "addresses[0].type",
         "must be one of: billing, shipping, other"),
        ({"contact_persons": [{"is_main": "no"}]}, "contact_persons[0].is_main",
         "must be true or false"),
        ({"bank_details": {"iban": "GB00NWBK60161331926819"}}, "bank_details.iban",
         "has wrong IBAN check digits"),
        ({"bank_details": {"iban": "gb29 nwbk 6016 1331 9268 19"}}, "bank_details.iban",
         "must be an IBAN in capitals without spaces"),
        ({"bank_details": {"bic": "NWBK"}}, "bank_details.bic", "must be a BIC"),
        ({"bank_details": "NWBK"}, "bank_details", "must be an object"),
        ({"created_at": "2026-01-31T09:30:00"}, "created_at",
         "must be a date and time with offset, like 2026-01-31T09:30:00Z"),
        ({"created_at": "2026-02-30T09:30:00Z"}, "created_at",
         "is not a real calendar date and time"),
        ({"remote_data": ["x"]}, "remote_data", "must be an object"),
        ({"nickname": "NW"}, "nickname", "is not a known field"),
    ],
)
def test_field_rules(changes: dict[str, Any], path: str, message: str) -> None:
    assert errors_of("contact", contact(**changes))[path] == [message]


def test_input_that_is_not_an_object_is_refused_as_a_whole() -> None:
    assert errors_of("contact", ["Northwind"]) == {"_schema": ["must be an object"]}


def test_timestamps_keep_their_offsets() -> None:
    loaded = ua.load("contact", contact(updated_at="2026-01-31T09:30:00.123456+05:30"))
    offset = timezone(timedelta(hours=5, minutes=30))
    assert loaded.updated_at == datetime(2026, 1, 31, 9, 30, 0, 123456, tzinfo=offset)
    assert ua.dump(loaded)["updated_at"] == "2026-01-31T09:30:00.123456+05:30"
