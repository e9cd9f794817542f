"""``client.contact_persons`` against Sage-shaped answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses

import unified_accounting as ua

from .sage_http import BASE, body, calls_to, envelope, lookup, query
from .sage_json import CONTACT_ID, contact, ref

ADDRESS_ID = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"


def _person(ident: str = "p1", name: str = "Sam Lee") -> dict[str, object]:
    return {"id": ident, "displayed_as": name, "name": name, "email": "sam@acme.test",
            "telephone": "0113 000", "is_main_contact": False, "job_title": "Buyer",
            "address": ref("addresses", ADDRESS_ID, "1 High St"),
            "contact_person_types": [ref("contact_person_types", "SALES", "Sales")],
            "is_preferred_contact": False, "future_field": 1}


def test_list_by_contact_fills_in_the_contact(rsps: responses.RequestsMock,
                                              client: ua.Client) -> None:
    rsps.get(f"{BASE}/contact_persons", json=envelope([_person()]))
    [found] = client.contact_persons.list(contact_id=CONTACT_ID)
    assert (found.contact_id, found.phone, found.job_title) == (CONTACT_ID, "0113 000", "Buyer")
    assert query(rsps.calls[0])["contact_id"] == CONTACT_ID


def test_other_reads_find_the_contact_through_the_address(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contact_persons", json=envelope([_person("p1"), _person("p2")]))
    rsps.get(f"{BASE}/addresses/{ADDRESS_ID}", json={
        "id": ADDRESS_ID, "contact": ref("contacts", CONTACT_ID, "Acme")})
    found = list(client.contact_persons.list(updated_since=datetime(2025, 1, 1, tzinfo=UTC)))
    assert [p.contact_id for p in found] == [CONTACT_ID, CONTACT_ID]
    assert len(calls_to(rsps, "GET", f"/addresses/{ADDRESS_ID}")) == 1


def test_create_attaches_the_person_to_the_main_address(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts/{CONTACT_ID}", json=contact())
    rsps.get(f"{BASE}/contact_person_types", json=lookup("contact_person_types", "SALES",
                                                         "ACCOUNTS"))
    rsps.post(f"{BASE}/contact_persons", json=_person(), status=201)
    created = client.contact_persons.create(ua.ContactPerson(contact_id=CONTACT_ID,
                                                             name="Sam Lee"))
    sent = body(calls_to(rsps, "POST", "/contact_persons")[0])["contact_person"]
    assert sent["address_id"] == ADDRESS_ID
    assert sent["contact_person_type_ids"] == ["ACCOUNTS"]
    assert created.contact_id == CONTACT_ID


def test_create_needs_a_contact(rsps: responses.RequestsMock, client: ua.Client) -> None:
    with pytest.raises(ua.ValidationError) as caught:
        client.contact_persons.create(ua.ContactPerson(name="Nobody"))
    assert list(caught.value.errors) == ["contact_id"]
    assert len(rsps.calls) == 0


def test_update_delete_and_deleted(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.put(f"{BASE}/contact_persons/p1", json=_person())
    rsps.delete(f"{BASE}/contact_persons/p1", status=204)
    rsps.get(f"{BASE}/contact_persons", json=envelope([{"id": "p1"}]))
    client.contact_persons.update("p1", ua.ContactPerson(contact_id=CONTACT_ID, name="Sam",
                                                         job_title="Lead buyer"))
    sent = body(calls_to(rsps, "PUT", "/contact_persons/p1")[0])["contact_person"]
    assert (sent["name"], sent["job_title"]) == ("Sam", "Lead buyer")
    client.contact_persons.delete("p1")
    assert [d.id for d in client.contact_persons.list_deleted(since=datetime(2025, 1, 1))] == [
        "p1"]
