"""The base of every record schema: strict input, currency-aware money, one error pass."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from marshmallow import RAISE, Schema, ValidationError, post_dump, post_load, validates_schema
from marshmallow.error_store import merge_errors

from unified_accounting import money
from unified_accounting.schemas.fields import Money, Records
from unified_accounting.schemas.paths import Path, nest

__all__ = [
    "ErrorList",
    "RecordSchema",
    "failed",
    "holds_when",
    "in_order",
    "item_pairs",
    "money_slots",
    "not_before",
    "original_mapping",
    "raise_at",
    "unreadable",
]


class ErrorList:
    """Collects validator messages at paths and raises them together.

    Validators add every problem they see and call :meth:`raise_if_any` once, so that a
    record's errors come out in a single load.
    """

    def __init__(self) -> None:
        self.tree: dict[Any, Any] = {}

    def add(self, path: Path, message: str) -> None:
        """Record ``message`` at ``path`` (``("lines", 2, "debit")``)."""
        self.tree = merge_errors(self.tree, nest(path, message))  # type: ignore[no-untyped-call]

    def raise_if_any(self) -> None:
        """Raise a marshmallow ``ValidationError`` holding every message added."""
        if self.tree:
            raise ValidationError(self.tree)


class RecordSchema(Schema):
    """Base of the unified record schemas.

    Subclasses set ``model`` (the dataclass a load builds) and, when the record carries
    money, ``currency_field``: that record then checks that every :class:`Money` value in the
    document (nested lines included) fits the currency's minor units, writes loaded amounts
    with exactly those places, and dumps them the same way ("1200.00", JPY "1200").

    ``json_schema_extra`` holds JSON Schema keywords that mirror a cross-field validator which
    JSON Schema can express; the generator adds them to the published schema.
    """

    model: ClassVar[type[Any]]
    currency_field: ClassVar[str | None] = None
    json_schema_extra: ClassVar[Mapping[str, Any]] = {}

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "is not a known field", "type": "must be an object"}

    def _currency(self, data: Mapping[str, Any], original: Any) -> tuple[bool, str | None]:
        """Return (known, code): known is False when the input currency itself was refused."""
        assert self.currency_field is not None
        if failed(data, original, self.currency_field):
            return False, None
        code = data.get(self.currency_field)
        return True, code if isinstance(code, str) else None

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _amounts_fit_currency(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        if self.currency_field is None:
            return
        known, code = self._currency(data, original)
        if not known:
            return  # the currency's own error says enough; places would only add noise
        places = money.minor_units(code)
        where = f"for {code}" if code in money.MINOR_UNITS else "when no currency is given"
        errors = ErrorList()
        for path, container, key in money_slots(self, data):
            value = container[key]
            if isinstance(value, Decimal) and not money.fits(value, places):
                errors.add(path, f"has more than {places} decimal places {where}")
        errors.raise_if_any()

    @post_load
    def _write_currency_places(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if self.currency_field is not None:
            places = money.minor_units(data.get(self.currency_field))
            for _path, container, key in money_slots(self, data):
                if isinstance(container[key], Decimal):
                    container[key] = money.with_places(container[key], places)
        return data

    @post_dump
    def _dump_currency_places(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if self.currency_field is not None:
            code = data.get(self.currency_field)
            for _path, container, key in money_slots(self, data):
                if isinstance(container[key], str):
                    container[key] = money.format_money(Decimal(container[key]), code)
        return data


Hook = TypeVar("Hook", bound=Callable[..., Any])


def holds_when(check: Callable[[Mapping[str, Any]], bool]) -> Callable[[Hook], Hook]:
    """Give a ``validates_schema`` hook a cheap test for the compiled paths.

    ``check(data)`` is called only with a record whose every field loaded (nothing refused,
    so the hook's "unreadable" guards never apply), and must return True only when the hook
    would raise nothing for it. False is always safe: the record then goes through
    marshmallow, which runs the hook itself and words its errors. A hook without such a test
    is simply called on the compiled paths too.
    """

    def mark(hook: Hook) -> Hook:
        hook.__holds_when__ = check  # type: ignore[attr-defined]
        return hook

    return mark


def money_slots(
    schema: Schema, data: Mapping[str, Any], path: Path = ()
) -> Iterator[tuple[Path, dict[str, Any], str]]:
    """Yield ``(path, container, key)`` for every money value present in ``data``.

    Walks nested records and lists of records, so a header schema can reach its lines.
    Values that failed to load are absent and therefore skipped.
    """
    for name, field in schema.fields.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if isinstance(field, Money):
            assert isinstance(data, dict)
            yield (*path, name), data, name
        elif isinstance(field, Records) and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from money_slots(field.schema, item, (*path, name, index))
        elif hasattr(field, "schema") and isinstance(value, Mapping):
            yield from money_slots(field.schema, value, (*path, name))


def original_mapping(original: Any) -> Mapping[str, Any]:
    """Return the raw input of a record when it is a mapping, else an empty one."""
    return original if isinstance(original, Mapping) else {}


def item_pairs(data: Mapping[str, Any], original: Any, name: str) -> list[tuple[Any, Any]] | None:
    """Pair each loaded item of the list field ``name`` with its raw input.

    Cross-record rules need both: the loaded value to compute with, the raw one to tell an
    item that failed to load (see :func:`unreadable`) from one that was left out.

    Returns:
        ``None`` when either side is not a list (the field's own error covers it).
    """
    items = data.get(name)
    raw = original_mapping(original).get(name)
    if not isinstance(items, list) or not isinstance(raw, list | tuple):
        return None
    return list(zip(items, raw, strict=False))


def failed(data: Mapping[str, Any], original: Any, name: str) -> bool:
    """Return whether field ``name`` was given (not null) but refused by its field checks."""
    raw = original_mapping(original)
    return raw.get(name) is not None and name not in data


def raise_at(field: str, message: str) -> None:
    """Raise a marshmallow error for one field of the record being validated."""
    errors = ErrorList()
    errors.add((field,), message)
    errors.raise_if_any()


def not_before(data: Mapping[str, Any], earlier: str, later: str) -> None:
    """Refuse a record whose date ``later`` falls before its date ``earlier``, when both loaded.

    Raises:
        marshmallow.ValidationError: at ``later``, naming ``earlier`` and its value.
    """
    start, end = data.get(earlier), data.get(later)
    if start is not None and end is not None and end < start:
        raise_at(later, f"must not be before {earlier} {start.isoformat()}")


def in_order(data: Mapping[str, Any], earlier: str, later: str) -> bool:
    """Whether :func:`not_before` accepts ``data`` (either date absent, or in order)."""
    start, end = data.get(earlier), data.get(later)
    return start is None or end is None or not end < start


def unreadable(record: Any, raw: Any, names: tuple[str, ...]) -> bool:
    """Return whether a nested record (or one of ``names`` in it) could not be read.

    Cross-record totals skip such records' documents: their own errors say what is wrong,
    and a total computed without them would only mislead.
    """
    if not isinstance(record, Mapping) or not isinstance(raw, Mapping):
        return True
    return any(failed(record, raw, name) for name in names)
