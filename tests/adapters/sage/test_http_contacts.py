"""``client.contacts`` against Sage-shaped answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses

import unified_accounting as ua

from .sage_http import BASE, body, calls_to, envelope, query
from .sage_json import CONTACT_ID, contact


def test_list_asks_for_the_mapped_attributes_and_big_pages(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts", json=envelope([contact()]))
    found = list(client.contacts.list(updated_since=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
                                      contact_type="customer", search="Acme"))
    assert [c.name for c in found] == ["Acme Ltd"]
    sent = query(rsps.calls[0])
    assert sent["items_per_page"] == "200"
    assert sent["updated_or_created_since"] == "2025-03-01T09:00:00+00:00"
    assert sent["contact_type_id"] == "CUSTOMER"
    assert sent["search"] == "Acme"
    attributes = sent["attributes"].split(",")
    assert {"name", "contact_types", "main_address", "credit_limit"} <= set(attributes)


def test_pages_are_fetched_only_when_the_previous_one_is_used_up(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    first = [dict(contact(), id=f"c{i}") for i in range(2)]
    rsps.get(f"{BASE}/contacts", json=envelope(first, "/contacts?page=2&items_per_page=200"),
             match=[responses.matchers.query_param_matcher({"page": "2"}, strict_match=False)])
    rsps.get(f"{BASE}/contacts", json=envelope(first, "/contacts?page=2&items_per_page=200"))
    items = client.contacts.list()
    assert len(rsps.calls) == 0
    next(items)
    next(items)
    assert len(rsps.calls) == 1
    next(items)
    assert len(rsps.calls) == 2
    assert query(rsps.calls[1])["page"] == "2"


def test_fields_narrow_the_attributes(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts", json=envelope([{"id": "c1", "name": "A", "email": "a@b.c"}]))
    [found] = client.contacts.list(fields=["name", "email"])
    assert query(rsps.calls[0])["attributes"] == "name,email,main_contact_person"
    assert (found.name, found.email) == ("A", "a@b.c")
    with pytest.raises(ua.ValidationError):
        list(client.contacts.list(fields=["no_such_field"]))


def test_remote_data_only_when_asked(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts", json=envelope([contact()]))
    [plain] = client.contacts.list()
    [raw] = client.contacts.list(include_remote_data=True)
    assert plain.remote_data is None
    assert raw.remote_data is not None
    assert raw.remote_data["a_future_sage_field"] == {"nested": ["kept", "out"]}
    assert raw.remote_data["balance"] == "-430035.84"


def test_get_maps_a_real_shaped_contact(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts/{CONTACT_ID}", json=contact())
    found = client.contacts.get(CONTACT_ID)
    assert found.is_customer
    assert not found.is_supplier
    assert str(found.credit_limit) == "5000.0"
    assert [a.type for a in found.addresses] == ["billing", "shipping"]


def test_ids_are_quoted_in_paths(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts/a%3Fb%20c", json=contact())
    client.contacts.get("a?b c")
    assert rsps.calls[0].request.path_url == "/v3.1/contacts/a%3Fb%20c"
    with pytest.raises(ua.ValidationError):
        client.contacts.get("../businesses")
    assert len(rsps.calls) == 1


def test_create_wraps_the_body_and_merges_provider_fields(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.post(f"{BASE}/contacts", json=contact(), status=201)
    created = client.contacts.create(
        ua.Contact(name="Acme Ltd", is_customer=True, reference="ACME001", email="jo@acme.test"),
        provider_fields={"credit_terms": "date_from_invoice",
                         "main_contact_person": {"job_title": "Boss"}})
    sent = body(rsps.calls[0])["contact"]
    assert sent["contact_type_ids"] == ["CUSTOMER"]
    assert sent["credit_terms"] == "date_from_invoice"
    assert sent["main_contact_person"] == {"email": "jo@acme.test", "is_main_contact": True,
                                           "job_title": "Boss"}
    assert len(sent["idempotency_id"]) == 32
    assert created.id == CONTACT_ID


def test_a_name_too_long_is_refused_without_a_request(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    with pytest.raises(ua.ValidationError) as caught:
        client.contacts.create(ua.Contact(name="x" * 101, is_customer=True))
    assert "name" in caught.value.errors
    assert len(rsps.calls) == 0


def test_update_sends_only_what_changed(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.put(f"{BASE}/contacts/{CONTACT_ID}", json=contact())
    client.contacts.update(CONTACT_ID, {"name": "Acme Group", "is_supplier": True,
                                        "is_customer": True, "email": "new@acme.test"})
    sent = body(rsps.calls[0])["contact"]
    assert set(sent) == {"name", "contact_type_ids", "main_contact_person", "idempotency_id"}
    assert sent["contact_type_ids"] == ["CUSTOMER", "VENDOR"]
    assert sent["main_contact_person"]["email"] == "new@acme.test"


def test_update_refuses_unknown_and_read_only_fields(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    with pytest.raises(ua.ValidationError) as caught:
        client.contacts.update(CONTACT_ID, {"nmae": "typo"})
    assert "nmae" in caught.value.errors
    with pytest.raises(ua.ValidationError) as caught:
        client.contacts.update(CONTACT_ID, {"created_at": datetime.now(UTC)})
    assert "created_at" in caught.value.errors
    assert len(rsps.calls) == 0


def test_unknown_write_options_are_refused(client: ua.Client) -> None:
    with pytest.raises(TypeError, match="provider_feilds"):
        client.contacts.create(ua.Contact(name="A", is_customer=True), provider_feilds={})


def test_delete_and_deleted_since(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.delete(f"{BASE}/contacts/{CONTACT_ID}", status=204)
    rsps.get(f"{BASE}/contacts", json=envelope(
        [{"id": CONTACT_ID, "deleted_at": "2025-03-05T10:00:00Z"}]))
    client.contacts.delete(CONTACT_ID)
    [gone] = client.contacts.list_deleted(since=datetime(2025, 3, 1, tzinfo=UTC))
    assert gone.id == CONTACT_ID
    assert gone.deleted_at == datetime(2025, 3, 5, 10, tzinfo=UTC)
    sent = query(calls_to(rsps, "GET", "/contacts")[0])
    assert sent["deleted_since"] == "2025-03-01T00:00:00+00:00"


def test_upsert_updates_the_contact_with_the_same_reference(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts", json=envelope([
        {"id": "other", "reference": "ACME0011"}, {"id": CONTACT_ID, "reference": "acme001"}]))
    rsps.put(f"{BASE}/contacts/{CONTACT_ID}", json=contact())
    result = client.contacts.upsert(ua.Contact(name="Acme Ltd", is_customer=True,
                                               reference="ACME001"))
    assert result.id == CONTACT_ID
    assert query(rsps.calls[0])["search"] == "ACME001"
    assert calls_to(rsps, "POST", "/contacts") == []
    assert body(calls_to(rsps, "PUT", f"/contacts/{CONTACT_ID}")[0])["contact"]["name"] == (
        "Acme Ltd")


def test_upsert_creates_when_nothing_matches(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts", json=envelope([{"id": "x", "email": "other@acme.test"}]))
    rsps.post(f"{BASE}/contacts", json=contact(), status=201)
    client.contacts.upsert(ua.Contact(name="Acme Ltd", is_customer=True, email="jo@acme.test"),
                           match_on="email")
    assert query(rsps.calls[0])["email"] == "jo@acme.test"
    assert len(calls_to(rsps, "POST", "/contacts")) == 1


def test_upsert_refuses_ambiguous_matches_and_missing_keys(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts", json=envelope([{"id": "a", "reference": "R"},
                                                {"id": "b", "reference": "R"}]))
    with pytest.raises(ua.ConflictError):
        client.contacts.upsert(ua.Contact(name="A", is_customer=True, reference="R"))
    with pytest.raises(ua.ValidationError):
        client.contacts.upsert(ua.Contact(name="A", is_customer=True), match_on="email")
    assert calls_to(rsps, "POST", "/contacts") == []
