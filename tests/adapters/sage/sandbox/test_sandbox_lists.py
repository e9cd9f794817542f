"""List envelope, paging, attributes and the filters Sage offers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Api


def test_envelope_defaults_to_twenty_per_page_with_relative_links(sb: SageSandbox,
                                                                  api: Api) -> None:
    sb.seed_contacts(45)
    body = api.get("/contacts").json()
    assert body["$total"] == 45
    assert body["$page"] == 1
    assert body["$itemsPerPage"] == 20
    assert len(body["$items"]) == 20
    assert body["$back"] is None
    assert body["$next"].startswith("/contacts?")
    assert parse_qs(urlsplit(body["$next"]).query) == {"page": ["2"], "items_per_page": ["20"]}
    assert set(body["$items"][0]) == {"id", "displayed_as", "$path"}


def test_next_links_keep_other_parameters_and_walk_every_record(sb: SageSandbox,
                                                                api: Api) -> None:
    ids = sb.seed_contacts(45)
    seen: list[str] = []
    path = "/contacts?items_per_page=20&contact_type_id=CUSTOMER&attributes=name"
    while path:
        body = api.get(path).json()
        seen += [item["id"] for item in body["$items"]]
        assert all("name" in item for item in body["$items"])
        path = body["$next"]
        if path:
            assert "contact_type_id=CUSTOMER" in path
            assert "attributes=name" in path
    assert seen == ids
    assert body["$page"] == 3
    assert body["$back"].startswith("/contacts?page=2")


def test_items_per_page_is_capped_at_200(sb: SageSandbox, api: Api) -> None:
    sb.seed_contacts(250)
    body = api.get("/contacts", params={"items_per_page": 500}).json()
    assert body["$itemsPerPage"] == 200
    assert len(body["$items"]) == 200


def test_a_page_past_the_end_returns_the_last_page(sb: SageSandbox, api: Api) -> None:
    ids = sb.seed_contacts(25)
    body = api.get("/contacts", params={"page": 9, "items_per_page": 10}).json()
    assert body["$page"] == 3
    assert [item["id"] for item in body["$items"]] == ids[20:]
    assert body["$next"] is None


def test_empty_list(api: Api) -> None:
    body = api.get("/journals").json()
    assert body == {"$total": 0, "$page": 1, "$next": None, "$back": None,
                    "$itemsPerPage": 20, "$items": []}


def test_attributes_all_returns_whole_records(sb: SageSandbox, api: Api) -> None:
    created = api.contact("Full Record", reference="FULL1")
    item = api.get("/contacts", params={"attributes": "all"}).json()["$items"][0]
    assert item == api.get(f"/contacts/{created['id']}").json()
    assert item["reference"] == "FULL1"


def test_updated_or_created_since_is_inclusive(sb: SageSandbox, api: Api) -> None:
    first = api.contact("First")
    sb.advance_clock(60)
    second = api.contact("Second")
    boundary = second["created_at"]
    found = api.get("/contacts", params={"updated_or_created_since": boundary}).json()
    assert [item["id"] for item in found["$items"]] == [second["id"]]
    sb.advance_clock(60)
    api.put(f"/contacts/{first['id']}", {"contact": {"notes": "changed"}})
    found = api.get("/contacts", params={"updated_or_created_since": boundary}).json()
    assert {item["id"] for item in found["$items"]} == {first["id"], second["id"]}
    offset_form = "2025-03-01T10:01:00+01:00"  # = 09:01:00Z, the second contact's time
    found = api.get("/contacts", params={"updated_or_created_since": offset_form}).json()
    assert found["$total"] == 2


def test_deleted_since_is_exclusive(sb: SageSandbox, api: Api) -> None:
    early = api.contact("Early")
    api.delete(f"/contacts/{early['id']}")
    deleted_at = sb.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    sb.advance_clock(10)
    late = api.contact("Late")
    assert api.delete(f"/contacts/{late['id']}").status_code == 204
    body = api.get("/contacts", params={"deleted_since": deleted_at}).json()
    assert [item["id"] for item in body["$items"]] == [late["id"]]
    assert body["$items"][0]["deleted_at"] > deleted_at
    everything = api.get("/contacts", params={"deleted_since": "2000-01-01T00:00:00Z"}).json()
    assert everything["$total"] == 2


def test_search_and_contact_type_filters(api: Api) -> None:
    api.contact("Acme Widgets", reference="ACME")
    api.contact("Bolt Supplies", kind="VENDOR", reference="BOLT")
    assert api.get("/contacts", params={"search": "widg"}).json()["$total"] == 1
    assert api.get("/contacts", params={"search": "bolt"}).json()["$total"] == 1
    vendors = api.get("/contacts", params={"contact_type_id": "VENDOR", "attributes": "name"})
    assert [item["name"] for item in vendors.json()["$items"]] == ["Bolt Supplies"]


def test_invalid_filter_value_is_422(api: Api) -> None:
    reply = api.get("/contacts", params={"updated_or_created_since": "yesterday"})
    assert reply.status_code == 422
    assert reply.json()[0]["$source"] == "updated_or_created_since"


def test_large_lists_page_through_every_record(sb: SageSandbox, api: Api) -> None:
    ids = sb.seed_contacts(3000)
    last = api.get("/contacts", params={"items_per_page": 200, "page": 15}).json()
    assert [item["id"] for item in last["$items"]] == ids[2800:]
    filtered = api.get("/contacts", params={"items_per_page": 200, "page": 15,
                                            "contact_type_id": "CUSTOMER"}).json()
    assert filtered["$total"] == 3000
    assert [item["id"] for item in filtered["$items"]] == ids[2800:]


def test_lookup_lists(api: Api) -> None:
    types = api.get("/contact_types").json()["$items"]
    assert [item["id"] for item in types] == ["CUSTOMER", "VENDOR"]
    currencies = api.get("/currencies", params={"items_per_page": 200}).json()["$items"]
    assert {"id": "GBP", "displayed_as": "Pound Sterling (GBP)",
            "$path": "/currencies/GBP"} in currencies
    statuses = {item["id"] for item in api.get("/artefact_statuses").json()["$items"]}
    assert {"DRAFT", "UNPAID", "PART_PAID", "PAID", "VOID"} <= statuses
    assert api.get("/countries/FR").json()["id"] == "FR"
    assert api.get("/payment_methods/NOPE").status_code == 404
