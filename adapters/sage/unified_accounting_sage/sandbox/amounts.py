"""Pure money arithmetic for invoice lines, totals and allocation status (all Decimal)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from unified_accounting_sage.sandbox.messages import round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineAmounts:
    """The amounts of one invoice line, rounded to cents."""

    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    quantity: Decimal,
    unit_price: Decimal,
    percentage: Decimal,
    *,
    discount: Decimal = ZERO,
    tax_amount: Decimal | None = None,
    includes_tax: bool = False,
) -> LineAmounts:
    """Compute a line's net, tax and total.

    Tax is the line's net times the rate, rounded half up to cents, unless the client sent
    ``tax_amount`` (Sage keeps a tax amount the client supplies). With
    ``includes_tax`` the price is gross and the net is derived from it.

    Args:
        quantity: units sold.
        unit_price: price per unit (net, or gross with ``includes_tax``).
        percentage: the tax rate in percent (``20`` for 20 %).
        discount: amount taken off the line before tax.
        tax_amount: tax the client computed, used as is when given.
        includes_tax: whether ``unit_price`` already includes tax.
    """
    gross = quantity * unit_price - discount
    if includes_tax:
        total = round_money(gross)
        tax = tax_amount if tax_amount is not None else round_money(
            total - total / (1 + percentage / HUNDRED)
        )
        return LineAmounts(total - tax, tax, total)
    net = round_money(gross)
    tax = tax_amount if tax_amount is not None else round_money(net * percentage / HUNDRED)
    return LineAmounts(net, tax, net + tax)


def totals(lines: Iterable[LineAmounts]) -> LineAmounts:
    """Sum of line amounts."""
    net = tax = ZERO
    for line in lines:
        net += line.net
        tax += line.tax
    return LineAmounts(net, tax, net + tax)


def payment_status(total: Decimal, outstanding: Decimal) -> str:
    """UNPAID, PART_PAID or PAID from what is still owed."""
    if outstanding <= ZERO:
        return "PAID"
    if outstanding < total:
        return "PART_PAID"
    return "UNPAID"


def journal_totals(lines: Iterable[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    """Total debits and total credits of journal lines ``(debit, credit)``."""
    debits = credits = ZERO
    for debit, credit in lines:
        debits += debit
        credits += credit
    return debits, credits
