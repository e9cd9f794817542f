"""``POST /v1/connections/{c}/credit_notes/{id}/allocations`` against the Sage sandbox."""

from __future__ import annotations

from typing import Any

import requests

from unified_accounting.gateway.openapi import openapi_document

from .conftest import LiveGateway


def _post(live: LiveGateway, suffix: str, body: Any, status: int = 201) -> dict[str, Any]:
    answer = requests.post(live.connection_url(suffix), headers=live.headers(), json=body,
                           timeout=30)
    assert answer.status_code == status, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _documents(live: LiveGateway, reference: str) -> tuple[str, str]:
    """A customer's invoice of 120.00 and a credit note of 24.00 (VAT included)."""
    sales = live.sandbox.ledger_account_id("GB", 4000)
    customer = _post(live, "/contacts", {"name": f"Customer {reference}", "is_customer": True})
    lines = [{"description": "Support", "quantity": "1", "unit_price": "100.00",
              "account_id": sales, "tax_code": "standard"}]
    invoice = _post(live, "/invoices", {"type": "sales", "contact_id": customer["id"],
                                        "issue_date": "2026-03-01", "reference": reference,
                                        "lines": lines})
    note = _post(live, "/credit_notes", {
        "type": "sales", "contact_id": customer["id"], "issue_date": "2026-03-05",
        "reference": f"CN-{reference}",
        "lines": [{**lines[0], "unit_price": "20.00"}]})
    assert (invoice["amount_due"], note["total_amount"]) == ("120.00", "24.00")
    return invoice["id"], note["id"]


def test_a_credit_note_allocated_over_http_lowers_the_invoice_outstanding(
    live: LiveGateway,
) -> None:
    invoice_id, note_id = _documents(live, "GW-ALLOC")
    note = _post(live, f"/credit_notes/{note_id}/allocations",
                 {"allocations": [{"invoice_id": invoice_id, "amount": "24.00"}]}, status=200)
    assert note["id"] == note_id
    assert note["amount_remaining"] == "0.00"
    invoice = requests.get(live.connection_url(f"/invoices/{invoice_id}"),
                           headers=live.headers(), timeout=30).json()
    assert invoice["amount_due"] == "96.00"


def test_bad_allocations_are_refused_by_field_before_any_write(live: LiveGateway) -> None:
    invoice_id, note_id = _documents(live, "GW-BAD")
    path = f"/credit_notes/{note_id}/allocations"
    missing = _post(live, path, {}, status=422)
    assert missing["errors"] == {"allocations": ["is required"]}
    negative = _post(live, path, {"allocations": [{"invoice_id": invoice_id,
                                                   "amount": "-5.00"}]}, status=422)
    assert list(negative["errors"]) == ["allocations[0].amount"]
    stray = _post(live, path, {"allocations": [], "note": "x"}, status=422)
    assert stray["errors"] == {"note": ["is not a known field"]}
    too_much = _post(live, path, {"allocations": [{"invoice_id": invoice_id,
                                                   "amount": "30.00"}]}, status=422)
    assert too_much["errors"]
    invoice = requests.get(live.connection_url(f"/invoices/{invoice_id}"),
                           headers=live.headers(), timeout=30).json()
    assert invoice["amount_due"] == "120.00"
    assert requests.post(live.connection_url(path), json={"allocations": []},
                         timeout=30).status_code == 401


def test_the_allocation_route_is_described_in_the_openapi_document() -> None:
    path = openapi_document()["paths"][
        "/v1/connections/{connection}/credit_notes/{id}/allocations"]
    body = path["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["allocations"]["items"] == {
        "$ref": "#/components/schemas/CreditNoteAllocation"}
    assert "CreditNoteAllocation" in openapi_document()["components"]["schemas"]
