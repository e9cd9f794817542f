"""Contact payments and journals over HTTP against the Sage sandbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import TODAY, customer, nominal_code, sales_invoice, unique


def _receipt(contact_id: str, amount: str, **changes: object) -> ua.Payment:
    fields: dict[str, object] = {"type": "customer_receipt", "contact_id": contact_id,
                                 "date": TODAY, "amount": Decimal(amount)}
    fields.update(changes)
    return ua.Payment(**fields)  # type: ignore[arg-type]


def test_a_receipt_settles_an_invoice(client: ua.Client, sandbox: SageSandbox) -> None:
    buyer = customer(client)
    invoice = client.invoices.create(sales_invoice(
        buyer.id, sandbox.ledger_account_id("GB", 4000), tax_code="standard"))  # type: ignore[arg-type]
    payment = client.payments.create(_receipt(
        buyer.id, "120.00", bank_account_id=sandbox.bank_account_id("GB"),  # type: ignore[arg-type]
        payment_method="bank_transfer", reference=unique("R"),
        allocations=[ua.PaymentAllocation(invoice_id=invoice.id, amount=Decimal("120.00"))]))  # type: ignore[arg-type]
    assert payment.amount == Decimal("120.00")
    assert payment.payment_method == "bank_transfer"
    assert payment.allocations[0].invoice_id == invoice.id
    assert client.invoices.get(invoice.id).status == "paid"  # type: ignore[arg-type]
    assert client.payments.get(payment.id).reference == payment.reference  # type: ignore[arg-type]


def test_the_bank_account_is_resolved(client: ua.Client, sandbox: SageSandbox) -> None:
    buyer = customer(client)
    with pytest.raises(ua.ValidationError) as caught:
        client.payments.create(_receipt(buyer.id, "10.00"))  # type: ignore[arg-type]
    assert sandbox.bank_account_id("GB") in caught.value.errors["bank_account_id"][0]
    client.extras.account_mapping.set({"bank": sandbox.ledger_account_id("GB", 1200)})
    payment = client.payments.create(_receipt(buyer.id, "10.00"))  # type: ignore[arg-type]
    assert payment.bank_account_id == sandbox.bank_account_id("GB")


def test_list_update_delete_and_deleted(client: ua.Client, sandbox: SageSandbox) -> None:
    buyer = customer(client)
    bank = sandbox.bank_account_id("GB")
    payment = client.payments.create(_receipt(buyer.id, "15.00", bank_account_id=bank))  # type: ignore[arg-type]
    listed = {p.id for p in client.payments.list(contact_id=buyer.id, type="customer_receipt",
                                                 bank_account_id=bank)}
    assert listed == {payment.id}
    assert client.payments.update(payment.id, {"reference": "PAID-1"}).reference == "PAID-1"  # type: ignore[arg-type]
    client.payments.delete(payment.id)  # type: ignore[arg-type]
    with pytest.raises(ua.NotFoundError):
        client.payments.get(payment.id)  # type: ignore[arg-type]
    since = payment.updated_at - timedelta(seconds=1)  # type: ignore[operator]
    assert payment.id in {d.id for d in client.payments.list_deleted(since=since)}


def _journal(sandbox: SageSandbox, amount: str = "250.00", credit: str | None = None
             ) -> ua.JournalEntry:
    return ua.JournalEntry(date=TODAY, reference=unique("J"), description="Accrual", lines=[
        ua.JournalLine(account_id=sandbox.ledger_account_id("GB", 7000), debit=Decimal(amount)),
        ua.JournalLine(account_id=sandbox.ledger_account_id("GB", 2109),
                       credit=Decimal(credit or amount))])


def test_journals(client: ua.Client, sandbox: SageSandbox) -> None:
    created = client.journals.create(_journal(sandbox))
    assert [(line.debit, line.credit) for line in created.lines] == [
        (Decimal("250.00"), Decimal("0")), (Decimal("0"), Decimal("250.00"))]
    since = created.updated_at - timedelta(seconds=1)  # type: ignore[operator]
    assert created.id in {j.id for j in client.journals.list(updated_since=since)}
    assert client.journals.get(created.id).description == "Accrual"  # type: ignore[arg-type]
    client.journals.delete(created.id)  # type: ignore[arg-type]
    with pytest.raises(ua.NotFoundError):
        client.journals.get(created.id)  # type: ignore[arg-type]
    assert created.id in {d.id for d in client.journals.list_deleted(since=since)}


def test_an_unbalanced_journal_never_reaches_sage(client: ua.Client,
                                                  sandbox: SageSandbox) -> None:
    before = sandbox.counters.requests.get("POST /journals", 0)
    with pytest.raises(ua.ValidationError):
        client.journals.create(_journal(sandbox, "250.00", credit="249.99"))
    assert sandbox.counters.requests.get("POST /journals", 0) == before


def test_journal_lines_may_name_concepts(client: ua.Client, sandbox: SageSandbox) -> None:
    client.extras.account_mapping.set({"wages": sandbox.ledger_account_id("GB", 7000),
                                       "accruals": sandbox.ledger_account_id("GB", 2109)})
    entry = ua.JournalEntry(date=TODAY, reference=unique("J"), lines=[
        ua.JournalLine(account_concept="wages", debit=Decimal("10")),
        ua.JournalLine(account_concept="accruals", credit=Decimal("10"))])
    created = client.journals.create(entry)
    assert created.lines[0].account_id == sandbox.ledger_account_id("GB", 7000)


def test_allocations_are_checked_against_the_invoices_before_anything_is_sent(
        client: ua.Client, sandbox: SageSandbox) -> None:
    """Outstanding amounts and currencies are read from Sage's invoices, one GET each."""
    buyer = customer(client)
    account = sandbox.ledger_account_id("GB", 4000)
    invoice = client.invoices.create(sales_invoice(buyer.id, account, tax_code="standard"))  # type: ignore[arg-type]
    euro = client.invoices.create(ua.Invoice(**{
        **vars(sales_invoice(buyer.id, account, tax_code="zero")), "currency": "EUR",  # type: ignore[arg-type]
        "exchange_rate": Decimal("1.15")}))
    bank = sandbox.bank_account_id("GB")
    posts = sandbox.counters.requests.get("POST /contact_payments", 0)
    reads = sandbox.counters.requests.get("GET /sales_invoices/{key}", 0)
    with pytest.raises(ua.ValidationError) as caught:
        client.payments.create(_receipt(
            buyer.id, "150.00", bank_account_id=bank,  # type: ignore[arg-type]
            allocations=[ua.PaymentAllocation(invoice_id=invoice.id, amount=Decimal("100.00")),  # type: ignore[arg-type]
                         ua.PaymentAllocation(invoice_id=invoice.id, amount=Decimal("30.00")),  # type: ignore[arg-type]
                         ua.PaymentAllocation(invoice_id=euro.id, amount=Decimal("20.00"))]))  # type: ignore[arg-type]
    assert caught.value.errors == {
        "allocations[1].amount": ["given 30.00, after 100.00 allocated to it above; the "
                                  "invoice's outstanding amount is 120.00"],
        "allocations[2].invoice_id": ["the invoice is in EUR, the payment in GBP"],
    }
    assert sandbox.counters.requests.get("POST /contact_payments", 0) == posts
    assert sandbox.counters.requests.get("GET /sales_invoices/{key}", 0) == reads + 2
    assert client.invoices.get(invoice.id).amount_due == Decimal("120.00")  # type: ignore[arg-type]
    # Within the outstanding amount, in the invoice's currency, it goes through.
    paid = client.payments.create(_receipt(
        buyer.id, "120.00", bank_account_id=bank,  # type: ignore[arg-type]
        allocations=[ua.PaymentAllocation(invoice_id=invoice.id, amount=Decimal("120.00"))]))  # type: ignore[arg-type]
    assert paid.allocations[0].amount == Decimal("120.00")


def test_a_bank_account_in_another_currency_cannot_take_the_payment(
        client: ua.Client, sandbox: SageSandbox) -> None:
    buyer = customer(client)
    euro_bank = client.proxy.request("POST", "/bank_accounts", json={"bank_account": {
        "bank_account_type_id": "CHECKING", "currency_id": "EUR",
        "nominal_code": int(nominal_code()),
        "bank_account_details": {"account_name": unique("Euro account")}}}).json()
    posts = sandbox.counters.requests.get("POST /contact_payments", 0)
    with pytest.raises(ua.ValidationError) as caught:
        client.payments.create(_receipt(
            buyer.id, "10.00", currency="GBP", bank_account_id=euro_bank["id"]))  # type: ignore[arg-type]
    assert caught.value.errors == {"bank_account_id": [
        "the bank account is in EUR, the payment in GBP; use an account in the payment's "
        "currency or the base currency"]}
    assert sandbox.counters.requests.get("POST /contact_payments", 0) == posts
