from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from unified_accounting_sage.mappers import payments

from unified_accounting.errors import ProviderError, ValidationError
from unified_accounting.models import Payment, PaymentAllocation

from .sage_json import BANK_ACCOUNT_ID, CONTACT_ID, INVOICE_ID, contact_payment


def test_reads_a_customer_receipt() -> None:
    pay = payments.to_unified(contact_payment(), business_id="b", include_remote=False)
    assert (pay.type, pay.contact_id, pay.bank_account_id) == (
        "customer_receipt", CONTACT_ID, BANK_ACCOUNT_ID)
    assert (pay.date, pay.amount, pay.currency) == (date(2025, 3, 15), Decimal("100.00"), "GBP")
    assert pay.payment_method == "bank_transfer"
    assert pay.reference == "RCPT-1"
    assert pay.allocations == [PaymentAllocation(invoice_id=INVOICE_ID, amount=Decimal("100.00"),
                                                 discount=Decimal("0.00"))]


@pytest.mark.parametrize(
    ("sage", "unified"),
    [("CUSTOMER_RECEIPT", "customer_receipt"), ("VENDOR_PAYMENT", "supplier_payment"),
     ("CUSTOMER_REFUND", "customer_refund"), ("VENDOR_REFUND", "supplier_refund")],
)
def test_transaction_types_both_ways(sage: str, unified: str) -> None:
    raw = contact_payment()
    raw["transaction_type"] = {"id": sage, "displayed_as": sage}
    pay = payments.to_unified(raw, business_id=None, include_remote=False)
    assert pay.type == unified
    assert payments.to_sage(pay)["transaction_type_id"] == sage


def test_an_unknown_transaction_type_is_an_error_not_a_guess() -> None:
    raw = contact_payment()
    raw["transaction_type"] = {"id": "OTHER_RECEIPT"}
    with pytest.raises(ProviderError, match="OTHER_RECEIPT"):
        payments.to_unified(raw, business_id=None, include_remote=False)


def test_writes_a_payment_body() -> None:
    pay = Payment(type="supplier_payment", contact_id="v1", date=date(2025, 4, 1),
                  amount=Decimal("96.12"), bank_account_id="bank1", payment_method="card",
                  reference="PAY-1",
                  allocations=[PaymentAllocation(invoice_id="pi1", amount=Decimal("96.12"))])
    assert payments.to_sage(pay) == {
        "transaction_type_id": "VENDOR_PAYMENT",
        "contact_id": "v1",
        "bank_account_id": "bank1",
        "payment_method_id": "CREDIT_DEBIT",
        "date": "2025-04-01",
        "total_amount": "96.12",
        "reference": "PAY-1",
        "allocated_artefacts": [{"artefact_id": "pi1", "amount": "96.12"}],
    }


def test_sage_payment_method_ids_pass_through() -> None:
    raw = contact_payment()
    raw["payment_method"] = {"id": "ALTERNATIVE_PAYMENT"}
    pay = payments.to_unified(raw, business_id=None, include_remote=False)
    assert pay.payment_method == "ALTERNATIVE_PAYMENT"
    assert payments.to_sage(pay)["payment_method_id"] == "ALTERNATIVE_PAYMENT"


def test_a_bank_account_is_required_but_may_come_from_provider_fields() -> None:
    pay = Payment(type="customer_receipt", contact_id="c", date=date(2025, 1, 1),
                  amount=Decimal("1"))
    with pytest.raises(ValidationError) as caught:
        payments.to_sage(pay)
    assert list(caught.value.errors) == ["bank_account_id"]
    body = payments.to_sage(pay, provider_fields={"bank_account_id": "b1"})
    assert body["bank_account_id"] == "b1"


def test_reference_is_limited_to_25() -> None:
    pay = Payment(type="customer_receipt", contact_id="c", date=date(2025, 1, 1),
                  amount=Decimal("1"), bank_account_id="b", reference="R" * 26)
    with pytest.raises(ValidationError) as caught:
        payments.to_sage(pay)
    assert list(caught.value.errors) == ["reference"]


def test_round_trip() -> None:
    first = payments.to_unified(contact_payment(), business_id=None, include_remote=False)
    body = payments.to_sage(first)
    echoed = {
        "id": first.id,
        "transaction_type": {"id": body["transaction_type_id"]},
        "contact": {"id": body["contact_id"]},
        "bank_account": {"id": body["bank_account_id"]},
        "payment_method": {"id": body["payment_method_id"]},
        "currency": {"id": body["currency_id"]},
        "created_at": "2025-03-15T16:00:00Z",
        "updated_at": "2025-03-15T16:00:00Z",
        "allocated_artefacts": [{"artefact": {"id": a["artefact_id"]}, "amount": a["amount"],
                                 "discount": a["discount"]} for a in body["allocated_artefacts"]],
        **{k: body[k] for k in ("date", "total_amount", "exchange_rate", "reference")},
    }
    assert payments.to_unified(echoed, business_id=None, include_remote=False) == first
