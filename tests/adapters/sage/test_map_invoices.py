from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from unified_accounting_sage.mappers import invoices

from unified_accounting.errors import ValidationError
from unified_accounting.models import Invoice, InvoiceLine

from .sage_json import CONTACT_ID, INVOICE_ID, LEDGER_SALES_ID, purchase_invoice, sales_invoice


def test_reads_a_sales_invoice() -> None:
    inv = invoices.to_unified(sales_invoice(), business_id="b", include_remote=False)
    assert (inv.id, inv.type, inv.number, inv.reference) == (INVOICE_ID, "sales", "SI-12", "PO-77")
    assert inv.contact_id == CONTACT_ID
    assert (inv.issue_date, inv.due_date) == (date(2025, 3, 1), date(2025, 3, 31))
    assert inv.status == "partially_paid"
    assert (inv.net_amount, inv.tax_amount, inv.total_amount) == (
        Decimal("250.00"), Decimal("50.00"), Decimal("300.00"))
    assert inv.amount_paid == Decimal("100.00")
    assert inv.amount_due == Decimal("200.00")
    assert inv.exchange_rate == Decimal("1.0")
    assert inv.tax_inclusive is False
    first = inv.lines[0]
    assert (first.account_id, first.tax_rate_id) == (LEDGER_SALES_ID, "GB_STANDARD")
    assert (first.quantity, first.unit_price, first.tax_amount) == (
        Decimal("2.0"), Decimal("100.0"), Decimal("40.00"))


def test_reads_a_purchase_invoice_with_json_numbers_exactly() -> None:
    inv = invoices.to_unified(purchase_invoice(), business_id=None, include_remote=False)
    assert inv.type == "purchase"
    assert inv.number == "INV-9981"
    assert inv.status == "open"
    assert inv.total_amount == Decimal("96.12")
    assert inv.lines[0].unit_price == Decimal("26.70")
    assert inv.lines[0].quantity == Decimal("3")


@pytest.mark.parametrize(
    ("sage", "unified"),
    [("DRAFT", "draft"), ("UNPAID", "open"), ("PART_PAID", "partially_paid"), ("PAID", "paid"),
     ("VOID", "void"), ("PRO_FORMA", None), ("SOMETHING_NEW", None)],
)
def test_status_table(sage: str, unified: str | None) -> None:
    raw = sales_invoice()
    raw["status"] = {"id": sage, "displayed_as": sage.title()}
    assert invoices.to_unified(raw, business_id=None, include_remote=False).status == unified


def test_type_comes_from_path_when_transaction_type_is_absent() -> None:
    raw = purchase_invoice()
    del raw["transaction_type"]
    assert invoices.to_unified(raw, business_id=None, include_remote=False).type == "purchase"
    del raw["$path"]
    with pytest.raises(ValueError, match="invoice_type"):
        invoices.to_unified(raw, business_id=None, include_remote=False)
    typed = invoices.to_unified(raw, business_id=None, include_remote=False,
                                invoice_type="purchase")
    assert typed.type == "purchase"


def _sale(**changes: object) -> Invoice:
    fields: dict[str, object] = {
        "type": "sales", "contact_id": CONTACT_ID, "issue_date": date(2025, 3, 1),
        "due_date": date(2025, 3, 31), "reference": "PO-77",
        "lines": [InvoiceLine(description="Consulting", quantity=Decimal("2"),
                              unit_price=Decimal("100.00"), account_id=LEDGER_SALES_ID,
                              tax_rate_id="GB_STANDARD", tax_amount=Decimal("40.00"))],
    }
    fields.update(changes)
    return Invoice(**fields)  # type: ignore[arg-type]


def test_writes_a_sales_invoice_body() -> None:
    model = _sale(currency="GBP", status="draft", tax_inclusive=True)
    assert invoices.wrapper_key(model) == "sales_invoice"
    assert invoices.to_sage(model) == {
        "contact_id": CONTACT_ID,
        "date": "2025-03-01",
        "due_date": "2025-03-31",
        "reference": "PO-77",
        "currency_id": "GBP",
        "status_id": "DRAFT",
        "invoice_lines": [{
            "description": "Consulting", "ledger_account_id": LEDGER_SALES_ID,
            "tax_rate_id": "GB_STANDARD", "quantity": "2", "unit_price": "100.00",
            "tax_amount": "40.00", "unit_price_includes_tax": True,
        }],
    }


@pytest.mark.parametrize("status", ["open", "paid", "partially_paid", "void", None])
def test_computed_statuses_are_not_sent(status: str | None) -> None:
    assert "status_id" not in invoices.to_sage(_sale(status=status))


def test_purchase_invoice_uses_vendor_reference_and_needs_due_date() -> None:
    model = _sale(type="purchase", number="INV-1", due_date=None)
    assert invoices.wrapper_key(model) == "purchase_invoice"
    with pytest.raises(ValidationError) as caught:
        invoices.to_sage(model)
    assert list(caught.value.errors) == ["due_date"]
    body = invoices.to_sage(_sale(type="purchase", number="INV-1"))
    assert body["vendor_reference"] == "INV-1"
    assert "invoice_number" not in body


def test_purchase_lines_take_no_discount() -> None:
    line = InvoiceLine(description="d", unit_price=Decimal(1), account_id="a",
                       discount_amount=Decimal("1.00"))
    with pytest.raises(ValidationError) as caught:
        invoices.to_sage(_sale(type="purchase", lines=[line]))
    assert list(caught.value.errors) == ["lines[0].discount_amount"]


def test_missing_line_fields_are_reported_per_line() -> None:
    lines = [InvoiceLine(description="ok", unit_price=Decimal(1), account_id="a"),
             InvoiceLine(unit_price=Decimal(1))]
    with pytest.raises(ValidationError) as caught:
        invoices.to_sage(_sale(lines=lines))
    assert set(caught.value.errors) == {"lines[1].description", "lines[1].account_id"}


def test_an_invoice_without_lines_is_refused_on_create() -> None:
    with pytest.raises(ValidationError) as caught:
        invoices.to_sage(_sale(lines=[]))
    assert list(caught.value.errors) == ["lines"]


def test_tax_codes_and_concepts_go_through_resolvers() -> None:
    line = InvoiceLine(description="Plan", unit_price=Decimal("10"), tax_code="standard",
                       account_concept="subscription_revenue")
    body = invoices.to_sage(_sale(lines=[line]), resolve_tax_code={"standard": "GB_STANDARD"}.get,
                            resolve_account=lambda concept: f"acc-{concept}")
    assert body["invoice_lines"][0]["tax_rate_id"] == "GB_STANDARD"
    assert body["invoice_lines"][0]["ledger_account_id"] == "acc-subscription_revenue"


def test_an_unresolvable_code_is_a_line_error() -> None:
    line = InvoiceLine(description="Plan", unit_price=Decimal("10"), account_id="a",
                       tax_code="super_reduced")
    with pytest.raises(ValidationError) as caught:
        invoices.to_sage(_sale(lines=[line]))
    assert list(caught.value.errors) == ["lines[0].tax_code"]

    def refuse(code: str) -> str:
        raise ValidationError({"tax_code": [f"United Kingdom has no {code!r} rate"]})

    with pytest.raises(ValidationError) as caught:
        invoices.to_sage(_sale(lines=[line]), resolve_tax_code=refuse)
    assert caught.value.errors == {
        "lines[0].tax_code": ["United Kingdom has no 'super_reduced' rate"]}


def test_an_explicit_id_wins_over_a_code() -> None:
    line = InvoiceLine(description="d", unit_price=Decimal(1), account_id="a",
                       tax_rate_id="GB_ZERO", tax_code="standard")
    body = invoices.to_sage(_sale(lines=[line]))
    assert body["invoice_lines"][0]["tax_rate_id"] == "GB_ZERO"


def test_provider_fields_reach_the_body() -> None:
    body = invoices.to_sage(_sale(), provider_fields={"tax_address_region_id": "CA-QC",
                                                      "vat_reverse_charge": False})
    assert body["tax_address_region_id"] == "CA-QC"
    assert body["vat_reverse_charge"] is False


def test_reference_length_is_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        invoices.to_sage(_sale(reference="R" * 26))
    assert list(caught.value.errors) == ["reference"]


def test_round_trip() -> None:
    first = invoices.to_unified(sales_invoice(), business_id="b", include_remote=False)
    body = invoices.to_sage(first, partial=True)
    echoed = {
        **body,
        "id": first.id, "$path": f"/sales_invoices/{first.id}",
        "contact": {"id": body["contact_id"]},
        "status": {"id": "PART_PAID"}, "total_paid": "100.00", "outstanding_amount": "200.00",
        "currency": {"id": "GBP"}, "created_at": "2025-03-01T12:00:00Z",
        "updated_at": "2025-03-10T08:30:00Z",
        "invoice_lines": [
            {**line, "id": original.id, "ledger_account": {"id": line["ledger_account_id"]},
             "tax_rate": {"id": line["tax_rate_id"]}}
            for line, original in zip(body["invoice_lines"], first.lines, strict=True)
        ],
    }
    assert invoices.to_unified(echoed, business_id="b", include_remote=False) == first


@pytest.mark.parametrize(
    ("kind", "types", "fits"),
    [("sales", ["CUSTOMER"], True), ("sales", ["VENDOR"], False),
     ("purchase", ["VENDOR", "CUSTOMER"], True), ("purchase", ["CUSTOMER"], False),
     ("sales", [], False)],
)
def test_contact_type_is_checked_before_sending(kind: str, types: list[str], fits: bool) -> None:
    model = _sale(type=kind)
    if fits:
        invoices.check_contact_type(model, types)
        return
    with pytest.raises(ValidationError) as caught:
        invoices.check_contact_type(model, types)
    assert list(caught.value.errors) == ["contact_id"]
