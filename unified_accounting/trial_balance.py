"""A trial balance computed from ledger entries: pure, exact, and checked to balance.

Every entry dated on or before ``as_of`` counts; entries are read once, as they come. Each
ledger account's debits and credits are added exactly (in a 60-digit context that traps
``Inexact``, so a sum that would need rounding raises instead) and netted to one side;
accounts that net to zero are left out. The totals of the two sides must then be equal to the
last digit. When they are not, the provider's ledger does not balance, which no caller can
repair: :class:`~unified_accounting.errors.ProviderError` says by how much, and names the
transactions whose own entries do not balance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, Inexact, InvalidOperation

from unified_accounting.errors import ProviderError
from unified_accounting.ledger_models import LedgerEntry, TrialBalance, TrialBalanceLine
from unified_accounting.money import add_exact, fits, format_money, minor_units, with_places

__all__ = ["AccountLabel", "Labels", "check_balanced", "compute_trial_balance"]

ZERO = Decimal(0)
_SHOWN_TRANSACTIONS = 3


@dataclass(frozen=True)
class AccountLabel:
    """How a trial balance names a ledger account: its code and name in the chart."""

    code: str | None = None
    name: str | None = None


# Running sums in a context wide enough for any ledger, trapping ``Inexact``: a sum that
# would need rounding raises instead, so every total is exact to the last digit.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation])

Labels = Mapping[str, AccountLabel] | Callable[[set[str]], Mapping[str, AccountLabel]]
"""Account id -> code and name, or a function giving them for the ids that have entries."""


@dataclass
class _Ledger:
    """Exact running nets (debit minus credit) per account and per transaction."""

    accounts: dict[str, Decimal] = field(default_factory=dict)
    transactions: dict[str, Decimal] = field(default_factory=dict)
    currencies: set[str | None] = field(default_factory=set)

    def add(self, entry: LedgerEntry) -> None:
        net = _EXACT.subtract(entry.debit, entry.credit)
        account = entry.ledger_account_id
        self.accounts[account] = _EXACT.add(self.accounts.get(account, ZERO), net)
        if entry.transaction_id:
            tx = entry.transaction_id
            self.transactions[tx] = _EXACT.add(self.transactions.get(tx, ZERO), net)
        self.currencies.add(entry.currency)


def compute_trial_balance(
    entries: Iterable[LedgerEntry], accounts: Labels, *, as_of: date,
    business_id: str | None = None,
) -> TrialBalance:
    """Net every ledger account's entries up to ``as_of`` into a :class:`TrialBalance`.

    The entries are read once, as they come (a list of any length is never held).

    Args:
        entries: the ledger's entries (those dated after ``as_of`` are skipped).
        accounts: ledger account id -> its code and name, or a function of the ids with
            entries returning that; an account missing there is shown by id alone.
        as_of: the last day counted.
        business_id: the business the entries belong to.

    Raises:
        ProviderError: the entries do not balance; the message names both totals, the
            difference and the transactions that do not balance.
    """
    ledger = _Ledger()
    for entry in entries:
        if entry.date <= as_of:
            ledger.add(entry)
    currency = next(iter(ledger.currencies)) if len(ledger.currencies) == 1 else None
    labels = accounts(set(ledger.accounts)) if callable(accounts) else accounts
    lines = [_line(account_id, net, labels.get(account_id, AccountLabel()), currency)
             for account_id, net in ledger.accounts.items() if net]
    balance = TrialBalance(
        business_id=business_id, as_of=as_of, currency=currency,
        lines=sorted(lines, key=_order),
        total_debit=_amount(add_exact(line.debit for line in lines), currency),
        total_credit=_amount(add_exact(line.credit for line in lines), currency),
    )
    check_balanced(balance, [tx for tx, net in ledger.transactions.items() if net])
    return balance


def check_balanced(balance: TrialBalance, unbalanced: Iterable[str] = ()) -> None:
    """Refuse a trial balance whose debits and credits differ, however little.

    Args:
        balance: computed here or reported by a provider.
        unbalanced: ids of transactions known not to balance, named in the message.

    Raises:
        ProviderError: naming both totals and the difference.
    """
    if balance.total_debit == balance.total_credit:
        return
    difference = add_exact([balance.total_debit, balance.total_credit.copy_negate()])

    def shown_as(amount: Decimal) -> str:
        return format_money(amount, balance.currency)

    message = (f"the provider's ledger does not balance at {balance.as_of.isoformat()}: "
               f"debits {shown_as(balance.total_debit)} != credits "
               f"{shown_as(balance.total_credit)} (difference {shown_as(difference.copy_abs())})")
    shown = sorted(unbalanced)
    if shown:
        more = len(shown) - _SHOWN_TRANSACTIONS
        message += (f"; transactions that do not balance: "
                    f"{', '.join(shown[:_SHOWN_TRANSACTIONS])}"
                    + (f" and {more} more" if more > 0 else ""))
    raise ProviderError(message)


def _amount(value: Decimal, currency: str | None) -> Decimal:
    """``value`` written with the currency's places (two without one), when it fits them."""
    places = minor_units(currency)
    return with_places(value, places) if fits(value, places) else value



def _line(account_id: str, net: Decimal, label: AccountLabel,
          currency: str | None) -> TrialBalanceLine:
    return TrialBalanceLine(
        ledger_account_id=account_id, code=label.code, name=label.name,
        debit=_amount(net if net > 0 else ZERO, currency),
        credit=_amount(net.copy_negate() if net < 0 else ZERO, currency),
    )


def _order(line: TrialBalanceLine) -> tuple[tuple[tuple[int, int, str], ...], str, str]:
    """Chart order: by code, numbers compared as numbers (``900`` before ``1100``); accounts
    without a code last."""
    pieces = re.findall(r"\d+|\D+", line.code or "")
    key = tuple((0, int(piece), "") if piece.isdigit() else (1, 0, piece) for piece in pieces)
    return key or ((2, 0, ""),), line.name or "", line.ledger_account_id
