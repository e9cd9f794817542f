"""Exact money: parsing, precision checks and sums without floats or rounding.

Amounts are :class:`decimal.Decimal` values. Each currency allows as many decimal places as its
ISO 4217 minor unit (GBP 2, JPY 0, BHD 3, CLF 4). An amount *fits* a currency when it can be
written with at most that many decimal places without changing its value: ``Decimal("1.50")``
and ``Decimal("1.500")`` both fit GBP, ``Decimal("1.505")`` does not. Nothing here ever rounds:
a value that does not fit is refused, and sums are computed in integer minor units so that no
decimal context precision can round them either.

When the currency is absent or not in :data:`MINOR_UNITS`, :data:`DEFAULT_MINOR_UNITS` (2)
applies, because most of the world's currencies use two decimals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType

__all__ = [
    "DECIMAL_PATTERN",
    "DEFAULT_MINOR_UNITS",
    "MAX_FRACTION_DIGITS",
    "MAX_INTEGER_DIGITS",
    "MINOR_UNITS",
    "UNSIGNED_DECIMAL_PATTERN",
    "MoneyError",
    "add_exact",
    "decimal_places",
    "fits",
    "format_money",
    "format_with_places",
    "from_minor_units",
    "is_currency",
    "minor_units",
    "parse_amount",
    "parse_money",
    "plain_text",
    "sum_money",
    "to_minor_units",
    "with_places",
]

DEFAULT_MINOR_UNITS = 2
"""Decimal places used when the currency is absent or unknown."""

MAX_INTEGER_DIGITS = 18
"""Digits allowed before the decimal point (up to 10**18 - 1; far beyond any real amount)."""

MAX_FRACTION_DIGITS = 18
"""Digits a decimal string may carry after the point (trailing zeros included)."""

# `$(?!\n)` ends the match at the true end of the text in both ECMA-262 and Python: Python's
# plain `$` would also match before a trailing newline, and the same pattern is published in
# the JSON Schemas, so both validators must read it identically.
_INTEGER_PART = rf"(0|[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}})"
_FRACTION_PART = rf"(\.[0-9]{{1,{MAX_FRACTION_DIGITS}}})?"
DECIMAL_PATTERN = rf"^-?{_INTEGER_PART}{_FRACTION_PART}$(?!\n)"
"""Text form of a decimal: optional minus, no leading zeros, no exponent, no spaces."""
UNSIGNED_DECIMAL_PATTERN = rf"^{_INTEGER_PART}{_FRACTION_PART}$(?!\n)"
"""Like :data:`DECIMAL_PATTERN` without a sign: used where negatives are refused."""

_DECIMAL_RE = re.compile(DECIMAL_PATTERN)

# ISO 4217 codes and their minor units. Two-decimal currencies are listed compactly; the
# exceptions are spelled out. Metals, XDR and testing codes have no minor unit and are left
# out. ANG, CUC, HRK, SLL and ZWL are withdrawn but still appear in older books.
_TWO_DECIMALS = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN
BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP
GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT
LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO
NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD
XCG YER ZAR ZMW ZWG ZWL
"""
_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DECIMALS = "CLF UYW"


def _build_table() -> Mapping[str, int]:
    table: dict[str, int] = {}
    for places, codes in ((2, _TWO_DECIMALS), (0, _ZERO_DECIMALS), (3, _THREE_DECIMALS),
                          (4, _FOUR_DECIMALS)):
        for code in codes.split():
            table[code] = places
    return MappingProxyType(dict(sorted(table.items())))


MINOR_UNITS: Mapping[str, int] = _build_table()
"""ISO 4217 currency code -> number of decimal places (minor units)."""


class MoneyError(ValueError):
    """An amount was refused; the message says why in words a caller can show."""


def is_currency(code: object) -> bool:
    """Return whether ``code`` is an ISO 4217 code listed in :data:`MINOR_UNITS`."""
    return isinstance(code, str) and code in MINOR_UNITS


def minor_units(currency: str | None) -> int:
    """Return the decimal places allowed for ``currency``.

    Args:
        currency: an ISO 4217 code, or ``None``.

    Returns:
        The currency's minor units; :data:`DEFAULT_MINOR_UNITS` when the currency is absent
        or unknown.
    """
    if currency is None:
        return DEFAULT_MINOR_UNITS
    return MINOR_UNITS.get(currency, DEFAULT_MINOR_UNITS)


def parse_amount(value: object) -> Decimal:
    """Read a decimal number exactly, without any rounding.

    Accepts ``str`` (matching :data:`DECIMAL_PATTERN`), ``int``, ``Decimal`` and ``float``. A
    float is read through ``str()``, so ``0.1`` becomes ``Decimal("0.1")`` and not the binary
    value behind it.

    Args:
        value: the input.

    Returns:
        The value as a finite ``Decimal``.

    Raises:
        MoneyError: for ``bool``, other types, malformed text, NaN, infinities, more than
            :data:`MAX_INTEGER_DIGITS` digits before the point or more than
            :data:`MAX_FRACTION_DIGITS` significant decimal places.
    """
    if isinstance(value, bool):
        raise MoneyError("must be a number, not a boolean")
    if isinstance(value, str):
        if _DECIMAL_RE.search(value) is None:
            raise MoneyError("must be a decimal number written like 1200.00")
        return _check_magnitude(Decimal(value))
    if isinstance(value, int):
        return _check_magnitude(Decimal(value))
    if isinstance(value, float):
        return _check_magnitude(_finite(Decimal(str(value))))
    if isinstance(value, Decimal):
        return _check_magnitude(_finite(value))
    raise MoneyError(f"must be a decimal number, not {type(value).__name__}")


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise MoneyError("must be a finite number")
    return value


def _check_magnitude(value: Decimal) -> Decimal:
    # adjusted() is the exponent of the most significant digit; it is exact and context-free.
    # Bounding both ends keeps every later integer computation on the value small.
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise MoneyError(f"must have at most {MAX_INTEGER_DIGITS} digits before the point")
    if decimal_places(value) > MAX_FRACTION_DIGITS:
        raise MoneyError(f"must have at most {MAX_FRACTION_DIGITS} decimal places")
    return value


def decimal_places(value: Decimal) -> int:
    """Return how many decimal places ``value`` needs, ignoring trailing zeros.

    ``Decimal("1.50")`` needs 1, ``Decimal("100")`` and ``Decimal("1E+2")`` need 0.
    """
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    significant = "".join(map(str, digits)).rstrip("0")
    if not significant:
        return 0  # zero needs no places, however it is written ("0.000")
    return max(0, -exponent - (len(digits) - len(significant)))


def fits(value: Decimal, places: int) -> bool:
    """Return whether ``value`` can be written with at most ``places`` decimals, exactly."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places:
        return True  # written with no more places than allowed: no digits need counting
    return value.is_finite() and decimal_places(value) <= places


def with_places(value: Decimal, places: int) -> Decimal:
    """Return ``value`` written with exactly ``places`` decimals (``1.5`` -> ``1.50``).

    Raises:
        MoneyError: when that would change the value (it never rounds).
    """
    return from_minor_units(to_minor_units(value, places), places)


def to_minor_units(value: Decimal, places: int) -> int:
    """Return ``value`` as an integer count of minor units (``12.34`` at 2 places -> 1234).

    Raises:
        MoneyError: when ``value`` has more significant decimals than ``places``.
    """
    if not fits(value, places):
        raise MoneyError(f"has more than {places} decimal places")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # fits() refused NaN and infinities
    magnitude = int("".join(map(str, digits)) or "0")
    shift = exponent + places
    factor: int = 10 ** abs(shift)
    # Dividing only drops zeros here: fits() guaranteed the dropped digits are all zero.
    units = magnitude * factor if shift >= 0 else magnitude // factor
    return -units if sign else units


def from_minor_units(units: int, places: int) -> Decimal:
    """Return the amount that ``units`` minor units make (1234 at 2 places -> ``12.34``)."""
    sign = 1 if units < 0 else 0
    return Decimal((sign, tuple(int(d) for d in str(abs(units))), -places))


def parse_money(value: object, currency: str | None = None) -> Decimal:
    """Read an amount and check it fits ``currency``; return it with the currency's places.

    Args:
        value: ``str``, ``int``, ``Decimal`` or ``float`` (read through ``str()``).
        currency: ISO 4217 code; absent or unknown means two decimals.

    Returns:
        The amount, written with exactly the currency's decimal places.

    Raises:
        MoneyError: when the input is not a finite number or does not fit the currency.
    """
    amount = parse_amount(value)
    places = minor_units(currency)
    if not fits(amount, places):
        raise MoneyError(_too_many_places(places, currency))
    return with_places(amount, places)


def _too_many_places(places: int, currency: str | None) -> str:
    where = f"for {currency}" if currency in MINOR_UNITS else "when no currency is known"
    return f"has more than {places} decimal places {where}"


def sum_money(amounts: Iterable[Decimal], currency: str | None = None) -> Decimal:
    """Add amounts exactly, in integer minor units, never through a rounding context.

    Args:
        amounts: values that fit ``currency``.
        currency: ISO 4217 code; absent or unknown means two decimals.

    Returns:
        The total, written with the currency's decimal places.

    Raises:
        MoneyError: when an amount does not fit the currency.
    """
    places = minor_units(currency)
    return from_minor_units(sum(to_minor_units(a, places) for a in amounts), places)


def add_exact(amounts: Iterable[Decimal]) -> Decimal:
    """Add amounts exactly, whatever their places, in integer units of the finest one.

    Used to compare amounts before their currency is known to fit (``0.10 + 0.20 == 0.30``
    holds here for any inputs, because no rounding context is involved).

    Raises:
        MoneyError: when an amount needs more than :data:`MAX_FRACTION_DIGITS` places.
    """
    values = list(amounts)
    places = max((decimal_places(v) for v in values), default=0)
    if places > MAX_FRACTION_DIGITS:
        raise MoneyError(f"has more than {MAX_FRACTION_DIGITS} decimal places")
    return from_minor_units(sum(to_minor_units(v, places) for v in values), places)


def format_money(value: Decimal, currency: str | None = None) -> str:
    """Write an amount as JSON text with the currency's places ("1200.00", JPY "1200").

    A value with more decimals than the currency allows is written exactly as it is, never
    rounded, so that validation can still see and refuse it.
    """
    return format_with_places(value, minor_units(currency))


def format_with_places(value: Decimal, places: int) -> str:
    """Write ``value`` with exactly ``places`` decimals, or as it is when it needs more.

    The same text as ``format(with_places(value, places), "f")`` (negative zero included,
    which is written "0.00"), found by editing the digits of ``str(value)``: padding or
    dropping zeros is exact, and much cheaper than building integer minor units or
    quantizing under a decimal context.
    """
    text = str(value)
    if "E" in text or not text[-1].isdigit():
        return _format_exponent_form(value, places)  # 1E+3, 1E-7, NaN, Infinity
    point = text.find(".")
    given = 0 if point < 0 else len(text) - point - 1
    if given < places:
        text += "0" * (places - given) if point >= 0 else "." + "0" * places
    elif given > places:
        cut = point + 1 + places
        if text[cut:].strip("0"):
            return text  # does not fit: written as it is, for validation to refuse
        text = text[:cut] if places else text[:point]
    if text[0] == "-" and not value:
        return text[1:]  # -0 becomes 0, as with_places writes it
    return text


def _format_exponent_form(value: Decimal, places: int) -> str:
    if fits(value, places):
        value = with_places(value, places)
    return format(value, "f")


def plain_text(value: Decimal) -> str:
    """Return ``format(value, "f")`` (no exponent, every digit), taking ``str()`` when equal.

    ``str()`` writes the same text unless it would use an exponent, and costs a fraction.
    """
    text = str(value)
    return format(value, "f") if "E" in text else text
