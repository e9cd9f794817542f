"""A balanced journal becomes two-sided entries that post exactly its lines, in Decimal."""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from unified_accounting_sage_za.journal_split import lines_of, postings, split_journal

from unified_accounting.errors import ValidationError

ACCOUNTS = [str(n) for n in range(100, 108)]
cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@st.composite
def balanced_journals(draw: st.DrawFn) -> list[tuple[str, Decimal, Decimal]]:
    debits = draw(st.lists(st.tuples(st.sampled_from(ACCOUNTS), cents), min_size=1,
                           max_size=6))
    total = sum((amount for _, amount in debits), Decimal("0"))
    # Split the same total over 1..6 credit lines at random cut points (whole cents).
    cuts = sorted(draw(st.sets(st.integers(1, int(total * 100) - 1), max_size=5))
                  if total > Decimal("0.01") else set())
    edges = [0, *cuts, int(total * 100)]
    credits = [(draw(st.sampled_from(ACCOUNTS)), Decimal(b - a) / 100)
               for a, b in itertools.pairwise(edges)]
    lines = [(acc, amount, Decimal("0")) for acc, amount in debits]
    lines += [(acc, Decimal("0"), amount) for acc, amount in credits]
    return draw(st.permutations(lines))


def _net(lines: list[tuple[str, Decimal, Decimal]]) -> dict[str, Decimal]:
    net: dict[str, Decimal] = defaultdict(lambda: Decimal("0"))
    for account, debit, credit in lines:
        net[account] += debit - credit
    return {account: amount for account, amount in net.items() if amount}


@given(balanced_journals())
def test_the_entries_post_exactly_the_net_of_every_account(
        lines: list[tuple[str, Decimal, Decimal]]) -> None:
    entries = split_journal(lines)
    posted: dict[str, Decimal] = defaultdict(lambda: Decimal("0"))
    for (account, side), amount in postings(entries).items():
        posted[account] += amount if side == "debit" else -amount
    assert {a: v for a, v in posted.items() if v} == _net(lines)
    assert all(isinstance(e.amount, Decimal) and e.amount > 0 for e in entries)
    assert all(e.debit_account != e.credit_account for e in entries)
    assert len(entries) <= max(0, len(_net(lines)) - 1)


@given(balanced_journals())
def test_each_side_is_posted_exactly_when_no_account_is_on_both_sides(
        lines: list[tuple[str, Decimal, Decimal]]) -> None:
    debited = {a for a, d, _ in lines if d}
    credited = {a for a, _, c in lines if c}
    if debited & credited:
        return
    expected: dict[tuple[str, str], Decimal] = defaultdict(lambda: Decimal("0"))
    for account, debit, credit in lines:
        expected[(account, "debit" if debit else "credit")] += debit or credit
    assert postings(split_journal(lines)) == dict(expected)


def test_pairs_of_equal_amounts_take_one_entry_each() -> None:
    lines = [("1", Decimal("100"), Decimal("0")), ("2", Decimal("0"), Decimal("100")),
             ("3", Decimal("40.10"), Decimal("0")), ("4", Decimal("0"), Decimal("40.10"))]
    entries = split_journal(lines)
    assert len(entries) == 2
    assert {(e.debit_account, e.credit_account, e.amount) for e in entries} == {
        ("1", "2", Decimal("100")), ("3", "4", Decimal("40.10"))}


def test_a_payroll_journal_of_five_lines_needs_three_entries_and_reads_back() -> None:
    lines = [("wages", Decimal("30000.00"), Decimal("0")),
             ("paye", Decimal("0"), Decimal("6000.00")),
             ("uif", Decimal("0"), Decimal("300.00")),
             ("bank", Decimal("0"), Decimal("24000.00")),
             ("uif_cost", Decimal("300.00"), Decimal("0"))]
    entries = split_journal(lines)
    # UIF cost and UIF payable are an equal pair; wages then covers PAYE and the bank.
    assert len(entries) == 3
    assert sorted(lines_of(entries)) == sorted(lines)


def test_unbalanced_lines_are_refused_with_both_totals() -> None:
    with pytest.raises(ValidationError) as caught:
        split_journal([("1", Decimal("10"), Decimal("0")), ("2", Decimal("0"), Decimal("9.99"))])
    assert "10" in str(caught.value.errors)
    assert "9.99" in str(caught.value.errors)
