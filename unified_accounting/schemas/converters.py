"""The fields' checks as plain functions, for the record paths compiled from the schemas.

Each function gives the verdict of one field class of :mod:`unified_accounting.schemas.fields`
on one value, without marshmallow's machinery: it returns the loaded (or dumped) value, or
raises :class:`Refused` where the field would report an error. A refusal says nothing about
the message: the caller then runs marshmallow itself, which words every error.

Amounts are read from their text: the JSON pattern's own groups give the sign, the whole
part and the fraction, so sign, places and the currency's minor units are checked by
counting digits, and an amount is written with the currency's places by padding or dropping
zeros, the way ``money.with_places`` would write it, with one ``Decimal`` built per amount.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from unified_accounting import money
from unified_accounting.money import MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS
from unified_accounting.schemas.fields import DATE_PATTERN, DATETIME_PATTERN

__all__ = [
    "UP_TO_PLACES",
    "WITH_PLACES",
    "Refused",
    "amount_text",
    "check_amount",
    "dump_money",
    "fit_places",
    "read_amount",
    "read_date",
    "read_moment",
]


class Refused(Exception):
    """A value or rule that the schema would refuse; marshmallow must say why."""


# Accepts exactly what money.DECIMAL_PATTERN accepts (tests/unit/test_compiled_converters.py),
# with groups for the sign, the whole part and the fraction.
_AMOUNT = re.compile(
    rf"(-?)(0|[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}})(?:\.([0-9]{{1,{MAX_FRACTION_DIGITS}}}))?"
).fullmatch
_WHOLE = rf"(?:0|[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}})"

TextTest = Callable[[str], object]


def unsigned_up_to(places: int | None) -> TextTest:
    """A test (a ``fullmatch``) passing only unsigned amount text with at most ``places`` places.

    Text it passes loads as ``Decimal(text)`` in an ``Amount`` of any sign rule but
    "positive" (zero is checked apart) whose ``max_places`` is at least ``places``.
    """
    most = MAX_FRACTION_DIGITS if places is None else min(places, MAX_FRACTION_DIGITS)
    fraction = rf"(?:\.[0-9]{{1,{most}}})?" if most else ""
    return re.compile(_WHOLE + fraction).fullmatch


WITH_PLACES: dict[int | None, TextTest] = {
    places: re.compile(_WHOLE + (rf"\.[0-9]{{{places}}}" if places else "")).fullmatch
    for places in range(MAX_FRACTION_DIGITS + 1)
}
"""Currency places -> a test passing only unsigned amount text with exactly that many places,
which is how a ``Money`` value is loaded in that currency: ``Decimal(text)``. ``None`` (no
currency) passes any unsigned amount text."""
WITH_PLACES[None] = unsigned_up_to(None)

UP_TO_PLACES: dict[int | None, TextTest] = {
    places: unsigned_up_to(places) for places in [None, *range(MAX_FRACTION_DIGITS + 1)]
}
"""Currency places -> a test passing only unsigned amount text that fits those places: the
``str()`` of a ``Decimal`` it passes is a valid ``Money`` value in that currency."""

_DATE = re.compile(DATE_PATTERN).search
_DATETIME = re.compile(DATETIME_PATTERN).search


def read_amount(value: Any, sign: str, max_places: int | None, places: int | None) -> Decimal:
    """Load an ``Amount`` (``places`` None) or a ``Money`` value written with ``places``.

    ``places`` is the currency's minor units when the record names a currency: the value
    must fit them (the record's places rule) and comes back written with exactly that many
    decimals (its post-load step).
    """
    if value.__class__ is str:
        match = _AMOUNT(value)
        if match is None:
            raise Refused
        negative, whole, fraction = match.groups("")
        given = len(fraction)
        if (  # the usual amount: written as it will be loaded, nothing to count
            not negative
            and (places is None or given == places)
            and (max_places is None or given <= max_places)
            and (sign != "positive" or whole != "0" or fraction.strip("0"))
        ):
            return Decimal(value)
        _check_parts(negative, whole, fraction, sign, max_places, places)
        if places is None:
            return Decimal(value)
    else:
        amount = money.parse_amount(value)  # a MoneyError is a refusal too
        negative, whole, fraction = _decimal_parts(amount)
        _check_parts(negative, whole, fraction, sign, max_places, places)
        if places is None:
            return amount
    return _written(negative, whole, fraction, places)


def check_amount(value: Decimal, sign: str, max_places: int | None, places: int | None) -> None:
    """Give an ``Amount``/``Money`` field's verdict on a ``Decimal`` held by a model."""
    negative, whole, fraction = _decimal_parts(value)
    _check_parts(negative, whole, fraction, sign, max_places, places)


def _decimal_parts(value: Decimal) -> tuple[str, str, str]:
    """Split a finite Decimal into sign, whole part and fraction, as its JSON text would be.

    Values that ``str()`` writes with an exponent (1E+3, 1E-7) or that are not finite are
    refused: they are rare, and marshmallow gives their verdict.
    """
    text = str(value)
    if "E" in text or not text[-1].isdigit():
        raise Refused
    negative = "-" if text[0] == "-" else ""
    whole, _, fraction = text[len(negative):].partition(".")
    if len(whole) > MAX_INTEGER_DIGITS:
        raise Refused  # money.parse_amount: too many digits before the point
    return negative, whole, fraction


def _check_parts(
    negative: str, whole: str, fraction: str, sign: str, max_places: int | None,
    places: int | None,
) -> None:
    if sign != "any":
        if negative:
            raise Refused  # Amount._check_sign: is_signed(), so "-0" too
        if sign == "positive" and whole == "0" and not fraction.strip("0"):
            raise Refused
    if fraction:
        needed = len(fraction.rstrip("0"))  # money.decimal_places: trailing zeros are free
        if needed > MAX_FRACTION_DIGITS:
            raise Refused
        if max_places is not None and needed > max_places:
            raise Refused
        if places is not None and needed > places:
            raise Refused


def _written(negative: str, whole: str, fraction: str, places: int) -> Decimal:
    """The amount with exactly ``places`` decimals (``money.with_places``; it fits them)."""
    given = len(fraction)
    digits = fraction[:places] if given > places else fraction + "0" * (places - given)
    if negative and whole == "0" and not digits.strip("0"):
        negative = ""  # with_places writes zero without a sign
    return Decimal(f"{negative}{whole}.{digits}" if places else negative + whole)


def fit_places(value: Any, places: int | None) -> Any:
    """The places rule and post-load step for a money value that another converter loaded."""
    if places is None or not isinstance(value, Decimal):
        return value
    if not money.fits(value, places):
        raise Refused
    return money.with_places(value, places)


def read_date(value: Any) -> date:
    """Load an ``IsoDate``: ``YYYY-MM-DD`` text of a real day, or a ``date`` object."""
    if value.__class__ is str:
        if _DATE(value) is None:
            raise Refused
        return date.fromisoformat(value)  # a ValueError is a refusal too
    if value.__class__ is date:
        return value
    raise Refused


def read_moment(value: Any) -> datetime:
    """Load an ``IsoDateTime``: RFC 3339 text or an aware datetime, offset in whole minutes."""
    if value.__class__ is str:
        if _DATETIME(value) is None:
            raise Refused
        value = datetime.fromisoformat(value)
    elif not isinstance(value, datetime):
        raise Refused
    offset = value.utcoffset()
    if offset is None or offset.total_seconds() % 60:
        raise Refused
    return value  # type: ignore[no-any-return]


def amount_text(value: Any) -> str:
    """Dump an ``Amount``: its exact digits, never an exponent."""
    if not isinstance(value, Decimal):
        raise Refused  # Amount._serialize raises TypeError; marshmallow's path says so
    return money.plain_text(value)


def dump_money(value: Any, places: int | None) -> str:
    """Dump a ``Money`` value: with the currency's places when the record names one."""
    if places is None:
        return amount_text(value)
    if not isinstance(value, Decimal):
        raise Refused
    return money.format_with_places(value, places)
