"""``client.invoices`` against Sage-shaped answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import responses

import unified_accounting as ua

from .sage_http import BASE, add_business, as_text, body, calls_to, envelope, query
from .sage_json import (
    CONTACT_ID,
    INVOICE_ID,
    LEDGER_SALES_ID,
    contact,
    ledger_account,
    purchase_invoice,
    ref,
    sales_invoice,
    tax_rate,
)


def _invoice(kind: str = "sales", **line: object) -> ua.Invoice:
    fields: dict[str, object] = {"description": "Consulting", "unit_price": Decimal("100"),
                                 "account_id": LEDGER_SALES_ID, "tax_amount": Decimal("20")}
    fields.update(line)
    lines = [ua.InvoiceLine(**fields)]  # type: ignore[arg-type]
    return ua.Invoice(type=kind, contact_id=CONTACT_ID,  # type: ignore[arg-type]
                      issue_date=date(2025, 3, 1), due_date=date(2025, 3, 31), lines=lines)


def _customer(rsps: responses.RequestsMock, *types: str) -> None:
    record = dict(contact())
    record["contact_types"] = [ref("contact_types", t, t.title()) for t in types]
    rsps.get(f"{BASE}/contacts/{CONTACT_ID}", json=record)


def _gb_rates(rsps: responses.RequestsMock) -> None:
    add_business(rsps, "GB")
    rsps.get(f"{BASE}/tax_rates", json=envelope([
        tax_rate("GB_STANDARD", "Standard", "20.0"), tax_rate("GB_LOWER", "Lower Rate", "5.0"),
        tax_rate("GB_ZERO", "Zero Rated", "0.0")]))


def test_a_contact_of_the_wrong_type_stops_the_invoice_before_it_is_sent(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _customer(rsps, "VENDOR")
    rsps.post(f"{BASE}/sales_invoices", json=sales_invoice(), status=201)
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.create(_invoice())
    assert list(caught.value.errors) == ["contact_id"]
    assert calls_to(rsps, "POST", "/sales_invoices") == []


def test_a_missing_contact_stops_the_invoice(rsps: responses.RequestsMock,
                                             client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts/{CONTACT_ID}", status=404, json=[
        {"$severity": "error", "$dataCode": "RecordNotFound", "$message": "", "$source": ""}])
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.create(_invoice("purchase"))
    assert "no such contact" in caught.value.errors["contact_id"][0]
    assert [c.request.method for c in rsps.calls] == ["GET"]


def test_a_sales_invoice_is_posted_wrapped_with_an_idempotency_id(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _customer(rsps, "CUSTOMER")
    rsps.post(f"{BASE}/sales_invoices", json=sales_invoice(), status=201)
    created = client.invoices.create(_invoice(), provider_fields={"vat_reverse_charge": True})
    sent = body(calls_to(rsps, "POST", "/sales_invoices")[0])["sales_invoice"]
    assert sent["contact_id"] == CONTACT_ID
    assert sent["date"] == "2025-03-01"
    assert sent["invoice_lines"][0]["unit_price"] == "100"
    assert sent["vat_reverse_charge"] is True
    assert len(sent["idempotency_id"]) == 32
    assert (created.status, created.amount_due) == ("partially_paid", Decimal("200.00"))


def test_tax_codes_resolve_through_cached_tax_rates(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _customer(rsps, "CUSTOMER")
    _gb_rates(rsps)
    rsps.post(f"{BASE}/sales_invoices", json=sales_invoice(), status=201)
    client.invoices.create(_invoice(tax_code="standard"))
    client.invoices.create(_invoice(tax_code="reduced"))
    posted = [body(c)["sales_invoice"]["invoice_lines"][0]["tax_rate_id"]
              for c in calls_to(rsps, "POST", "/sales_invoices")]
    assert posted == ["GB_STANDARD", "GB_LOWER"]
    assert len(calls_to(rsps, "GET", "/tax_rates")) == 1
    assert "percentage" in query(calls_to(rsps, "GET", "/tax_rates")[0])["attributes"]


def test_an_unresolvable_tax_code_is_refused_on_its_line(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _customer(rsps, "CUSTOMER")
    _gb_rates(rsps)
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.create(_invoice(tax_code="super_reduced"))
    assert list(caught.value.errors) == ["lines[0].tax_code"]
    assert calls_to(rsps, "POST", "/sales_invoices") == []


def test_an_explicit_tax_code_mapping_wins(rsps: responses.RequestsMock,
                                           client: ua.Client) -> None:
    _customer(rsps, "CUSTOMER")
    _gb_rates(rsps)
    rsps.post(f"{BASE}/sales_invoices", json=sales_invoice(), status=201)
    client.extras.tax_codes.set({"standard": "GB_LOWER"})
    client.invoices.create(_invoice(tax_code="standard"))
    sent = body(calls_to(rsps, "POST", "/sales_invoices")[0])["sales_invoice"]
    assert sent["invoice_lines"][0]["tax_rate_id"] == "GB_LOWER"
    with pytest.raises(ua.ValidationError):
        client.extras.tax_codes.set({"standard": "NOT_A_RATE"})


def test_account_concepts_resolve_through_the_account_mapping(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _customer(rsps, "CUSTOMER")
    rsps.get(f"{BASE}/ledger_accounts", json=envelope([ledger_account()]))
    rsps.post(f"{BASE}/sales_invoices", json=sales_invoice(), status=201)
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.create(_invoice(account_id=None, account_concept="subscription_revenue"))
    assert list(caught.value.errors) == ["lines[0].account_concept"]
    client.extras.account_mapping.set({"subscription_revenue": LEDGER_SALES_ID})
    client.invoices.create(_invoice(account_id=None, account_concept="subscription_revenue"))
    [posted] = calls_to(rsps, "POST", "/sales_invoices")
    assert body(posted)["sales_invoice"]["invoice_lines"][0]["ledger_account_id"] == (
        LEDGER_SALES_ID)


def test_a_canadian_region_resolves_the_rate_and_is_sent(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _customer(rsps, "CUSTOMER")
    add_business(rsps, "CA")
    rsps.get(f"{BASE}/tax_rates", json=envelope([
        tax_rate("CA_GST", "GST", "5.0"), tax_rate("CA_GST_QST", "GST & QST", "14.975"),
        tax_rate("CA_HST_ON", "HST", "13.0")]))
    rsps.post(f"{BASE}/sales_invoices", json=sales_invoice(), status=201)
    client.invoices.create(_invoice(tax_code="standard"), tax_region="qc")
    sent = body(calls_to(rsps, "POST", "/sales_invoices")[0])["sales_invoice"]
    assert sent["tax_address_region_id"] == "CA-QC"
    assert sent["invoice_lines"][0]["tax_rate_id"] == "CA_GST_QST"


def test_purchase_invoices_go_to_their_own_collection(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _customer(rsps, "VENDOR")
    rsps.post(f"{BASE}/purchase_invoices", body=as_text(purchase_invoice()), status=201)
    created = client.invoices.create(_invoice("purchase"))
    sent = body(rsps.calls[-1])
    assert list(sent) == ["purchase_invoice"]
    assert created.type == "purchase"
    assert created.total_amount == Decimal("96.12")


def test_list_reads_sales_then_purchases_with_filters(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/sales_invoices", json=envelope([sales_invoice()]))
    rsps.get(f"{BASE}/purchase_invoices", body=as_text(envelope([purchase_invoice()])))
    found = list(client.invoices.list(status="open", from_date=date(2025, 1, 1)))
    assert [i.type for i in found] == ["sales", "purchase"]
    for call in rsps.calls:
        assert query(call)["status_id"] == "UNPAID"
        assert query(call)["from_date"] == "2025-01-01"
    assert "vendor_reference" in query(rsps.calls[1])["attributes"]
    only = list(client.invoices.list(type="purchase"))
    assert [i.type for i in only] == ["purchase"]
    with pytest.raises(ua.ValidationError):
        list(client.invoices.list(status="overdue"))


def test_get_looks_in_sales_then_purchases(rsps: responses.RequestsMock,
                                           client: ua.Client) -> None:
    rsps.get(f"{BASE}/sales_invoices/pi1", status=404, json=[])
    rsps.get(f"{BASE}/purchase_invoices/pi1", body=as_text(purchase_invoice()))
    assert client.invoices.get("pi1").type == "purchase"
    client.invoices.get("pi1")
    assert len(calls_to(rsps, "GET", "/sales_invoices/pi1")) == 1
    rsps.get(f"{BASE}/sales_invoices/nope", status=404, json=[])
    rsps.get(f"{BASE}/purchase_invoices/nope", status=404, json=[])
    with pytest.raises(ua.NotFoundError) as caught:
        client.invoices.get("nope")
    assert caught.value.status == 404


def test_delete_voids_sales_with_a_reason_and_deletes_purchases(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/sales_invoices", json=envelope([sales_invoice()]))
    rsps.get(f"{BASE}/purchase_invoices", body=as_text(envelope([purchase_invoice()])))
    rsps.delete(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    rsps.delete(f"{BASE}/purchase_invoices/pi1", status=204)
    list(client.invoices.list())
    client.invoices.delete(INVOICE_ID, void_reason="Raised in error")
    client.invoices.delete("pi1")
    void, gone = [c for c in rsps.calls if c.request.method == "DELETE"]
    assert query(void) == {"void_reason": "Raised in error"}
    assert query(gone) == {}


def test_update_sends_only_the_changes(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    rsps.put(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    client.invoices.update(INVOICE_ID, {"due_date": date(2025, 4, 30), "notes": "Thanks"})
    sent = body(calls_to(rsps, "PUT", f"/sales_invoices/{INVOICE_ID}")[0])["sales_invoice"]
    assert set(sent) == {"due_date", "notes", "idempotency_id"}
    assert sent["due_date"] == "2025-04-30"


def test_release_posts_to_the_release_path(rsps: responses.RequestsMock,
                                           client: ua.Client) -> None:
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    rsps.post(f"{BASE}/sales_invoices/{INVOICE_ID}/release", json=sales_invoice(), status=201)
    released = client.invoices.release(INVOICE_ID)
    assert released.id == INVOICE_ID
    assert calls_to(rsps, "POST", f"/sales_invoices/{INVOICE_ID}/release")


def test_an_update_whose_lines_break_the_rules_is_refused_before_sending(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    line = ua.InvoiceLine(description="Consulting", quantity=Decimal(2),
                          unit_price=Decimal("100"), account_id=LEDGER_SALES_ID,
                          net_amount=Decimal("50"))
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.update(INVOICE_ID, {"lines": [line]})
    assert list(caught.value.errors) == ["lines[0].net_amount"]
    assert not calls_to(rsps, "PUT", f"/sales_invoices/{INVOICE_ID}")


def test_an_update_of_one_field_is_not_refused_for_the_fields_it_leaves_alone(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    rsps.put(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    client.invoices.update(INVOICE_ID, {"notes": "Thanks"})
    assert len(calls_to(rsps, "PUT", f"/sales_invoices/{INVOICE_ID}")) == 1
