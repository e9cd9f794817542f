"""Credit notes are checked by the invoice rules; items carry unit prices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from model_strategies import errors_of

import unified_accounting as ua
from unified_accounting.json_validation import validate_json


def _note(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": "sales", "contact_id": "c1", "issue_date": "2026-03-01", "currency": "GBP",
        "lines": [{"description": "Goodwill", "quantity": "2", "unit_price": "12.50",
                   "net_amount": "25.00", "tax_amount": "5.00", "total_amount": "30.00",
                   "item_id": "p1"}],
        "net_amount": "25.00", "tax_amount": "5.00", "total_amount": "30.00",
    }
    document.update(changes)
    return document


def test_a_credit_note_loads_with_its_lines_items_and_allocations() -> None:
    note = ua.load("credit_note", _note(
        invoice_id="i1", allocations=[{"invoice_id": "i1", "amount": "30", "date": "2026-03-02"}]))
    assert isinstance(note, ua.CreditNote)
    assert note.lines[0].item_id == "p1"
    assert note.allocations == [ua.CreditNoteAllocation(
        invoice_id="i1", amount=Decimal("30.00"), date=date(2026, 3, 2))]
    assert ua.load("credit_note", ua.dump(note)) == note
    assert validate_json("credit_note", ua.dump(note)) == ua.dump(note)


@pytest.mark.parametrize(("changes", "path", "message"), [
    ({"total_amount": "30.01"}, "total_amount",
     "total_amount 30.01 != sum of line total_amount 30.00 (difference 0.01)"),
    ({"lines": [{"quantity": "2", "unit_price": "12.50", "net_amount": "25.01"}]},
     "lines[0].net_amount",
     "net_amount 25.01 != quantity x unit_price - discount 25.00 (difference 0.01)"),
    ({"lines": []}, "lines", "a credit note needs at least one line"),
    ({"allocations": [{"invoice_id": "i1", "amount": "20"},
                      {"invoice_id": "i2", "amount": "10.01"}]}, "allocations",
     "allocations 30.01 exceed total_amount 30.00 (difference 0.01)"),
    ({"allocations": [{"invoice_id": "i1", "amount": "0"}]}, "allocations[0].amount",
     "must be above zero"),
    ({"status": "paid"}, "status",
     "must be one of: draft, open, partially_allocated, allocated, void"),
])
def test_credit_note_rules(changes: dict[str, Any], path: str, message: str) -> None:
    document = _note(**changes)
    if changes.get("lines"):
        document.pop("net_amount")
        document.pop("tax_amount")
        document.pop("total_amount")
    assert message in errors_of("credit_note", document)[path]


def test_a_credit_note_built_in_code_is_checked_like_an_invoice() -> None:
    note = ua.CreditNote(type="purchase", contact_id="s1", issue_date=date(2026, 3, 1),
                         currency="JPY", lines=[ua.InvoiceLine(
                             description="Returned", net_amount=Decimal("100"),
                             tax_amount=Decimal("10"), total_amount=Decimal("111"))])
    with pytest.raises(ua.ValidationError) as caught:
        ua.validate_model(note)
    assert caught.value.errors == {"lines[0].total_amount": [
        "net_amount + tax_amount 110 != total_amount 111 (difference 1)"]}


def test_an_item_keeps_unit_price_precision_and_refuses_more() -> None:
    item = ua.load("item", {"type": "service", "description": "Support hour",
                            "sales_price": "0.123456", "purchase_price": "10"})
    assert item.sales_price == Decimal("0.123456")
    assert ua.dump(item)["purchase_price"] == "10"
    assert errors_of("item", {"type": "service", "description": "x",
                              "sales_price": "0.1234567"}) == {
        "sales_price": ["must have at most 6 decimal places"]}
    assert errors_of("item", {"type": "stock", "description": " ", "purchase_price": "-1"}) == {
        "type": ["must be one of: product, service"], "description": ["must not be blank"],
        "purchase_price": ["must not be negative"]}
    with pytest.raises(ua.ValidationError) as caught:
        ua.validate_model(ua.Item(type="product", description="Widget",
                                  sales_price=1.5))  # type: ignore[arg-type]
    assert caught.value.errors == {"sales_price": ["must be Decimal, not float"]}
