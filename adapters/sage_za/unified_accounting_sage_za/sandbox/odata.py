"""The OData options the v2 API takes on lists: ``$filter``, ``$orderby``, ``$skip``, ``$top``.

Only the forms the clients of the API are known to send are understood: comparisons
(``eq ne gt ge lt le``) of a field with a quoted string, a number, ``true``/``false``,
``null`` or a ``datetime'...'`` literal, joined by ``and``/``or`` (``and`` binds tighter),
without parentheses. Anything else is a 400, as an ASP.NET OData endpoint answers.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["MAX_TOP", "ODataError", "apply_filter", "order", "page_window"]

MAX_TOP = 100
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt,
    "ge": operator.ge, "lt": operator.lt, "le": operator.le,
}
_COMPARISON = re.compile(
    r"^\s*([A-Za-z_$][A-Za-z0-9_]*)\s+(eq|ne|gt|ge|lt|le)\s+"
    r"('(?:[^']|'')*'|datetime'[^']*'|-?\d+(?:\.\d+)?|true|false|null)\s*$")


class ODataError(ValueError):
    """A query option the sandbox (like the real server) cannot read."""


def _literal(text: str) -> Any:
    if text.startswith("datetime'"):
        return _moment(text[len("datetime'"):-1])
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    return Decimal(text)


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError as exc:
        raise ODataError(f"invalid datetime literal {text!r}") from exc


def _comparable(value: Any, wanted: Any) -> Any:
    if isinstance(wanted, datetime) and isinstance(value, str):
        return _moment(value)
    if isinstance(wanted, Decimal) and isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    return value


def _test(clause: str) -> Callable[[Mapping[str, Any]], bool]:
    match = _COMPARISON.match(clause)
    if match is None:
        raise ODataError(f"cannot read the $filter clause {clause.strip()!r}")
    name, op, raw = match.groups()
    wanted = _literal(raw)
    compare = _OPS[op]

    def test(record: Mapping[str, Any]) -> bool:
        value = _field(record, name)
        if value is None or wanted is None:
            return compare(value, wanted) if op in ("eq", "ne") else False
        try:
            return bool(compare(_comparable(value, wanted), wanted))
        except TypeError:
            return False

    return test


def _field(record: Mapping[str, Any], name: str) -> Any:
    lowered = {key.lower(): value for key, value in record.items()}
    return lowered.get(name.lower())


def apply_filter(records: Sequence[Mapping[str, Any]], expression: str | None) -> list[Any]:
    """Return the records matching a ``$filter`` expression (all of them without one)."""
    if not expression or not expression.strip():
        return list(records)
    alternatives = [[_test(part) for part in re.split(r"\s+and\s+", branch)]
                    for branch in re.split(r"\s+or\s+", expression)]
    return [record for record in records
            if any(all(test(record) for test in branch) for branch in alternatives)]


def order(records: list[Any], expression: str | None) -> list[Any]:
    """Sort by ``$orderby`` (``Field [asc|desc], ...``); ``ID`` ascending by default."""
    keys = [part.split() for part in (expression or "ID asc").split(",") if part.strip()]
    for words in reversed(keys):
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise ODataError(f"cannot read the $orderby clause {' '.join(words)!r}")
        descending = len(words) == 2 and words[1].lower() == "desc"
        records.sort(key=_sort_key(words[0]), reverse=descending)
    return records


def _sort_key(name: str) -> Callable[[Any], tuple[bool, Any]]:
    def key(record: Any) -> tuple[bool, Any]:
        value = _field(record, name)
        # None sorts first, as SQL Server does in ascending order.
        return value is not None, _sortable(value)

    return key


def _sortable(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int | float | Decimal) else str(value).lower()


def page_window(skip: str | None, top: str | None) -> tuple[int, int]:
    """Read ``$skip`` and ``$top``; ``$top`` above 100 (or absent) is served as 100."""
    try:
        first = int(skip) if skip else 0
        size = int(top) if top else MAX_TOP
    except ValueError as exc:
        raise ODataError("$skip and $top must be whole numbers") from exc
    if first < 0 or size < 0:
        raise ODataError("$skip and $top must not be negative")
    return first, min(size, MAX_TOP)
