"""Contact payments and journals over HTTP against the Sage sandbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import TODAY, customer, sales_invoice, unique


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
