from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from unified_accounting_sage.mappers import contacts

from unified_accounting.errors import ValidationError
from unified_accounting.models import Address, BankDetails, Contact, ContactPerson

from .sage_json import CONTACT_ID, LEDGER_SALES_ID, contact


def test_reads_a_full_contact() -> None:
    result = contacts.to_unified(contact(), business_id="biz", include_remote=False)
    assert result.id == CONTACT_ID
    assert result.business_id == "biz"
    assert (result.name, result.reference) == ("Acme Ltd", "ACME001")
    assert (result.is_customer, result.is_supplier) == (True, False)
    assert result.email == "jo@acme.test"
    assert result.phone == "0113 496 0000"
    assert result.currency == "GBP"
    assert result.credit_limit == Decimal("5000.0")
    assert result.credit_days == 30
    assert result.tax_number == "GB123456789"
    assert result.default_sales_account_id == LEDGER_SALES_ID
    assert result.default_tax_rate_id == "GB_STANDARD"
    assert result.default_purchase_account_id is None
    assert result.created_at == datetime(2025, 3, 1, 9, 15, tzinfo=UTC)
    assert result.remote_data is None


def test_reads_addresses_person_and_bank_details() -> None:
    result = contacts.to_unified(contact(), business_id=None, include_remote=False)
    billing, shipping = result.addresses
    assert billing == Address(type="billing", line1="1 High St", line2="Floor 2", city="Leeds",
                              region="West Yorkshire", postal_code="LS1 1AA", country="GB")
    assert (shipping.type, shipping.city, shipping.country) == ("shipping", "Hull", "GB")
    (person,) = result.contact_persons
    assert (person.name, person.job_title, person.is_main) == ("Jo Bloggs", "Finance lead", True)
    assert person.contact_id == CONTACT_ID
    assert result.bank_details == BankDetails(account_name="Acme Ltd", account_number="12345678",
                                              sort_code="010203")


def test_remote_data_is_an_independent_copy_on_request() -> None:
    raw = contact()
    result = contacts.to_unified(raw, business_id=None, include_remote=True)
    assert result.remote_data == raw
    raw["a_future_sage_field"]["nested"].append("changed")
    assert result.remote_data is not None
    assert result.remote_data["a_future_sage_field"]["nested"] == ["kept", "out"]


def test_vendor_and_both_types() -> None:
    raw = contact()
    raw["contact_types"] = [{"id": "VENDOR"}, {"id": "CUSTOMER"}]
    both = contacts.to_unified(raw, business_id=None, include_remote=False)
    assert (both.is_customer, both.is_supplier) == (True, True)
    assert contacts.to_sage(both)["contact_type_ids"] == ["CUSTOMER", "VENDOR"]


def test_minimal_list_record_is_tolerated() -> None:
    minimal = {"id": "c9", "displayed_as": "X", "$path": "/contacts/c9", "name": "X",
               "main_address": None, "main_contact_person": None}
    result = contacts.to_unified(minimal, business_id=None, include_remote=False)
    assert result.addresses == []
    assert result.contact_persons == []
    assert result.email is None
    assert result.is_active is True


def test_writes_a_full_body() -> None:
    body = contacts.to_sage(contacts.to_unified(contact(), business_id=None, include_remote=False))
    assert body == {
        "name": "Acme Ltd",
        "contact_type_ids": ["CUSTOMER"],
        "reference": "ACME001",
        "tax_number": "GB123456789",
        "notes": "Key account",
        "currency_id": "GBP",
        "credit_limit": "5000.0",
        "credit_days": 30,
        "default_sales_ledger_account_id": LEDGER_SALES_ID,
        "default_sales_tax_rate_id": "GB_STANDARD",
        "main_address": {"address_line_1": "1 High St", "address_line_2": "Floor 2",
                         "city": "Leeds", "region": "West Yorkshire", "postal_code": "LS1 1AA",
                         "country_id": "GB"},
        "delivery_address": {"address_line_1": "Unit 5, Dock Rd", "city": "Hull",
                             "postal_code": "HU1 2AB", "country_id": "GB"},
        "main_contact_person": {"name": "Jo Bloggs", "job_title": "Finance lead",
                                "telephone": "0113 496 0000", "mobile": "07700 900000",
                                "email": "jo@acme.test", "is_main_contact": True},
        "bank_account_details": {"account_name": "Acme Ltd", "account_number": "12345678",
                                 "sort_code": "010203"},
    }


def test_round_trip_keeps_every_mapped_field() -> None:
    first = contacts.to_unified(contact(), business_id="b", include_remote=False)
    body = contacts.to_sage(first)
    echoed = {**copy.deepcopy(body), "id": first.id, "created_at": "2025-03-01T09:15:00Z",
              "updated_at": "2025-03-02T10:00:00Z", "is_active": True}
    # Sage answers with the stored person's id, which a write body does not carry.
    echoed["main_contact_person"]["id"] = first.contact_persons[0].id
    again = contacts.to_unified(echoed, business_id="b", include_remote=False)
    assert again == first


def test_email_travels_through_the_main_contact_person() -> None:
    body = contacts.to_sage(Contact(name="Solo", is_customer=True, email="a@b.test",
                                    phone="0200"))
    assert "email" not in body
    assert body["main_contact_person"] == {"email": "a@b.test", "telephone": "0200",
                                           "is_main_contact": True}


def test_conflicting_emails_are_refused() -> None:
    model = Contact(name="X", is_supplier=True, email="a@b.test",
                    contact_persons=[ContactPerson(name="P", email="c@d.test", is_main=True)])
    with pytest.raises(ValidationError) as caught:
        contacts.to_sage(model)
    assert list(caught.value.errors) == ["email"]


def test_a_contact_must_have_a_type_on_create_but_not_on_update() -> None:
    model = Contact(name="Nobody")
    with pytest.raises(ValidationError) as caught:
        contacts.to_sage(model)
    assert "is_customer" in caught.value.errors
    assert contacts.to_sage(model, partial=True) == {"name": "Nobody"}


def test_addresses_sage_cannot_hold_are_refused_not_dropped() -> None:
    other = Contact(name="X", is_customer=True, addresses=[Address(type="other", city="Y")])
    with pytest.raises(ValidationError) as caught:
        contacts.to_sage(other)
    assert list(caught.value.errors) == ["addresses[0].type"]
    two = Contact(name="X", is_customer=True,
                  addresses=[Address(city="A"), Address(city="B")])
    with pytest.raises(ValidationError) as caught:
        contacts.to_sage(two)
    assert list(caught.value.errors) == ["addresses[1].type"]


def test_non_main_persons_are_refused_not_dropped() -> None:
    model = Contact(name="X", is_customer=True, contact_persons=[
        ContactPerson(name="Main", is_main=True), ContactPerson(name="Other")])
    with pytest.raises(ValidationError) as caught:
        contacts.to_sage(model)
    assert list(caught.value.errors) == ["contact_persons[1]"]


def test_a_single_person_is_taken_as_the_main_one() -> None:
    model = Contact(name="X", is_customer=True, contact_persons=[ContactPerson(name="Only")])
    assert contacts.to_sage(model)["main_contact_person"] == {
        "name": "Only", "is_main_contact": True}


def test_length_errors_name_the_callers_fields() -> None:
    model = Contact(
        name="N" * 101,
        is_customer=True,
        reference="REFERENCE-11",
        addresses=[Address(type="shipping", city="C"),
                   Address(type="billing", postal_code="P" * 11)],
        contact_persons=[ContactPerson(name="M" * 51, is_main=True)],
    )
    with pytest.raises(ValidationError) as caught:
        contacts.to_sage(model)
    assert set(caught.value.errors) == {
        "name", "reference", "addresses[1].postal_code", "contact_persons[0].name"}
    assert caught.value.errors["name"] == ["at most 100 characters in Sage (got 101)"]


def test_provider_fields_merge_into_nested_objects() -> None:
    model = Contact(name="X", is_customer=True, addresses=[Address(city="Leeds")])
    body = contacts.to_sage(model, provider_fields={
        "credit_terms": "month_end_invoice",
        "main_address": {"address_type_id": "ACCOUNTS"},
        "tax_treatment": {"home_tax": True},
    })
    assert body["credit_terms"] == "month_end_invoice"
    assert body["main_address"] == {"city": "Leeds", "address_type_id": "ACCOUNTS"}
    assert body["tax_treatment"] == {"home_tax": True}


def test_provider_fields_are_length_checked_too() -> None:
    with pytest.raises(ValidationError) as caught:
        contacts.to_sage(Contact(name="X", is_customer=True),
                         provider_fields={"aux_reference": "12345"})
    assert list(caught.value.errors) == ["aux_reference"]


def test_to_sage_does_not_touch_the_model() -> None:
    model = contacts.to_unified(contact(), business_id=None, include_remote=False)
    before = dataclasses.replace(model)
    contacts.to_sage(model, provider_fields={"main_address": {"name": "HQ"}})
    assert model == before
