"""Credit notes, contact allocations, products and services as the sandbox serves them."""

from __future__ import annotations

from typing import Any

from .conftest import Api


def _credit_note(api: Api, contact_id: str, lines: list[dict[str, Any]] | None = None,
                 **extra: Any) -> dict[str, Any]:
    body = {"contact_id": contact_id, "date": "2025-03-05",
            "credit_note_lines": lines or [api.line("25.00")], **extra}
    return api.create("sales_credit_notes", "sales_credit_note", body)


def _allocate(api: Api, contact_id: str, parts: list[tuple[str, str]],
              kind: str = "CUSTOMER_ALLOCATION") -> Any:
    return api.post("/contact_allocations", {"contact_allocation": {
        "transaction_type_id": kind, "contact_id": contact_id, "date": "2025-03-06",
        "allocated_artefacts": [{"artefact_id": i, "amount": a} for i, a in parts]}})


def test_a_credit_note_is_numbered_and_lowers_the_contact_balance(api: Api) -> None:
    customer = api.contact()
    api.sales_invoice(customer["id"])  # 120.00 owed
    note = _credit_note(api, customer["id"])  # 30.00 credited
    assert note["credit_note_number"] == "SCN-1"
    assert (note["total_amount"], note["outstanding_amount"], note["status"]["id"]) == (
        "30.0", "30.0", "UNPAID")
    assert note["transaction_type"]["id"] == "SALES_CREDIT_NOTE"
    assert "due_date" not in note
    assert api.get(f"/contacts/{customer['id']}").json()["balance"] == "90.0"


def test_a_credit_note_checks_its_contact_and_lines_like_an_invoice(api: Api) -> None:
    supplier = api.contact("Paper Co", kind="VENDOR")
    wrong = api.post("/sales_credit_notes", {"sales_credit_note": {
        "contact_id": supplier["id"], "date": "2025-03-05",
        "credit_note_lines": [api.line()]}})
    assert (wrong.status_code, wrong.json()[0]["$source"]) == (422, "contact_id")
    customer = api.contact()
    no_lines = api.post("/sales_credit_notes", {"sales_credit_note": {
        "contact_id": customer["id"], "date": "2025-03-05"}})
    assert (no_lines.status_code, no_lines.json()[0]["$source"]) == (422, "credit_note_lines")
    unknown_product = api.post("/sales_credit_notes", {"sales_credit_note": {
        "contact_id": customer["id"], "date": "2025-03-05",
        "credit_note_lines": [api.line(product_id="0" * 32)]}})
    assert unknown_product.status_code == 404
    assert unknown_product.json()[0]["$source"] == "credit_note_lines.0.product_id"


def test_an_allocation_nets_to_zero_and_lowers_both_outstanding_amounts(api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"])  # 120.00
    note = _credit_note(api, customer["id"])  # 30.00
    reply = _allocate(api, customer["id"], [(invoice["id"], "30.00"), (note["id"], "-30.00")])
    assert reply.status_code == 201, reply.text
    allocation = reply.json()
    invoice_after = api.get(f"/sales_invoices/{invoice['id']}").json()
    note_after = api.get(f"/sales_credit_notes/{note['id']}").json()
    assert (invoice_after["outstanding_amount"], invoice_after["status"]["id"]) == (
        "90.0", "PART_PAID")
    assert (note_after["outstanding_amount"], note_after["status"]["id"]) == ("0.0", "PAID")
    (entry,) = note_after["payments_allocations"]
    assert entry["artefact"]["id"] == invoice["id"]
    assert entry["contact_allocation"]["id"] == allocation["id"]
    assert invoice_after["payments_allocations"][0]["artefact"]["id"] == note["id"]
    # No money moved: the balance is what the two documents leave owing.
    assert api.get(f"/contacts/{customer['id']}").json()["balance"] == "90.0"

    assert api.delete(f"/contact_allocations/{allocation['id']}").status_code == 204
    restored = api.get(f"/sales_invoices/{invoice['id']}").json()
    assert (restored["outstanding_amount"], restored["status"]["id"]) == ("120.0", "UNPAID")
    assert restored["payments_allocations"] == []
    assert api.get(f"/sales_credit_notes/{note['id']}").json()["outstanding_amount"] == "30.0"


def test_allocations_that_do_not_add_up_are_refused(api: Api) -> None:
    customer, other = api.contact("A"), api.contact("B")
    invoice = api.sales_invoice(customer["id"])  # 120.00
    note = _credit_note(api, customer["id"])  # 30.00
    cases = {
        "allocated_artefacts": [(invoice["id"], "30.00"), (note["id"], "-20.00")],
        "allocated_artefacts.1.amount": [(invoice["id"], "40.00"), (note["id"], "-40.00")],
        "allocated_artefacts.0.amount": [(invoice["id"], "-30.00"), (note["id"], "30.00")],
    }
    for source, parts in cases.items():
        reply = _allocate(api, customer["id"], parts)
        assert (reply.status_code, reply.json()[0]["$source"]) == (422, source), parts
    foreign = _allocate(api, other["id"], [(invoice["id"], "1.00"), (note["id"], "-1.00")])
    assert foreign.json()[0]["$source"] == "allocated_artefacts.0.artefact_id"
    vendor = _allocate(api, customer["id"], [(invoice["id"], "1"), (note["id"], "-1")],
                       kind="VENDOR_ALLOCATION")
    assert vendor.json()[0]["$source"] == "contact_id"
    untouched = api.get(f"/sales_invoices/{invoice['id']}").json()
    assert untouched["outstanding_amount"] == "120.0"


def test_a_draft_credit_note_cannot_be_allocated_and_is_deleted_not_voided(api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"])
    draft = _credit_note(api, customer["id"], status_id="DRAFT")
    reply = _allocate(api, customer["id"], [(invoice["id"], "30.00"), (draft["id"], "-30.00")])
    assert reply.status_code == 422
    assert api.delete(f"/sales_credit_notes/{draft['id']}").status_code == 204
    issued = _credit_note(api, customer["id"])
    assert api.delete(f"/sales_credit_notes/{issued['id']}").status_code == 422  # no reason
    voided = api.delete(f"/sales_credit_notes/{issued['id']}",
                        params={"void_reason": "Issued in error"})
    assert (voided.status_code, voided.json()["status"]["id"]) == (200, "VOID")


def test_products_and_services_and_the_lines_that_name_them(api: Api) -> None:
    sales, purchases = api.sb.ledger_account_id("GB", 4000), api.sb.ledger_account_id("GB", 5000)
    product = api.create("products", "product", {
        "description": "Widget", "item_code": "W-1", "sales_ledger_account_id": sales,
        "purchase_ledger_account_id": purchases, "cost_price": "4.5",
        "sales_prices": [{"price_name": "Selling Price", "price": "10"}]})
    assert (product["catalog_item_type"]["id"], product["deletable"]) == ("NON_STOCK_ITEM", True)
    assert product["sales_prices"][0]["price"] == "10.0"
    taken = api.post("/products", {"product": {
        "description": "Other", "item_code": "w-1", "sales_ledger_account_id": sales,
        "purchase_ledger_account_id": purchases}})
    assert (taken.status_code, taken.json()[0]["$source"]) == (422, "item_code")
    needs_purchases = api.post("/products", {"product": {
        "description": "Other", "sales_ledger_account_id": sales}})
    assert needs_purchases.json()[0]["$source"] == "purchase_ledger_account_id"
    service = api.create("services", "service", {
        "description": "Hour", "sales_ledger_account_id": sales,
        "sales_rates": [{"rate_name": "Rate", "rate": "80"}]})

    customer = api.contact()
    invoice = api.sales_invoice(customer["id"], [api.line(product_id=product["id"]),
                                                 api.line(service_id=service["id"])])
    lines = invoice["invoice_lines"]
    assert (lines[0]["product"]["id"], lines[1]["service"]["id"]) == (product["id"],
                                                                       service["id"])
    assert api.get(f"/products/{product['id']}").json()["deletable"] is False
    refused = api.delete(f"/products/{product['id']}")
    assert (refused.status_code, refused.json()[0]["$source"]) == (422, "base")
    listed = api.get("/services", params={"search": "hour", "attributes": "description"})
    assert [s["id"] for s in listed.json()["$items"]] == [service["id"]]
    both = api.post("/sales_invoices", {"sales_invoice": {
        "contact_id": customer["id"], "date": "2025-03-01",
        "invoice_lines": [api.line(product_id=product["id"], service_id=service["id"])]}})
    assert both.status_code == 422
