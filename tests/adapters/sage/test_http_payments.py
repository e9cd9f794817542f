"""``client.payments`` against Sage-shaped answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import responses
from unified_accounting_sage.handlers.payments import choose_bank_account, choose_payment_method

import unified_accounting as ua

from .sage_http import BASE, body, calls_to, envelope, query
from .sage_json import (
    BANK_ACCOUNT_ID,
    CONTACT_ID,
    INVOICE_ID,
    contact_payment,
    ledger_account,
    ref,
    sales_invoice,
)

CASH_ID = "cash0000000000000000000000000000"


def _bank(ident: str, name: str, ledger: str, *, active: bool = True) -> dict[str, object]:
    return {"id": ident, "displayed_as": name, "is_active": active,
            "ledger_account": ref("ledger_accounts", ledger, name),
            "default_payment_method": ref("payment_methods", "BANK_TRANSFER", "Bank Transfer"),
            "balance": "1200.50"}


def _methods() -> dict[str, object]:
    return envelope([ref("payment_methods", m, label) for m, label in (
        ("BANK_TRANSFER", "Bank Transfer"), ("CASH", "Cash"), ("CREDIT_DEBIT", "Credit/Debit"),
        ("CHECK", "Cheque"))])


def _payment(**changes: object) -> ua.Payment:
    fields: dict[str, object] = {
        "type": "customer_receipt", "contact_id": CONTACT_ID, "date": date(2025, 3, 15),
        "amount": Decimal("100.00"),
        "allocations": [ua.PaymentAllocation(invoice_id=INVOICE_ID, amount=Decimal("100.00"))]}
    fields.update(changes)
    return ua.Payment(**fields)  # type: ignore[arg-type]


def test_the_only_bank_account_and_its_default_method_are_used(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/bank_accounts", json=envelope([
        _bank(BANK_ACCOUNT_ID, "Current (1200)", "la1200"),
        _bank(CASH_ID, "Old", "la1210", active=False)]))
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    rsps.post(f"{BASE}/contact_payments", json=contact_payment(), status=201)
    created = client.payments.create(_payment())
    sent = body(calls_to(rsps, "POST", "/contact_payments")[0])["contact_payment"]
    assert sent["bank_account_id"] == BANK_ACCOUNT_ID
    assert sent["payment_method_id"] == "BANK_TRANSFER"
    assert sent["transaction_type_id"] == "CUSTOMER_RECEIPT"
    assert sent["allocated_artefacts"] == [{"artefact_id": INVOICE_ID, "amount": "100.00"}]
    assert len(sent["idempotency_id"]) == 32
    assert created.allocations[0].invoice_id == INVOICE_ID


def test_several_bank_accounts_need_a_choice_or_a_bank_mapping(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/bank_accounts", json=envelope([
        _bank(BANK_ACCOUNT_ID, "Current (1200)", "la1200"), _bank(CASH_ID, "Cash", "la1210")]))
    rsps.get(f"{BASE}/ledger_accounts", json=envelope([
        ledger_account("BANK", 1200, "Current", "la1200"),
        ledger_account("BANK", 1210, "Cash", "la1210")]))
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    rsps.post(f"{BASE}/contact_payments", json=contact_payment(), status=201)
    with pytest.raises(ua.ValidationError) as caught:
        client.payments.create(_payment())
    message = caught.value.errors["bank_account_id"][0]
    assert BANK_ACCOUNT_ID in message
    assert CASH_ID in message
    assert calls_to(rsps, "POST", "/contact_payments") == []
    client.extras.account_mapping.set({"bank": "la1210"})
    client.payments.create(_payment())
    sent = body(calls_to(rsps, "POST", "/contact_payments")[0])["contact_payment"]
    assert sent["bank_account_id"] == CASH_ID


def test_payment_methods_are_checked_against_the_business(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/bank_accounts", json=envelope([
        _bank(BANK_ACCOUNT_ID, "Current (1200)", "la1200")]))
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=sales_invoice())
    rsps.get(f"{BASE}/payment_methods", json=_methods())
    rsps.post(f"{BASE}/contact_payments", json=contact_payment(), status=201)
    client.payments.create(_payment(bank_account_id=BANK_ACCOUNT_ID, payment_method="Cheque"))
    sent = body(calls_to(rsps, "POST", "/contact_payments")[0])["contact_payment"]
    assert sent["payment_method_id"] == "CHECK"
    with pytest.raises(ua.ValidationError) as caught:
        client.payments.create(_payment(bank_account_id=BANK_ACCOUNT_ID,
                                        payment_method="barter"))
    assert "BANK_TRANSFER" in caught.value.errors["payment_method"][0]
    assert len(calls_to(rsps, "GET", "/payment_methods")) == 1


def test_method_and_account_choice_are_pure() -> None:
    methods = [{"id": "CASH", "displayed_as": "Cash"}, {"id": "CREDIT_DEBIT"}]
    assert choose_payment_method(methods, "card") == "CREDIT_DEBIT"
    assert choose_payment_method(methods, "CASH") == "CASH"
    with pytest.raises(ua.ValidationError):
        choose_bank_account([], None)


def test_list_filters_map_to_sage(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contact_payments", json=envelope([contact_payment()]))
    [found] = client.payments.list(type="supplier_refund", contact_id=CONTACT_ID,
                                   updated_since=datetime(2025, 3, 1, tzinfo=UTC))
    sent = query(rsps.calls[0])
    assert sent["transaction_type_id"] == "VENDOR_REFUND"
    assert sent["contact_id"] == CONTACT_ID
    assert {"transaction_type", "total_amount", "allocated_artefacts"} <= set(
        sent["attributes"].split(","))
    assert found.amount == Decimal("100.00")


def test_get_update_delete_and_deleted(rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contact_payments/cp1", json=contact_payment())
    rsps.put(f"{BASE}/contact_payments/cp1", json=contact_payment())
    rsps.delete(f"{BASE}/contact_payments/cp1", status=204)
    rsps.get(f"{BASE}/contact_payments", json=envelope([{"id": "cp1", "deleted_at": None}]))
    assert client.payments.get("cp1").reference == "RCPT-1"
    client.payments.update("cp1", {"reference": "RCPT-2"})
    assert body(calls_to(rsps, "PUT", "/contact_payments/cp1")[0])["contact_payment"][
        "reference"] == "RCPT-2"
    client.payments.delete("cp1")
    assert [r.id for r in client.payments.list_deleted(since=datetime(2025, 1, 1))] == ["cp1"]


# -- allocations checked against Sage's invoices ---------------------------------------------

def _invoice(**changes: object) -> dict[str, object]:
    record: dict[str, object] = dict(sales_invoice())
    record.update(changes)
    return record


def _banks(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{BASE}/bank_accounts", json=envelope([
        _bank(BANK_ACCOUNT_ID, "Current (1200)", "la1200")]))


def _refused(rsps: responses.RequestsMock, client: ua.Client,
             payment: ua.Payment) -> dict[str, list[str]]:
    with pytest.raises(ua.ValidationError) as caught:
        client.payments.create(payment)
    assert calls_to(rsps, "POST", "/contact_payments") == []
    return caught.value.errors


def test_an_allocation_above_the_invoices_outstanding_amount_is_refused_before_sending(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _banks(rsps)
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=_invoice())  # 200.00 outstanding
    errors = _refused(rsps, client, _payment(
        bank_account_id=BANK_ACCOUNT_ID, amount=Decimal("250"),
        allocations=[ua.PaymentAllocation(invoice_id=INVOICE_ID, amount=Decimal("250.00"))]))
    assert errors == {"allocations[0].amount": [
        "given 250.00; the invoice's outstanding amount is 200.00"]}


def test_allocations_to_one_invoice_count_together_and_discounts_count(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _banks(rsps)
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=_invoice())
    errors = _refused(rsps, client, _payment(
        bank_account_id=BANK_ACCOUNT_ID, amount=Decimal("300"),
        allocations=[ua.PaymentAllocation(invoice_id=INVOICE_ID, amount=Decimal("150.00")),
                     ua.PaymentAllocation(invoice_id=INVOICE_ID, amount=Decimal("40.00"),
                                          discount=Decimal("20.00"))]))
    assert errors == {"allocations[1].amount": [
        "given 40.00 plus a discount of 20.00, after 150.00 allocated to it above; "
        "the invoice's outstanding amount is 200.00"]}
    # One GET per invoice, however many allocations name it.
    assert len(calls_to(rsps, "GET", f"/sales_invoices/{INVOICE_ID}")) == 1


def test_invoices_that_cannot_take_the_payment_are_named(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    _banks(rsps)
    others = {"a" * 32: _invoice(id="a" * 32, currency=ref("currencies", "EUR", "Euro")),
              "b" * 32: _invoice(id="b" * 32, status=ref("artefact_statuses", "VOID", "Void")),
              "c" * 32: _invoice(id="c" * 32, contact=ref("contacts", "d" * 32, "Other"))}
    for ident, record in others.items():
        rsps.get(f"{BASE}/sales_invoices/{ident}", json=record)
    rsps.get(f"{BASE}/sales_invoices/{'e' * 32}", status=404, json=[
        {"$severity": "error", "$dataCode": "RecordNotFound", "$message": "not found"}])
    errors = _refused(rsps, client, _payment(
        bank_account_id=BANK_ACCOUNT_ID, currency="GBP",
        allocations=[ua.PaymentAllocation(invoice_id=ident, amount=Decimal("10.00"))
                     for ident in [*others, "e" * 32]]))
    assert errors == {
        "allocations[0].invoice_id": ["the invoice is in EUR, the payment in GBP"],
        "allocations[1].invoice_id": ["a void invoice cannot be paid"],
        "allocations[2].invoice_id": ["the invoice belongs to another contact"],
        "allocations[3].invoice_id": ["no such invoice in this business"],
    }


def test_a_bank_account_in_another_currency_is_refused_unless_it_is_the_base_currency(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    euro_bank = {**_bank(CASH_ID, "Euro account", "la1210"),
                 "currency": ref("currencies", "EUR", "Euro")}
    pound_bank = {**_bank(BANK_ACCOUNT_ID, "Current", "la1200"),
                  "currency": ref("currencies", "GBP", "Pound Sterling")}
    rsps.get(f"{BASE}/bank_accounts", json=envelope([pound_bank, euro_bank]))
    rsps.get(f"{BASE}/financial_settings", json={
        "base_currency": ref("currencies", "GBP", "Pound Sterling")})
    rsps.get(f"{BASE}/sales_invoices/{INVOICE_ID}", json=_invoice())
    errors = _refused(rsps, client, _payment(bank_account_id=CASH_ID))
    assert errors == {"bank_account_id": [
        "the bank account is in EUR, the payment in GBP; use an account in the payment's "
        "currency or the base currency"]}
    # A euro payment of a euro invoice may go into the base-currency (GBP) account.
    euro = "a" * 32
    rsps.get(f"{BASE}/sales_invoices/{euro}",
             json=_invoice(id=euro, currency=ref("currencies", "EUR", "Euro")))
    rsps.post(f"{BASE}/contact_payments", json=contact_payment(), status=201)
    client.payments.create(_payment(
        bank_account_id=BANK_ACCOUNT_ID, currency="EUR",
        allocations=[ua.PaymentAllocation(invoice_id=euro, amount=Decimal("100.00"))]))
    assert len(calls_to(rsps, "POST", "/contact_payments")) == 1
