"""List queries: unified filters to Sage parameters, and ``fields=`` to ``attributes``.

Sage answers a list with ``id``, ``displayed_as`` and ``$path`` only, unless ``attributes``
names more; each handler asks for the fields its mapper reads, and ``fields=[...]`` narrows
that to the unified fields the caller needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from unified_accounting.errors import ValidationError

__all__ = [
    "COMMON_FILTERS",
    "FieldAttributes",
    "Filter",
    "boolean",
    "choice",
    "day",
    "sage_params",
    "text",
    "timestamp",
]

#: Filters every Sage list understands, besides each resource's own.
COMMON_FILTERS = frozenset({"fields", "include_remote_data"})


def _refuse(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]}, provider="sage")


def timestamp(value: Any) -> str:
    """Write a moment as Sage's ``updated_or_created_since`` / ``deleted_since`` expect.

    A naive ``datetime`` is taken as UTC and a ``date`` as its midnight UTC.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.isoformat(timespec="seconds")
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).isoformat()
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise TypeError("expected a datetime, a date or ISO 8601 text")


def day(value: Any) -> str:
    """Write a ``date`` (or the date of a ``datetime``) as ``YYYY-MM-DD``."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise TypeError("expected a date")


def text(value: Any) -> str:
    """Pass a non-empty string through."""
    if not isinstance(value, str) or not value.strip():
        raise TypeError("expected non-empty text")
    return value.strip()


def boolean(value: Any) -> str:
    """Write ``True``/``False`` as Sage's ``true``/``false``."""
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return "true" if value else "false"


def choice(table: Mapping[Any, str]) -> Callable[[Any], str]:
    """Return a converter mapping unified values (or the Sage ids themselves) via ``table``."""
    sage_ids = set(table.values())

    def convert(value: Any) -> str:
        if isinstance(value, str) and value in table:
            return table[value]
        if isinstance(value, str) and value in sage_ids:
            return value
        raise TypeError(f"expected one of {', '.join(sorted(table))}")

    return convert


@dataclass(frozen=True)
class Filter:
    """One unified list filter and the Sage query parameter it becomes."""

    param: str
    convert: Callable[[Any], str]


def sage_params(filters: Mapping[str, Any], table: Mapping[str, Filter]) -> dict[str, str]:
    """Translate unified filters (already checked against the capabilities) to Sage's query.

    ``None`` values are left out; ``fields`` and ``include_remote_data`` are not parameters.

    Raises:
        ValidationError: a value the filter cannot take, naming the filter.
    """
    params: dict[str, str] = {}
    for name, value in filters.items():
        if name in COMMON_FILTERS or value is None:
            continue
        spec = table.get(name)
        if spec is None:
            raise _refuse(name, "not a filter of this resource")
        try:
            params[spec.param] = spec.convert(value)
        except TypeError as err:
            raise _refuse(name, str(err)) from None
    return params


@dataclass(frozen=True)
class FieldAttributes:
    """Which Sage attributes a list needs for which unified fields.

    Attributes:
        default: what the mapper reads (its ``ATTRIBUTES``).
        model: the unified model class, whose field names ``fields=`` may use.
        overrides: unified field -> Sage attributes, where the names differ.
        always: attributes the mapper cannot do without (``date`` on invoices).
    """

    default: tuple[str, ...]
    model: type[Any]
    overrides: Mapping[str, tuple[str, ...]]
    always: tuple[str, ...] = ()

    def attributes(self, wanted: Iterable[str] | None) -> str:
        """Return the ``attributes`` parameter for the unified ``fields`` asked for.

        Raises:
            ValidationError: ``fields`` names something that is not a field of the model.
        """
        if wanted is None:
            return ",".join(self.default)
        if isinstance(wanted, str):
            wanted = [wanted]
        names = {f.name for f in fields(self.model)}
        chosen: list[str] = list(self.always)
        for name in wanted:
            if name not in names:
                raise _refuse("fields", f"{name!r} is not a field of {self.model.__name__}")
            found = self.overrides.get(name, (name,) if name in self.default else ())
            chosen.extend(attr for attr in found if attr not in chosen)
        return ",".join(chosen)
