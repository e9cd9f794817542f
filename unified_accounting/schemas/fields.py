"""Strict marshmallow fields for the unified models.

marshmallow's stock fields are lenient where accounting data must not be: ``Boolean`` takes
``"yes"`` and ``1``, ``Integer`` takes ``True``, ``String`` takes bytes, ``Decimal`` goes
through floats if asked. These fields accept only what the JSON Schemas describe (plus the
Python objects that the dataclasses hold), and each can describe itself as JSON Schema through
``json_schema()`` so that the published schemas are generated from the same definitions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from marshmallow import ValidationError, fields, validate

from unified_accounting import money
from unified_accounting.countries import COUNTRY_CODES

__all__ = [
    "DATETIME_PATTERN",
    "DATE_PATTERN",
    "Amount",
    "Flag",
    "IbanChecksum",
    "IsoDate",
    "IsoDateTime",
    "Money",
    "NotBlank",
    "RawRecord",
    "Record",
    "Records",
    "Text",
    "WholeNumber",
    "country_code",
    "currency_code",
    "one_of",
]

Sign = Literal["any", "non_negative", "positive"]

# Month, day and clock ranges are in the pattern so that a JSON Schema validator which does
# not check formats still refuses most impossible dates; see money.py for `$(?!\n)`.
_DATE_BODY = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DATE_PATTERN = rf"^{_DATE_BODY}$(?!\n)"
DATETIME_PATTERN = (
    rf"^{_DATE_BODY}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{{1,6}})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$(?!\n)"
)
_ZERO_PATTERN = r"^0(\.0+)?$"

# marshmallow's stock wording, in the voice of the rest of the messages ("is required").
MESSAGES: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": "is required",
    "null": "must not be null",
}
_DATE_RE = re.compile(DATE_PATTERN)
_IBAN_CHARS = re.compile("[A-Z0-9]{5,34}")
_DATETIME_RE = re.compile(DATETIME_PATTERN)


class Text(fields.Field[str]):
    """A string (never bytes or numbers), optionally bounded in length.

    Args:
        max_length: the longest accepted value, in characters (``None`` when another
            validator already bounds it, as a choice list does).
        min_length: the shortest accepted value.
        **kwargs: passed to :class:`marshmallow.fields.Field`.
    """

    default_error_messages = MESSAGES

    def __init__(
        self, *, max_length: int | None, min_length: int | None = None, **kwargs: Any
    ) -> None:
        validators: list[Any] = []
        if max_length is not None or min_length is not None:
            validators.append(
                validate.Length(
                    min=min_length, max=max_length, error=_length_message(min_length, max_length)
                )
            )
        validators.extend(_as_list(kwargs.pop("validate", None)))
        super().__init__(validate=validators, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        if not isinstance(value, str):
            raise ValidationError("must be a string")
        return value

    def json_schema(self) -> dict[str, Any]:
        """Return this field's JSON Schema (validators are added by the generator)."""
        return {"type": "string"}


class Flag(fields.Field[bool]):
    """A boolean: only ``true`` and ``false``, never ``1``, ``"yes"`` or ``"true"``."""

    default_error_messages = MESSAGES

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("must be true or false")
        return value

    def json_schema(self) -> dict[str, Any]:
        """Return this field's JSON Schema."""
        return {"type": "boolean"}


class WholeNumber(fields.Field[int]):
    """An integer: never a boolean, a float or a numeric string."""

    default_error_messages = MESSAGES

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("must be a whole number")
        return value

    def json_schema(self) -> dict[str, Any]:
        """Return this field's JSON Schema."""
        return {"type": "integer"}


class Amount(fields.Field[Decimal]):
    """An exact decimal written as a JSON string ("2.5"); Python callers may pass numbers.

    Input rules live in :func:`unified_accounting.money.parse_amount`: strings must match
    :data:`~unified_accounting.money.DECIMAL_PATTERN`; ints and Decimals are taken as they are;
    floats are read through ``str()``; booleans, NaN and infinities are refused.

    Args:
        sign: ``"any"``, ``"non_negative"`` or ``"positive"``.
        max_places: the most decimal places the value may need (trailing zeros are free).
        **kwargs: passed to :class:`marshmallow.fields.Field`.
    """

    default_error_messages = MESSAGES

    def __init__(self, *, sign: Sign = "any", max_places: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.sign: Sign = sign
        self.max_places = max_places

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Decimal:
        try:
            amount = money.parse_amount(value)
        except money.MoneyError as exc:
            raise ValidationError(str(exc)) from exc
        self._check_sign(amount)
        if self.max_places is not None and not money.fits(amount, self.max_places):
            raise ValidationError(f"must have at most {self.max_places} decimal places")
        return amount

    def _check_sign(self, amount: Decimal) -> None:
        # is_signed() also catches "-0", which the unsigned JSON pattern refuses too.
        if self.sign == "non_negative" and amount.is_signed():
            raise ValidationError("must not be negative")
        if self.sign == "positive" and (amount.is_signed() or amount == 0):
            raise ValidationError("must be above zero")

    def _serialize(self, value: Decimal | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"{attr} must be a Decimal, not {type(value).__name__}")
        return format(value, "f")

    def json_schema(self) -> dict[str, Any]:
        """Return this field's JSON Schema: a string in the decimal pattern."""
        if self.sign == "any":
            return {"type": "string", "pattern": money.DECIMAL_PATTERN}
        schema: dict[str, Any] = {"type": "string", "pattern": money.UNSIGNED_DECIMAL_PATTERN}
        if self.sign == "positive":
            schema["not"] = {"pattern": _ZERO_PATTERN}
        return schema


class Money(Amount):
    """An amount of money: an :class:`Amount` whose places the record's currency bounds.

    The field alone cannot know the currency; the record schema that names the currency
    checks every ``Money`` value in the document against it (see ``RecordSchema``).
    """


class IsoDate(fields.Field[date]):
    """A calendar date as ``YYYY-MM-DD``, or a :class:`datetime.date` (not a datetime)."""

    default_error_messages = MESSAGES

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> date:
        if isinstance(value, datetime):
            raise ValidationError("must be a date, not a date and time")
        if isinstance(value, date):
            return value
        if not isinstance(value, str) or _DATE_RE.search(value) is None:
            raise ValidationError("must be a date written YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError("is not a real calendar date") from exc

    def _serialize(self, value: date | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.isoformat()

    def json_schema(self) -> dict[str, Any]:
        """Return this field's JSON Schema."""
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}


class IsoDateTime(fields.Field[datetime]):
    """A moment with its UTC offset (RFC 3339), or an aware :class:`datetime.datetime`.

    Naive date-times are refused: a timestamp without an offset means different moments to
    different machines.
    """

    default_error_messages = MESSAGES

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> datetime:
        if isinstance(value, str):
            if _DATETIME_RE.search(value) is None:
                raise ValidationError(
                    "must be a date and time with offset, like 2026-01-31T09:30:00Z"
                )
            try:
                value = datetime.fromisoformat(value)
            except ValueError as exc:
                raise ValidationError("is not a real calendar date and time") from exc
        if not isinstance(value, datetime):
            raise ValidationError("must be a date and time")
        offset = value.utcoffset()
        if offset is None:
            raise ValidationError("must carry a UTC offset")
        if offset.total_seconds() % 60:
            raise ValidationError("must have a UTC offset in whole minutes")
        return value

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.isoformat()

    def json_schema(self) -> dict[str, Any]:
        """Return this field's JSON Schema."""
        return {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}


class Records(fields.Nested):
    """A list of nested records that reports a too-short list together with item errors.

    marshmallow's own length validator runs only when every item loaded; this field adds the
    count message to the item errors, so one load reports everything.

    Args:
        nested: the schema class of each item.
        min_items: the fewest items accepted.
        too_few: the message when there are fewer.
        **kwargs: passed to :class:`marshmallow.fields.Nested`.
    """

    default_error_messages = MESSAGES

    def __init__(
        self, nested: Any, *, min_items: int = 0, too_few: str = "", **kwargs: Any
    ) -> None:
        super().__init__(nested, many=True, **kwargs)
        self.min_items = min_items
        self.too_few = too_few or f"needs at least {min_items} items"

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        partial: Any = None,
        **kwargs: Any,
    ) -> Any:
        if not isinstance(value, list | tuple):
            raise ValidationError("must be a list")
        errors: dict[Any, Any] = {}
        loaded: Any = None
        try:
            loaded = self._load(list(value), partial=partial)
        except ValidationError as exc:
            errors = dict(exc.normalized_messages())  # type: ignore[no-untyped-call]
            loaded = exc.valid_data
        if len(value) < self.min_items:
            errors["_schema"] = [self.too_few]
        if errors:
            raise ValidationError(errors, valid_data=loaded)
        return loaded


class Record(fields.Nested):
    """One nested record (or ``null`` where allowed)."""

    default_error_messages = {**MESSAGES, "type": "must be an object"}


class RawRecord(fields.Dict):
    """A JSON object kept as it came (the provider's raw record)."""

    default_error_messages = {**MESSAGES, "invalid": "must be an object"}


class NotBlank(validate.Validator):
    """Refuse text made only of white space (checked by ``load`` only; see docs/models.md)."""

    error = "must not be blank"

    def __call__(self, value: str) -> str:
        if value and not value.strip():  # empty text is the length rule's to report
            raise ValidationError(self.error)
        return value


class IbanChecksum(validate.Validator):
    """Refuse an IBAN whose ISO 13616 check digits are wrong (checked by ``load`` only)."""

    error = "has wrong IBAN check digits"

    def __call__(self, value: str) -> str:
        if _IBAN_CHARS.fullmatch(value) is None:
            return value  # malformed text is reported by the IBAN pattern instead
        rearranged = value[4:] + value[:4]
        digits = "".join(str(int(ch, 36)) for ch in rearranged)
        if int(digits) % 97 != 1:
            raise ValidationError(self.error)
        return value


def one_of(values: Iterable[str], *, error: str | None = None, **kwargs: Any) -> Text:
    """Return a text field limited to ``values`` (a JSON Schema ``enum``)."""
    options = tuple(values)
    message = error or "must be one of: " + ", ".join(options)
    return Text(max_length=None, validate=validate.OneOf(options, error=message), **kwargs)


def country_code(**kwargs: Any) -> Text:
    """Return a field for an ISO 3166-1 alpha-2 country code."""
    return one_of(
        sorted(COUNTRY_CODES),
        error="must be an ISO 3166-1 alpha-2 country code",
        metadata={"definition": "CountryCode"},
        **kwargs,
    )


def currency_code(**kwargs: Any) -> Text:
    """Return a field for an ISO 4217 currency code listed in ``money.MINOR_UNITS``."""
    return one_of(
        money.MINOR_UNITS,
        error="must be an ISO 4217 currency code",
        metadata={"definition": "CurrencyCode"},
        **kwargs,
    )


def _length_message(low: int | None, high: int | None) -> str:
    if low and high:
        return f"must be {low} to {high} characters long"
    if high is not None:
        return f"must be at most {high} characters long"
    return f"must be at least {low} characters long"


def _as_list(validators: Any) -> Sequence[Any]:
    if validators is None:
        return []
    if callable(validators):
        return [validators]
    return list(validators)
