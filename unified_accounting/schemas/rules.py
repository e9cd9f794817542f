"""Pure money rules shared by the record schemas: exact sums and the messages they give.

Every comparison adds amounts exactly (``money.add_exact``), so ``0.10 + 0.20`` equals
``0.30`` and no decimal context can round a total. Messages name both sides and the
difference, written with the currency's places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
)

from unified_accounting import money

__all__ = [
    "LINE_ROUNDING",
    "balance_error",
    "exact_add",
    "exact_sum",
    "excess_error",
    "line_amount",
    "line_amount_error",
    "line_amount_holds",
    "line_tax",
    "mismatch_error",
    "tax_amount_error",
]

LINE_ROUNDING = ROUND_HALF_UP
"""How a line's quantity x unit price - discount is rounded to the currency's minor units."""


def mismatch_error(
    left_label: str,
    left: Iterable[Decimal],
    right_label: str,
    right: Iterable[Decimal],
    currency: str | None,
) -> str | None:
    """Compare two exact sums; return ``"<left> A != <right> B (difference D)"`` or ``None``.

    Args:
        left_label: words for the left side, e.g. ``"debits"``.
        left: the amounts that make the left side.
        right_label: words for the right side.
        right: the amounts that make the right side.
        currency: ISO 4217 code used to write the amounts; absent means two decimals.

    Returns:
        The message when the sums differ, else ``None``. The difference is always positive.
        ``None`` also when an amount does not fit the currency: that amount has its own
        error, and totals built on it would only add noise.
    """
    left, right = list(left), list(right)
    if not _all_fit([*left, *right], currency):
        return None
    left_total = money.add_exact(left)
    right_total = money.add_exact(right)
    if left_total == right_total:
        return None
    # copy_negate/copy_abs are exact; unary minus and abs() would round to the context.
    difference = money.add_exact([left_total, right_total.copy_negate()]).copy_abs()
    return (
        f"{left_label} {money.format_money(left_total, currency)} != "
        f"{right_label} {money.format_money(right_total, currency)} "
        f"(difference {money.format_money(difference, currency)})"
    )


def balance_error(
    debits: Iterable[Decimal], credits: Iterable[Decimal], currency: str | None
) -> str | None:
    """Return ``"debits 100.00 != credits 99.99 (difference 0.01)"`` unless they balance."""
    return mismatch_error("debits", debits, "credits", credits, currency)


def excess_error(
    parts_label: str,
    parts: Iterable[Decimal],
    whole_label: str,
    whole: Decimal,
    currency: str | None,
) -> str | None:
    """Return a message when the parts add up to more than the whole, else ``None``.

    Example: ``"allocations 120.00 exceed amount 100.00 (difference 20.00)"``. Like
    :func:`mismatch_error`, it says nothing while an amount does not fit the currency.
    """
    parts = list(parts)
    if not _all_fit([*parts, whole], currency):
        return None
    total = money.add_exact(parts)
    excess = money.add_exact([total, whole.copy_negate()])
    if excess <= 0:
        return None
    return (
        f"{parts_label} {money.format_money(total, currency)} exceed "
        f"{whole_label} {money.format_money(whole, currency)} "
        f"(difference {money.format_money(excess, currency)})"
    )


def _all_fit(amounts: list[Decimal], currency: str | None) -> bool:
    places = money.minor_units(currency)
    return all(money.fits(amount, places) for amount in amounts)


def line_amount(
    quantity: Decimal, unit_price: Decimal, discount: Decimal | None, currency: str | None
) -> Decimal:
    """Return ``quantity x unit_price - discount`` rounded once to the currency's places.

    The product is exact (quantities and prices have at most six places each); only the
    result is rounded, half away from zero (:data:`LINE_ROUNDING`), so 2.5 x 0.01 GBP is 0.03.
    """
    rounded = _rounded_product(quantity, unit_price, money.minor_units(currency))
    return money.add_exact([rounded, (discount or Decimal(0)).copy_negate()])


def _rounded_product(quantity: Decimal, unit_price: Decimal, places: int) -> Decimal:
    exact = quantity * unit_price  # at most 12 places and 30 digits: within the context
    return exact.quantize(_QUANTA.get(places) or Decimal(1).scaleb(-places),
                          rounding=LINE_ROUNDING)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(8)}


def line_amount_holds(
    given: Decimal, quantity: Decimal, unit_price: Decimal, discount: Decimal | None,
    places: int,
) -> bool:
    """Whether ``given`` is :func:`line_amount` exactly (so :func:`line_amount_error` is None).

    ``places`` is the currency's minor units.
    """
    rounded = (quantity * unit_price).quantize(_QUANTA.get(places) or Decimal(1).scaleb(-places),
                                               rounding=LINE_ROUNDING)  # as _rounded_product
    return (given if discount is None else exact_add(given, discount)) == rounded


# Precision far beyond any two amounts' digits, and every rounding trapped: a sum here is
# exact or raises, whatever the caller's decimal context says.
_EXACT = Context(prec=200, traps=[Inexact, Rounded, InvalidOperation, DivisionByZero, Overflow])
_ZERO = Decimal(0)

exact_add: Callable[[Decimal, Decimal], Decimal] = _EXACT.add
"""Add two amounts exactly (``ArithmeticError`` in the unreachable case that it could not be)."""


def exact_sum(amounts: Iterable[Decimal]) -> Decimal:
    """Add amounts exactly (like :func:`money.add_exact`, at a fraction of its cost).

    Raises:
        ArithmeticError: in the unreachable case that the sum could not be exact.
    """
    total = _ZERO
    add = _EXACT.add
    for amount in amounts:
        total = add(total, amount)
    return total


def line_amount_error(
    label: str,
    given: Decimal,
    quantity: Decimal,
    unit_price: Decimal,
    discount: Decimal | None,
    currency: str | None,
) -> str | None:
    """Return ``"net_amount 50.00 != quantity x unit_price - discount 200.00 ..."`` or ``None``.

    Args:
        label: the field compared, ``net_amount`` (or ``total_amount`` for tax-inclusive
            prices).
        given: the caller's figure.
        quantity, unit_price, discount: the line's figures.
        currency: ISO 4217 code of the document.
    """
    if not _all_fit([given, *([discount] if discount is not None else [])], currency):
        return None
    implied = line_amount(quantity, unit_price, discount, currency)
    return mismatch_error(label, [given], "quantity x unit_price - discount", [implied],
                          currency)


def line_tax(net: Decimal, rate: Decimal, currency: str | None) -> Decimal:
    """Return ``net x rate / 100`` (``rate`` a percentage) rounded once to the currency's places.

    The product is exact; only the result is rounded, half away from zero
    (:data:`LINE_ROUNDING`), the same rule as :func:`line_amount`: 20 % of 0.125 GBP is 0.03.
    """
    places = money.minor_units(currency)
    exact = (net * rate).scaleb(-2)  # dividing by 100 by moving the point: exact
    return exact.quantize(Decimal(1).scaleb(-places), rounding=LINE_ROUNDING)


def tax_amount_error(given: Decimal, net: Decimal, rate: Decimal,
                     currency: str | None) -> str | None:
    """Return ``"tax_amount 19.00 != net_amount x 20% 20.00 (difference 1.00)"`` or ``None``.

    Args:
        given: the line's tax amount as the caller gave it.
        net: the line's net amount.
        rate: the percentage of the line's resolved tax rate (20 means 20 %).
        currency: ISO 4217 code of the document.
    """
    if not _all_fit([given, net], currency):
        return None
    implied = line_tax(net, rate, currency)
    return mismatch_error("tax_amount", [given], f"net_amount x {rate.normalize():f}%",
                          [implied], currency)
