"""Credit notes, contact allocations, products and services <-> Sage JSON."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from unified_accounting_sage.errors import error_from_response
from unified_accounting_sage.field_paths import unified_path
from unified_accounting_sage.json_values import loads
from unified_accounting_sage.mappers import credit_notes, items

from unified_accounting.errors import ValidationError
from unified_accounting.models import CreditNote, CreditNoteAllocation, InvoiceLine, Item

from .sage_json import CONTACT_ID, LEDGER_SALES_ID, ref

NOTE_ID = "c" * 32
INVOICE_ID = "d" * 32
PRODUCT_ID = "e" * 32


def sales_credit_note() -> Any:
    """A sales credit note with one allocation to an invoice and one refund."""
    line = {"id": "l1", "description": "Returned widgets", "product": {"id": PRODUCT_ID},
            "service": None, "ledger_account": {"id": LEDGER_SALES_ID}, "quantity": "2.0",
            "unit_price": "25.0", "net_amount": "50.0", "tax_rate": {"id": "GB_STANDARD"},
            "tax_amount": "10.0", "total_amount": "60.0", "unit_price_includes_tax": False}
    return loads(json.dumps({
        "id": NOTE_ID, "$path": f"/sales_credit_notes/{NOTE_ID}",
        "credit_note_number": "SCN-4", "transaction_type": {"id": "SALES_CREDIT_NOTE"},
        "contact": {"id": CONTACT_ID}, "date": "2025-03-05",
        "original_invoice_date": "2025-03-01", "reference": "RMA-1",
        "currency": {"id": "GBP"}, "status": {"id": "PART_PAID"}, "net_amount": "50.0",
        "tax_amount": "10.0", "total_amount": "60.0", "total_paid": "45.0",
        "outstanding_amount": "15.0", "credit_note_lines": [line],
        "payments_allocations": [
            {"id": "a1", "date": "2025-03-06", "amount": "40.0",
             "artefact": {"id": INVOICE_ID}, "contact_allocation": {"id": "x1"}},
            {"id": "a2", "date": "2025-03-07", "amount": "5.0",
             "contact_payment": {"id": "r1"}}],
        "created_at": "2025-03-05T10:00:00Z", "updated_at": "2025-03-06T10:00:00Z",
    }))


def test_reads_a_sales_credit_note_and_only_its_invoice_allocations() -> None:
    note = credit_notes.to_unified(sales_credit_note(), business_id="b")
    assert (note.type, note.number, note.status, note.reference) == (
        "sales", "SCN-4", "partially_allocated", "RMA-1")
    assert (note.total_amount, note.amount_allocated, note.amount_remaining) == (
        Decimal("60.0"), Decimal("45.0"), Decimal("15.0"))
    assert note.lines[0].item_id == PRODUCT_ID
    assert note.invoice_id is None
    assert note.allocations == [CreditNoteAllocation(
        invoice_id=INVOICE_ID, amount=Decimal("40.0"), date=date(2025, 3, 6))]


def test_the_type_comes_from_the_path_when_the_transaction_type_is_missing() -> None:
    raw = {"id": "x", "$path": "/purchase_credit_notes/x", "date": "2025-03-05",
           "vendor_reference": "V-9"}
    note = credit_notes.to_unified(raw)
    assert (note.type, note.number) == ("purchase", "V-9")
    with pytest.raises(ValueError, match="sales from a purchase"):
        credit_notes.to_unified({"id": "x", "date": "2025-03-05"})


def _note(kind: str = "sales", **line: Any) -> CreditNote:
    fields: dict[str, Any] = {"description": "Returned", "unit_price": Decimal("25"),
                              "account_id": LEDGER_SALES_ID}
    fields.update(line)
    return CreditNote(type=kind, contact_id=CONTACT_ID, issue_date=date(2025, 3, 5),  # type: ignore[arg-type]
                      number="V-1", lines=[InvoiceLine(**fields)])


def test_writes_lines_with_their_item_and_the_original_invoice_date() -> None:
    body = credit_notes.to_sage(_note(item_id=PRODUCT_ID), resolve_item=lambda _: "product",
                                original_invoice_date=date(2025, 3, 1))
    assert body["original_invoice_date"] == "2025-03-01"
    assert body["credit_note_number"] == "V-1"
    (line,) = body["credit_note_lines"]
    assert (line["product_id"], "service_id" in line) == (PRODUCT_ID, False)
    purchase = credit_notes.to_sage(_note("purchase", item_id=PRODUCT_ID, quantity=Decimal(1)),
                                    resolve_item=lambda _: "service")
    assert purchase["vendor_reference"] == "V-1"
    assert purchase["credit_note_lines"][0]["service_id"] == PRODUCT_ID


def test_lines_that_sage_cannot_take_are_refused_at_unified_paths() -> None:
    with pytest.raises(ValidationError) as no_resolver:
        credit_notes.to_sage(_note(item_id=PRODUCT_ID))
    assert list(no_resolver.value.errors) == ["lines[0].item_id"]

    def unknown(item_id: str) -> Any:
        raise ValidationError({"item_id": ["no such product or service in this business"]})

    with pytest.raises(ValidationError) as missing:
        credit_notes.to_sage(_note(item_id=PRODUCT_ID), resolve_item=unknown)
    assert missing.value.errors == {
        "lines[0].item_id": ["no such product or service in this business"]}
    with pytest.raises(ValidationError) as discount:
        credit_notes.to_sage(_note("purchase", discount_amount=Decimal("1")))
    assert list(discount.value.errors) == ["lines[0].discount_amount"]
    with pytest.raises(ValidationError) as required:
        credit_notes.to_sage(_note(account_id=None, description=None))
    assert set(required.value.errors) == {"lines[0].account_id", "lines[0].description"}


def test_allocation_bodies_net_to_zero_one_per_date() -> None:
    note = CreditNote(id=NOTE_ID, type="purchase", contact_id=CONTACT_ID,
                      issue_date=date(2025, 3, 5))
    bodies = credit_notes.allocation_bodies(note, [
        CreditNoteAllocation(invoice_id="i1", amount=Decimal("10.10")),
        CreditNoteAllocation(invoice_id="i2", amount=Decimal("0.20"), date=date(2025, 3, 9)),
        CreditNoteAllocation(invoice_id="i3", amount=Decimal("5.00")),
    ])
    assert [b.get("date") for b in bodies] == [None, "2025-03-09"]
    assert (bodies[0]["transaction_type_id"], bodies[0]["contact_id"]) == (
        "VENDOR_ALLOCATION", CONTACT_ID)
    assert [(a["artefact_id"], Decimal(a["amount"])) for a in bodies[0]["allocated_artefacts"]] \
        == [("i1", Decimal("10.10")), ("i3", Decimal("5.00")), (NOTE_ID, Decimal("-15.10"))]
    for body in bodies:
        assert sum(Decimal(a["amount"]) for a in body["allocated_artefacts"]) == 0


def test_a_product_and_a_service_keep_their_prices_where_sage_does() -> None:
    product = Item(type="product", code="W-1", description="Widget",
                   sales_price=Decimal("12.345"), purchase_price=Decimal("7.5"),
                   sales_account_id="s", purchase_account_id="p", is_active=False)
    body = items.to_sage(product)
    assert body["sales_prices"] == [{"price_name": "Selling Price", "price": "12.345",
                                     "price_includes_tax": False}]
    assert (body["cost_price"], body["active"], body["item_code"]) == ("7.5", False, "W-1")
    service = items.to_sage(Item(type="service", description="Hour", sales_price=Decimal(80),
                                 sales_account_id="s"))
    assert service["sales_rates"][0]["rate"] == "80"
    raw = {"id": "x", "description": "Hour", "item_code": "H", "active": True,
           "sales_rates": [{"rate": "80.0"}, {"rate": "95.0"}], "cost_price": "0.0",
           "sales_ledger_account": ref("ledger_accounts", "s", "Sales"),
           "sales_tax_rate": {"id": "GB_STANDARD"}}
    read = items.to_unified(raw, item_type="service")
    assert (read.sales_price, read.purchase_price, read.sales_account_id) == (
        Decimal("80.0"), Decimal("0.0"), "s")
    assert read.sales_tax_rate_id == "GB_STANDARD"


def test_a_product_without_its_purchase_account_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        items.to_sage(Item(type="product", description="Widget", sales_account_id="s"))
    assert caught.value.errors == {"purchase_account_id": ["required by Sage"]}


def test_sage_error_sources_name_unified_fields() -> None:
    assert unified_path("sales_credit_note", "credit_note_lines.1.product_id") == \
        "lines[1].item_id"
    assert unified_path("purchase_credit_note", "original_invoice_date") == "invoice_id"
    assert unified_path("service", "sales_ledger_account_id") == "sales_account_id"
    error = error_from_response(
        422, b'[{"$severity":"error","$dataCode":"RecordInvalid","$message":"exceeds",'
        b'"$source":"allocated_artefacts.0.amount"}]', resource="contact_allocation")
    assert isinstance(error, ValidationError)
    assert error.errors == {"allocations[0].amount": ["exceeds"]}
