"""contacts and contact_persons: wrapped writes, bare reads, validation and deletion."""

from __future__ import annotations

from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Api


def test_create_returns_the_bare_object_with_references(sb: SageSandbox, api: Api) -> None:
    body = {
        "name": "Acme Ltd", "contact_type_ids": ["CUSTOMER"], "reference": "ACME001",
        "credit_limit": 5000, "credit_days": 14, "currency_id": "EUR",
        "default_sales_ledger_account_id": sb.ledger_account_id("GB", 4000),
        "main_address": {"address_line_1": "1 High St", "city": "Leeds", "country_id": "GB"},
        "main_contact_person": {"name": "Jo Bloggs", "email": "jo@acme.test"},
        "bank_account_details": {"account_name": "Acme", "sort_code": "010203"},
    }
    reply = api.post("/contacts", {"contact": body})
    assert reply.status_code == 201
    contact = reply.json()
    assert "contact" not in contact
    assert len(contact["id"]) == 32
    assert contact["$path"] == f"/contacts/{contact['id']}"
    assert contact["displayed_as"] == "Acme Ltd (ACME001)"
    assert contact["contact_types"] == [
        {"id": "CUSTOMER", "displayed_as": "Customer", "$path": "/contact_types/CUSTOMER"}]
    assert contact["currency"]["id"] == "EUR"
    assert contact["credit_limit"] == "5000.0"  # money as a string, Sage style
    assert contact["balance"] == "0.0"
    assert contact["email"] == "jo@acme.test"
    assert contact["main_address"]["city"] == "Leeds"
    assert contact["main_address"]["country"]["id"] == "GB"
    assert contact["main_contact_person"]["name"] == "Jo Bloggs"
    assert contact["bank_account_details"]["sort_code"] == "010203"
    assert contact["default_sales_ledger_account"]["displayed_as"] == "Sales - Products (4000)"
    assert contact["created_at"] == "2025-03-01T09:00:00Z"
    assert api.get(f"/contacts/{contact['id']}").json() == contact


def test_missing_required_fields_are_422_naming_the_field(api: Api) -> None:
    reply = api.post("/contacts", {"contact": {"contact_type_ids": ["CUSTOMER"]}})
    assert reply.status_code == 422
    assert reply.json() == [{"$severity": "error", "$dataCode": "RecordInvalid",
                             "$message": "can't be blank", "$source": "name"}]
    missing_wrapper = api.post("/contacts", {"name": "No wrapper"})
    assert missing_wrapper.status_code == 422
    assert missing_wrapper.json()[0]["$source"] == "contact"


def test_max_lengths_and_types_are_enforced(api: Api) -> None:
    reply = api.post("/contacts", {"contact": {"name": "N" * 101,
                                               "contact_type_ids": ["CUSTOMER"],
                                               "reference": "R" * 11, "credit_days": 400}})
    assert reply.status_code == 422
    errors = {error["$source"]: error["$message"] for error in reply.json()}
    assert errors["name"] == "is too long (maximum is 100 characters)"
    assert errors["reference"] == "is too long (maximum is 10 characters)"
    assert errors["credit_days"] == "must be less than or equal to 365"


def test_contact_type_must_be_customer_or_vendor(api: Api) -> None:
    reply = api.post("/contacts", {"contact": {"name": "X", "contact_type_ids": ["FRIEND"]}})
    assert reply.status_code == 422
    assert reply.json()[0]["$source"] == "contact_type_ids"


def test_duplicate_reference_is_422(api: Api) -> None:
    api.contact("First", reference="DUP1")
    reply = api.post("/contacts", {"contact": {"name": "Second", "contact_type_ids": ["VENDOR"],
                                               "reference": "DUP1"}})
    assert reply.status_code == 422
    assert reply.json()[0]["$source"] == "reference"
    assert api.get("/contacts").json()["$total"] == 1


def test_unknown_ids_are_404(api: Api) -> None:
    assert api.get("/contacts/" + "0" * 32).status_code == 404
    assert api.get("/contacts/" + "0" * 32).json()[0]["$dataCode"] == "RecordNotFound"
    reply = api.post("/contacts", {"contact": {"name": "X", "contact_type_ids": ["CUSTOMER"],
                                               "default_sales_tax_rate_id": "NOPE"}})
    assert reply.status_code == 404
    assert reply.json()[0]["$source"] == "default_sales_tax_rate_id"
    assert api.get("/contacts").json()["$total"] == 0


def test_put_is_a_partial_update(sb: SageSandbox, api: Api) -> None:
    created = api.contact("Before", reference="REF1", notes="keep")
    sb.advance_clock(5)
    reply = api.put(f"/contacts/{created['id']}", {"contact": {"name": "After"}})
    assert reply.status_code == 200
    updated = reply.json()
    assert updated["name"] == "After"
    assert updated["notes"] == "keep"
    assert updated["displayed_as"] == "After (REF1)"
    assert updated["updated_at"] > created["updated_at"]
    assert api.put("/contacts/" + "0" * 32, {"contact": {"name": "x"}}).status_code == 404


def test_reference_can_be_reused_after_change_or_delete(api: Api) -> None:
    first = api.contact("First", reference="R1")
    api.put(f"/contacts/{first['id']}", {"contact": {"reference": "R2"}})
    api.contact("Second", reference="R1")
    api.delete(f"/contacts/{first['id']}")
    api.contact("Third", reference="R2")


def test_delete_is_204_and_a_contact_with_invoices_cannot_be_deleted(api: Api) -> None:
    free = api.contact("Free")
    reply = api.delete(f"/contacts/{free['id']}")
    assert reply.status_code == 204
    assert reply.content == b""
    assert api.get(f"/contacts/{free['id']}").status_code == 404
    busy = api.contact("Busy")
    api.sales_invoice(busy["id"])
    refused = api.delete(f"/contacts/{busy['id']}")
    assert refused.status_code == 422
    assert refused.json()[0]["$source"] == "base"


def test_contact_persons_attach_to_an_address(api: Api) -> None:
    contact = api.contact("With People", main_address={"address_line_1": "2 Low St"})
    address_id = contact["main_address"]["id"]
    person = api.create("contact_persons", "contact_person", {
        "address_id": address_id, "name": "Sam", "contact_person_type_ids": ["SALES"],
        "email": "sam@example.com"})
    assert person["address"]["id"] == address_id
    assert person["contact_person_types"][0]["id"] == "SALES"
    listed = api.get("/contact_persons", params={"contact_id": contact["id"]}).json()
    assert [item["id"] for item in listed["$items"]] == [person["id"]]
    missing = api.post("/contact_persons", {"contact_person": {
        "address_id": "0" * 32, "name": "Lost", "contact_person_type_ids": ["SALES"]}})
    assert missing.status_code == 404
    assert missing.json()[0]["$source"] == "address_id"
    assert api.put(f"/contact_persons/{person['id']}",
                   {"contact_person": {"job_title": "Buyer"}}).json()["job_title"] == "Buyer"
    assert api.delete(f"/contact_persons/{person['id']}").status_code == 204


def test_a_refused_person_update_changes_nothing(api: Api) -> None:
    contact = api.contact("Careful", main_address={"address_line_1": "3 Mid St"})
    person = api.create("contact_persons", "contact_person", {
        "address_id": contact["main_address"]["id"], "name": "Kim",
        "contact_person_type_ids": ["SALES"]})
    refused = api.put(f"/contact_persons/{person['id']}", {"contact_person": {
        "contact_person_type_ids": ["ACCOUNTS"], "address_id": "0" * 32}})
    assert refused.status_code == 404
    assert api.get(f"/contact_persons/{person['id']}").json() == person


def test_money_may_be_sent_as_numeric_strings_but_not_text(api: Api) -> None:
    ok = api.post("/contacts", {"contact": {"name": "S", "contact_type_ids": ["CUSTOMER"],
                                            "credit_limit": "1200.50"}})
    assert ok.json()["credit_limit"] == "1200.5"
    bad = api.post("/contacts", {"contact": {"name": "S", "contact_type_ids": ["CUSTOMER"],
                                             "credit_limit": "lots"}})
    assert bad.status_code == 422
    assert bad.json()[0]["$source"] == "credit_limit"


def test_malformed_json_is_400(api: Api) -> None:
    reply = api.post("/contacts", data=b"{not json", headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
