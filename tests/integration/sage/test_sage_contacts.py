"""Contacts and contact persons over HTTP against the Sage sandbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import customer, supplier, unique


def test_create_get_update_and_delete(client: ua.Client) -> None:
    created = customer(client, credit_limit=Decimal("5000.00"), credit_days=14,
                       addresses=[ua.Address(line1="1 High St", city="Leeds",
                                             postal_code="LS1 1AA", country="GB")])
    assert created.id
    assert created.business_id == client.business_id
    assert created.is_customer
    assert not created.is_supplier
    assert created.credit_limit == Decimal("5000.00")
    fetched = client.contacts.get(created.id)
    assert fetched.email == "ap@acme.test"
    assert fetched.addresses[0].city == "Leeds"
    updated = client.contacts.update(created.id, {"name": "Acme Group", "is_supplier": True,
                                                  "is_customer": True})
    assert (updated.name, updated.is_supplier) == ("Acme Group", True)
    client.contacts.delete(created.id)
    with pytest.raises(ua.NotFoundError):
        client.contacts.get(created.id)


def test_list_filters(client: ua.Client) -> None:
    wanted = customer(client, name="Filtered Widgets", email="widgets@acme.test")
    vendor = supplier(client, name="Filtered Paper")
    since = wanted.updated_at - timedelta(seconds=1)  # type: ignore[operator]
    recent = {c.id for c in client.contacts.list(updated_since=since)}
    assert {wanted.id, vendor.id} <= recent
    suppliers = {c.id for c in client.contacts.list(search="Filtered", contact_type="supplier")}
    assert suppliers == {vendor.id}
    [by_email] = client.contacts.list(email="widgets@acme.test")
    assert by_email.id == wanted.id
    narrow = next(iter(client.contacts.list(search="Filtered Widgets", fields=["name"])))
    assert narrow.name == "Filtered Widgets"
    assert narrow.email is None
    [raw] = client.contacts.list(search="Filtered Widgets", include_remote_data=True)
    assert raw.remote_data is not None
    assert raw.remote_data["id"] == wanted.id


def test_deleted_contacts_are_listed(client: ua.Client) -> None:
    gone = customer(client)
    client.contacts.delete(gone.id)  # type: ignore[arg-type]
    since = gone.updated_at - timedelta(seconds=1)  # type: ignore[operator]
    assert gone.id in {d.id for d in client.contacts.list_deleted(since=since)}


def test_upsert_never_creates_a_duplicate(client: ua.Client, sandbox: SageSandbox) -> None:
    reference = unique("U")
    first = client.contacts.upsert(ua.Contact(name="Upsert Ltd", is_customer=True,
                                              reference=reference))
    again = client.contacts.upsert(ua.Contact(name="Upsert Limited", is_customer=True,
                                              reference=reference))
    assert again.id == first.id
    assert again.name == "Upsert Limited"
    by_email = client.contacts.upsert(ua.Contact(name="Mail Ltd", is_customer=True,
                                                 email=f"{reference.lower()}@mail.test"),
                                      match_on="email")
    twice = client.contacts.upsert(ua.Contact(name="Mail Ltd 2", is_customer=True,
                                              email=f"{reference.lower()}@mail.test"),
                                   match_on="email")
    assert twice.id == by_email.id
    assert len(list(client.contacts.list(search=reference))) == 1


def test_contact_persons(client: ua.Client) -> None:
    owner = customer(client, addresses=[ua.Address(line1="2 Dock Rd", city="Hull")])
    person = client.contact_persons.create(ua.ContactPerson(
        contact_id=owner.id, name="Sam Lee", email="sam@acme.test", job_title="Buyer"))
    assert person.id
    assert person.contact_id == owner.id
    listed = {p.id: p for p in client.contact_persons.list(contact_id=owner.id)}
    assert person.id in listed
    assert listed[person.id].contact_id == owner.id
    fetched = client.contact_persons.get(person.id)  # type: ignore[arg-type]
    assert (fetched.name, fetched.contact_id) == ("Sam Lee", owner.id)
    changed = client.contact_persons.update(person.id, {"job_title": "Head buyer"})  # type: ignore[arg-type]
    assert changed.job_title == "Head buyer"
    client.contact_persons.delete(person.id)  # type: ignore[arg-type]
    with pytest.raises(ua.NotFoundError):
        client.contact_persons.get(person.id)  # type: ignore[arg-type]
    since = person.updated_at - timedelta(seconds=1)  # type: ignore[operator]
    assert person.id in {d.id for d in client.contact_persons.list_deleted(since=since)}


def test_sage_length_limits_are_checked_before_sending(client: ua.Client,
                                                       sandbox: SageSandbox) -> None:
    before = sandbox.counters.requests.get("POST /contacts", 0)
    with pytest.raises(ua.ValidationError) as caught:
        client.contacts.create(ua.Contact(name="A", is_customer=True, reference="X" * 11))
    assert "reference" in caught.value.errors
    customer(client)
    assert sandbox.counters.requests.get("POST /contacts", 0) == before + 1
