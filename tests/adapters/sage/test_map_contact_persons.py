from __future__ import annotations

import pytest
from unified_accounting_sage.mappers import contact_persons

from unified_accounting.errors import ValidationError
from unified_accounting.models import ContactPerson

from .sage_json import CONTACT_ID, contact


def _person_record() -> dict[str, object]:
    record = dict(contact()["main_contact_person"])
    record.update(created_at="2025-03-01T09:15:00Z", deleted_at=None, fax="0113 1", extra=1)
    return record


def test_reads_a_person_with_the_contact_it_was_listed_for() -> None:
    person = contact_persons.to_unified(_person_record(), business_id="b", include_remote=True,
                                        contact_id=CONTACT_ID)
    assert person.contact_id == CONTACT_ID
    assert (person.name, person.email, person.phone, person.mobile) == (
        "Jo Bloggs", "jo@acme.test", "0113 496 0000", "07700 900000")
    assert person.is_main is True
    assert person.created_at is not None
    assert person.created_at.tzinfo is not None
    assert person.remote_data is not None
    assert person.remote_data["fax"] == "0113 1"


def test_create_needs_an_address_and_types() -> None:
    person = ContactPerson(name="Sam", email="sam@acme.test")
    with pytest.raises(ValidationError) as caught:
        contact_persons.to_sage(person)
    assert set(caught.value.errors) == {"address_id", "contact_person_type_ids"}
    body = contact_persons.to_sage(person, address_id="a1", type_ids=["ACCOUNTS"])
    assert body == {"name": "Sam", "email": "sam@acme.test", "is_main_contact": False,
                    "address_id": "a1", "contact_person_type_ids": ["ACCOUNTS"]}


def test_update_sends_only_what_is_set() -> None:
    body = contact_persons.to_sage(ContactPerson(phone="0200", is_main=True), partial=True)
    assert body == {"telephone": "0200", "is_main_contact": True}


def test_round_trip() -> None:
    first = contact_persons.to_unified(_person_record(), business_id=None, include_remote=False,
                                       contact_id=CONTACT_ID)
    body = contact_persons.to_sage(first, address_id="a1", type_ids=["ACCOUNTS"])
    echoed = {**body, "id": first.id, "created_at": "2025-03-01T09:15:00Z"}
    assert contact_persons.to_unified(echoed, business_id=None, include_remote=False,
                                      contact_id=CONTACT_ID) == first


def test_lengths() -> None:
    with pytest.raises(ValidationError) as caught:
        contact_persons.to_sage(ContactPerson(name="x" * 51, email="e" * 101), partial=True)
    assert set(caught.value.errors) == {"name", "email"}
