"""The sandbox's posting rules, tested directly: each document's debits and credits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from unified_accounting_sage.sandbox import ledger_rules as rules
from unified_accounting_sage.sandbox.ledger_rules import (
    ControlAccounts,
    Discount,
    DocumentLine,
    Posting,
)

ACCOUNTS = ControlAccounts(debtors="1100", creditors="2100", sales_tax="2200",
                           purchase_tax="2201", sales_discount="4009",
                           purchase_discount="5009")
US = ControlAccounts(debtors="1100", creditors="2100", sales_tax="2200")
D = Decimal
LINES = [DocumentLine("4000", D("100.00"), D("20.00"), "GB_STANDARD", "Consulting"),
         DocumentLine("4010", D("50.00"), D("2.50"), "GB_LOWER", "Support"),
         DocumentLine("4000", D("10.00"), D("2.00"), "GB_STANDARD", "Travel")]


def _sides(postings: list[Posting]) -> list[tuple[str, str, str]]:
    return [(p.ledger_account_id, str(p.debit), str(p.credit)) for p in postings]


def _net(postings: list[Posting]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for posting in postings:
        totals[posting.ledger_account_id] = totals.get(posting.ledger_account_id, D(0)) + (
            posting.net)
    return totals


def test_a_sales_invoice_debits_debtors_and_credits_lines_and_output_tax_per_rate() -> None:
    postings = rules.sales_invoice(ACCOUNTS, LINES, "SI-1")
    assert _sides(postings) == [
        ("1100", "184.50", "0"), ("4000", "0", "100.00"), ("4010", "0", "50.00"),
        ("4000", "0", "10.00"), ("2200", "0", "22.00"), ("2200", "0", "2.50")]
    assert [p.tax_rate_id for p in postings[-2:]] == ["GB_STANDARD", "GB_LOWER"]
    assert postings[1].description == "Consulting"
    assert postings[0].description == "SI-1"


def test_a_purchase_invoice_is_the_mirror_on_creditors_and_input_tax() -> None:
    postings = rules.purchase_invoice(ACCOUNTS, LINES[:1], "PI-1")
    assert _sides(postings) == [("2100", "0", "120.00"), ("4000", "100.00", "0"),
                                ("2201", "20.00", "0")]


def test_without_an_input_tax_account_purchase_tax_is_part_of_the_cost() -> None:
    postings = rules.purchase_invoice(US, LINES[:2], "BILL-9")
    assert _sides(postings) == [("2100", "0", "172.50"), ("4000", "120.00", "0"),
                                ("4010", "52.50", "0")]
    other = rules.other_payment(US, "1200", LINES[:1], "Rent")
    assert _sides(other) == [("1200", "0", "120.00"), ("4000", "120.00", "0")]


def test_credit_notes_reverse_the_invoice_of_their_kind() -> None:
    assert _net(rules.sales_credit_note(ACCOUNTS, LINES, "SCN-1")) == {
        "1100": D("-184.50"), "4000": D("110.00"), "4010": D("50.00"), "2200": D("24.50")}
    assert _net(rules.purchase_credit_note(ACCOUNTS, LINES[:1])) == {
        "2100": D("120.00"), "4000": D("-100.00"), "2201": D("-20.00")}


def test_a_negative_line_becomes_a_debit_and_zero_amounts_post_nothing() -> None:
    lines = [DocumentLine("4000", D("100.00"), D("0")),
             DocumentLine("4009", D("-15.00"), D("0")), DocumentLine("4010", D("0"), D("0"))]
    assert _sides(rules.sales_invoice(ACCOUNTS, lines)) == [
        ("1100", "85.00", "0"), ("4000", "0", "100.00"), ("4009", "15.00", "0")]


def test_receipts_and_payments_move_money_between_the_bank_and_the_control_account() -> None:
    receipt = rules.customer_receipt(ACCOUNTS, "1200", D("95.00"),
                                     [Discount(D("5.00"), "4009")], "R-1")
    assert _sides(receipt) == [("1100", "0", "100.00"), ("1200", "95.00", "0"),
                               ("4009", "5.00", "0")]
    payment = rules.supplier_payment(ACCOUNTS, "1200", D("98.00"),
                                     [Discount(D("2.00"), "5009")])
    assert _sides(payment) == [("2100", "100.00", "0"), ("1200", "0", "98.00"),
                               ("5009", "0", "2.00")]
    assert _sides(rules.customer_refund(ACCOUNTS, "1200", D("30"))) == [
        ("1100", "30", "0"), ("1200", "0", "30")]
    assert _sides(rules.supplier_refund(ACCOUNTS, "1200", D("30"))) == [
        ("2100", "0", "30"), ("1200", "30", "0")]


def test_other_receipts_and_payments_take_the_bank_against_lines_and_tax() -> None:
    assert _sides(rules.other_receipt(ACCOUNTS, "1210", LINES[:1], "Cash sale")) == [
        ("1210", "120.00", "0"), ("4000", "0", "100.00"), ("2200", "0", "20.00")]
    assert _sides(rules.other_payment(ACCOUNTS, "1200", LINES[1:2])) == [
        ("1200", "0", "52.50"), ("4010", "50.00", "0"), ("2201", "2.50", "0")]


def test_a_transfer_debits_the_receiving_bank_and_a_journal_keeps_its_lines() -> None:
    assert _sides(rules.bank_transfer("1200", "1210", D("250.00"), "Float")) == [
        ("1200", "0", "250.00"), ("1210", "250.00", "0")]
    lines = [("7000", D("80"), D("0"), "Wages"), ("2109", D("0"), D("80"), None)]
    assert _sides(rules.journal(lines)) == [("7000", "80", "0"), ("2109", "0", "80")]


def test_imbalance_names_the_difference() -> None:
    assert rules.imbalance([Posting("1", debit=D("10.00")), Posting("2", credit=D("9.99"))]) \
        == D("0.01")


money = st.decimals(min_value=D("-100000"), max_value=D("100000"), places=2,
                    allow_nan=False, allow_infinity=False)
accounts = st.sampled_from(["4000", "4010", "5000", "7500"])
rates = st.sampled_from([None, "STANDARD", "LOWER"])
lines_strategy = st.lists(st.builds(DocumentLine, accounts, money, money, rates), max_size=8)
controls = st.sampled_from([ACCOUNTS, US])
discounts = st.lists(st.builds(Discount, money, accounts), max_size=3)

Rule = Callable[[ControlAccounts, list[DocumentLine]], list[Posting]]
Control = Callable[[ControlAccounts], str]
# Each document rule, the account that takes the document's total, and on which side (+1 debit).
DOCUMENT_RULES: list[tuple[Rule, Control, int]] = [
    (rules.sales_invoice, lambda a: a.debtors, 1),
    (rules.purchase_invoice, lambda a: a.creditors, -1),
    (rules.sales_credit_note, lambda a: a.debtors, -1),
    (rules.purchase_credit_note, lambda a: a.creditors, 1),
    (lambda a, lines: rules.other_receipt(a, "1200", lines), lambda a: "1200", 1),
    (lambda a, lines: rules.other_payment(a, "1200", lines), lambda a: "1200", -1),
]


def _well_formed(postings: list[Posting]) -> None:
    assert rules.imbalance(postings) == 0
    for posting in postings:
        assert posting.debit >= 0
        assert posting.credit >= 0
        assert (posting.debit > 0) != (posting.credit > 0)


@pytest.mark.parametrize(("rule", "control_of", "side"), DOCUMENT_RULES)
@given(control=controls, lines=lines_strategy)
def test_every_document_posting_set_balances(
    rule: Rule, control_of: Control, side: int, control: ControlAccounts,
    lines: list[DocumentLine],
) -> None:
    postings = rule(control, lines)
    _well_formed(postings)
    _well_formed(rules.reverse(postings))
    total = sum((line.net + line.tax for line in lines), D(0))
    assert _net(postings).get(control_of(control), D(0)) == side * total


@given(control=controls, amount=money, found=discounts)
def test_every_money_movement_posting_set_balances(
    control: ControlAccounts, amount: Decimal, found: list[Discount]
) -> None:
    for postings in (rules.customer_receipt(control, "1200", amount, found),
                     rules.supplier_payment(control, "1200", amount, found),
                     rules.customer_refund(control, "1200", amount),
                     rules.supplier_refund(control, "1200", amount),
                     rules.bank_transfer("1200", "1210", amount)):
        _well_formed(postings)
        assert _net(postings).get("1200", D(0)) in (amount, -amount, D(0))
