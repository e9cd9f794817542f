"""A v2 return created with allocations, repeated after a lost answer: the repeat finds the
stored return and makes only the allocations still missing, never one twice.

The first call runs under chosen idempotency tokens and fails part-way (the sandbox drops a
connection before or after its commit); the second repeats it with the same tokens
(``repeat=True``, as the write outbox redelivers a write).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.http.idempotency import chosen_idempotency_keys

DAY = dt.date(2026, 4, 1)
SEED = "tenant-1/credit-note-7"
ALLOCATE = "Allocation/save"  # the sandbox matches its endpoint names


def _no_wait(seconds: float) -> None:
    return None


@pytest.fixture
def sandbox(za_sandbox: SageZASandbox) -> SageZASandbox:
    return za_sandbox


@pytest.fixture
def client(sandbox: SageZASandbox) -> Iterator[ua.Client]:
    # One attempt per write: a lost answer reaches the caller, who repeats the whole call.
    with ua.connect("sage_za", settings=sandbox.settings(write_attempts=1),
                    credentials=sandbox.credentials, business_id=sandbox.company_id,
                    sleep=_no_wait, jitter=lambda ceiling: 0.0,
                    resend_sleep=_no_wait) as connected:
        yield connected


def _note(client: ua.Client, sandbox: SageZASandbox) -> ua.CreditNote:
    """A 230.00 return set 100.00 against one invoice and 80.00 against another."""
    sales = next(str(r["ID"]) for r in sandbox.records("Account") if r["Name"] == "Sales")
    buyer = client.contacts.create(ua.Contact(name="Buyer", is_customer=True))

    def line(price: str) -> ua.InvoiceLine:
        return ua.InvoiceLine(description="Work", unit_price=Decimal(price), account_id=sales,
                              tax_code="standard")

    first, second = (client.invoices.create(ua.Invoice(
        type="sales", contact_id=buyer.id or "", issue_date=DAY, lines=[line("100.00")]))
        for _ in range(2))  # 115.00 each
    return ua.CreditNote(
        type="sales", contact_id=buyer.id or "", issue_date=DAY, lines=[line("200.00")],
        total_amount=Decimal("230.00"), allocations=[
            ua.CreditNoteAllocation(invoice_id=first.id or "", amount=Decimal("100.00")),
            ua.CreditNoteAllocation(invoice_id=second.id or "", amount=Decimal("80.00"))])


def _lose_return(sandbox: SageZASandbox) -> None:
    # The return is stored but its answer is lost, and so is every answer of the look-up
    # (the first try and the transport's three retries).
    sandbox.queue_fault("drop_after_commit", method="POST", path_contains="CustomerReturn/save")
    sandbox.queue_fault("drop", count=4, method="GET", path_contains="CustomerReturn/get")


def _lose_second_allocation(kind: str) -> Callable[[SageZASandbox], None]:
    def arrange(sandbox: SageZASandbox) -> None:
        # The first allocation goes through (a short delay is the only queued "fault" that
        # changes nothing), the second is lost.
        sandbox.queue_fault("latency", method="POST", path_contains=ALLOCATE, latency=0.01)
        sandbox.queue_fault(kind, method="POST", path_contains=ALLOCATE)
    return arrange


@pytest.mark.parametrize(("arrange", "stored_by_first_call"), [
    (_lose_return, 0),
    (_lose_second_allocation("drop"), 1),
    (_lose_second_allocation("drop_after_commit"), 2),
], ids=["return-answer-lost", "second-allocation-not-stored", "second-allocation-answer-lost"])
def test_a_repeated_create_makes_only_the_missing_allocations(
    client: ua.Client, sandbox: SageZASandbox,
    arrange: Callable[[SageZASandbox], None], stored_by_first_call: int,
) -> None:
    wanted = _note(client, sandbox)
    arrange(sandbox)
    with pytest.raises(ua.ProviderUnavailableError), chosen_idempotency_keys(SEED):
        client.credit_notes.create(wanted)
    assert len(sandbox.records("CustomerReturn")) == 1
    assert len(sandbox.records("Allocation")) == stored_by_first_call

    with chosen_idempotency_keys(SEED, repeat=True):
        note = client.credit_notes.create(wanted)

    (stored,) = sandbox.records("CustomerReturn")
    assert note.id == f"CN{stored['ID']}"
    allocations = sandbox.records("Allocation")
    assert sorted((a["AllocatedToDocumentId"], Decimal(str(a["Total"]))) for a in allocations) \
        == sorted((int(a.invoice_id[2:]), a.amount) for a in wanted.allocations)
    assert (note.amount_allocated, note.amount_remaining, note.status) == (
        Decimal("180.00"), Decimal("50.00"), "partially_allocated")
    dues = [client.invoices.get(a.invoice_id).amount_due for a in wanted.allocations]
    assert dues == [Decimal("15.00"), Decimal("35.00")]
