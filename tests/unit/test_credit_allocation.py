"""The pure rules for setting a credit note against invoices."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import unified_accounting as ua
from unified_accounting.credit_allocation import allocation_errors, check_allocations, remaining_of

DAY = date(2026, 3, 1)
NOTE = ua.CreditNote(id="cn1", type="sales", contact_id="c1", issue_date=DAY, currency="GBP",
                     status="open", total_amount=Decimal("50.00"),
                     amount_remaining=Decimal("40.00"))
INVOICES = {
    "i1": ua.Invoice(id="i1", type="sales", contact_id="c1", issue_date=DAY, currency="GBP",
                     status="open", amount_due=Decimal("30.00")),
    "i2": ua.Invoice(id="i2", type="sales", contact_id="c1", issue_date=DAY, currency="GBP",
                     status="partially_paid", amount_due=Decimal("25.00")),
}


def _alloc(invoice_id: str, amount: str) -> ua.CreditNoteAllocation:
    return ua.CreditNoteAllocation(invoice_id=invoice_id, amount=Decimal(amount))


def test_allocations_within_every_limit_pass() -> None:
    assert allocation_errors(NOTE, [_alloc("i1", "30.00"), _alloc("i2", "10.00")],
                             INVOICES) == {}
    check_allocations(NOTE, [_alloc("i2", "0.01")], INVOICES)


def test_more_than_the_credit_note_has_left_is_refused_at_allocations() -> None:
    errors = allocation_errors(NOTE, [_alloc("i1", "30.00"), _alloc("i2", "10.01")], INVOICES)
    assert errors == {"allocations": [
        "allocations 40.01 exceed the credit note's amount_remaining 40.00 (difference 0.01)"]}


def test_the_total_stands_in_while_no_remaining_amount_is_known() -> None:
    fresh = replace(NOTE, amount_remaining=None)
    assert remaining_of(fresh) == Decimal("50.00")
    assert remaining_of(replace(fresh, total_amount=None)) is None
    assert allocation_errors(replace(fresh, total_amount=None),
                             [_alloc("i1", "30.00")], INVOICES) == {}


def test_more_than_an_invoice_owes_is_refused_at_that_allocation() -> None:
    errors = allocation_errors(NOTE, [_alloc("i1", "20.00"), _alloc("i1", "10.01")], INVOICES)
    assert errors == {"allocations[1].amount": [
        "allocated 30.01 exceed the invoice's amount_due 30.00 (difference 0.01)"]}


@pytest.mark.parametrize(("change", "needle"), [
    ({"contact_id": "c2"}, "belongs to contact c2"),
    ({"currency": "EUR"}, "the invoice is in EUR, the credit note in GBP"),
    ({"type": "purchase"}, "this is a purchase invoice"),
    ({"status": "void"}, "void invoice"),
    ({"status": "draft"}, "a draft invoice"),
])
def test_an_invoice_of_another_kind_is_refused_at_its_id(change: dict[str, str],
                                                         needle: str) -> None:
    invoices = {"i1": replace(INVOICES["i1"], **change)}  # type: ignore[arg-type]
    errors = allocation_errors(NOTE, [_alloc("i1", "1.00")], invoices)
    assert list(errors) == ["allocations[0].invoice_id"]
    assert needle in errors["allocations[0].invoice_id"][0]


def test_unknown_invoices_draft_notes_and_empty_lists_are_named() -> None:
    assert allocation_errors(NOTE, [_alloc("nope", "1.00")], INVOICES) == {
        "allocations[0].invoice_id": ["no sales invoice nope in this business"]}
    assert allocation_errors(NOTE, [], INVOICES) == {
        "allocations": ["name at least one invoice to allocate to"]}
    draft = allocation_errors(replace(NOTE, status="draft"), [_alloc("i1", "1.00")], INVOICES)
    assert draft == {"allocations": ["the credit note is a draft credit note and cannot be "
                                     "allocated"]}


def test_amounts_must_fit_the_currency_and_be_decimals_above_zero() -> None:
    assert allocation_errors(NOTE, [_alloc("i1", "1.001")], INVOICES) == {
        "allocations[0].amount": ["has more than 2 decimal places for GBP"]}
    with pytest.raises(ua.ValidationError) as caught:
        check_allocations(NOTE, [_alloc("i1", "0"),
                                 ua.CreditNoteAllocation(invoice_id="i1", amount=1.5)],  # type: ignore[arg-type]
                          INVOICES, provider="example")
    assert caught.value.errors == {"allocations[0].amount": ["must be above zero"],
                                   "allocations[1].amount": ["must be Decimal, not float"]}
    assert caught.value.provider == "example"


@given(st.lists(st.integers(1, 5000), min_size=1, max_size=5))
def test_refused_exactly_when_the_exact_sum_exceeds_what_is_left(cents: list[int]) -> None:
    parts = [Decimal(c).scaleb(-2) for c in cents]
    note = replace(NOTE, amount_remaining=Decimal("40.00"))
    roomy = {"i1": replace(INVOICES["i1"], amount_due=Decimal("1000.00"))}
    errors = allocation_errors(note, [_alloc("i1", str(p)) for p in parts], roomy)
    assert ("allocations" in errors) == (sum(cents) > 4000)
