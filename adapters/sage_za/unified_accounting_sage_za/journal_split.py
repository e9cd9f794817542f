"""Splitting a balanced journal into v2's two-sided entries, and reading them back.

A v2 journal entry posts ``Total`` to ``AccountId`` on one side and to ``ContraAccountId``
on the other. A unified journal of n balanced lines becomes a list of such entries that
posts exactly the same amount on each side of each account:

1. lines of one account are added up per side; an account that is both debited and
   credited keeps only its net (v2 cannot post an account against itself, and the ledger
   sees the same balance);
2. every debit whose amount equals a credit's is paired with it: one entry for two lines;
3. the rest are matched greedily, largest first: each entry takes the smaller of the two
   open amounts, which closes at least one line.

So n lines never need more than n - 1 entries, and pairs of equal amounts cost one entry
each. (The true minimum, n minus the largest number of disjoint zero-sum groups, is a
partition problem; the adapter does not search for it.) All arithmetic is ``Decimal``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from unified_accounting.errors import ValidationError

__all__ = ["TwoSided", "postings", "split_journal"]

_ZERO = Decimal("0")


@dataclass(frozen=True)
class TwoSided:
    """One v2 entry: ``amount`` debited to ``debit_account``, credited to ``credit_account``."""

    debit_account: str
    credit_account: str
    amount: Decimal


@dataclass
class _Open:
    account: str
    amount: Decimal


def _exact_pairs(debits: list[_Open], credits: list[_Open]) -> list[TwoSided]:
    entries = []
    for debit in debits:
        match = next((c for c in credits if c.amount == debit.amount and c.amount > 0
                      and c.account != debit.account), None)
        if match is not None and debit.amount > 0:
            entries.append(TwoSided(debit.account, match.account, debit.amount))
            debit.amount = match.amount = _ZERO
    return entries


def _greedy(debits: list[_Open], credits: list[_Open]) -> list[TwoSided]:
    entries: list[TwoSided] = []
    while True:
        open_debits = sorted((d for d in debits if d.amount > 0), key=lambda d: -d.amount)
        if not open_debits:
            return entries
        debit = open_debits[0]
        candidates = sorted((c for c in credits if c.amount > 0 and c.account != debit.account),
                            key=lambda c: -c.amount)
        if not candidates:
            raise ValidationError({"lines": [
                f"account {debit.account} is debited and credited with nothing else left to "
                "post against; v2 entries need two different accounts"]}, provider="sage_za")
        credit = candidates[0]
        amount = min(debit.amount, credit.amount)
        entries.append(TwoSided(debit.account, credit.account, amount))
        debit.amount -= amount
        credit.amount -= amount


def split_journal(lines: Iterable[tuple[str, Decimal, Decimal]]) -> list[TwoSided]:
    """Split ``(account, debit, credit)`` lines into two-sided entries (module docstring).

    Raises:
        ValidationError: the lines do not balance, or an account would have to be posted
            against itself.
    """
    net: dict[str, Decimal] = {}
    total_debit = total_credit = _ZERO
    for account, debit, credit in lines:
        net[account] = net.get(account, _ZERO) + debit - credit
        total_debit += debit
        total_credit += credit
    if total_debit != total_credit:
        raise ValidationError({"lines": [
            f"debits {total_debit} and credits {total_credit} differ by "
            f"{total_debit - total_credit}"]}, provider="sage_za")
    debits = [_Open(account, amount) for account, amount in net.items() if amount > 0]
    credits = [_Open(account, -amount) for account, amount in net.items() if amount < 0]
    return _exact_pairs(debits, credits) + _greedy(debits, credits)


def postings(entries: Iterable[TwoSided]) -> dict[tuple[str, str], Decimal]:
    """What entries post: ``(account, "debit" | "credit") -> amount``."""
    posted: dict[tuple[str, str], Decimal] = defaultdict(lambda: _ZERO)
    for entry in entries:
        posted[(entry.debit_account, "debit")] += entry.amount
        posted[(entry.credit_account, "credit")] += entry.amount
    return dict(posted)


def lines_of(entries: Sequence[TwoSided]) -> list[tuple[str, Decimal, Decimal]]:
    """Read entries back as journal lines: one debit and one credit line per account and
    side, in the order the accounts first appear."""
    posted = postings(entries)
    order: list[tuple[str, str]] = []
    for entry in entries:
        for key in ((entry.debit_account, "debit"), (entry.credit_account, "credit")):
            if key not in order:
                order.append(key)
    return [(account, posted[(account, side)] if side == "debit" else _ZERO,
             posted[(account, side)] if side == "credit" else _ZERO) for account, side in order]
