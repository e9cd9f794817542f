"""Query strings to library arguments: list filters, page sizes, record changes.

Filters keep the library's names. A few have a type of their own in query strings:
``updated_since`` (ISO 8601; a time without an offset is UTC), ``fields`` (comma separated)
and ``include_remote_data`` (``true``/``false``); every other filter is passed as text, as
the command line passes ``--filter NAME=VALUE``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError as SchemaError

from unified_accounting import validation
from unified_accounting.errors import ValidationError
from unified_accounting.gateway.context import problem
from unified_accounting.schemas import SCHEMAS, RecordSchema
from unified_accounting.schemas.fields import Records
from unified_accounting.schemas.paths import flatten

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "RESERVED", "load_changes", "page_limit",
           "parse_filters", "parse_moment"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: Query parameters of a list that are not filters.
RESERVED = frozenset({"limit", "cursor", "business_id"})


def parse_moment(value: str, name: str) -> datetime:
    """Read ISO 8601 text as an aware time (UTC when it names no offset).

    Raises:
        ValidationError: naming ``name``.
    """
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError({name: ["must be an ISO 8601 date and time"]}) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _flag(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValidationError({name: ["must be true or false"]})


_TYPED: Mapping[str, Callable[[str, str], Any]] = {
    "updated_since": parse_moment,
    "fields": lambda value, _name: [part.strip() for part in value.split(",") if part.strip()],
    "include_remote_data": _flag,
}


def parse_filters(query: Mapping[str, str], supported: frozenset[str],
                  resource: str) -> dict[str, Any]:
    """Turn a list's query (reserved parameters removed) into library filters.

    Raises:
        GatewayProblem: ``unsupported-filter`` naming each unknown filter.
        ValidationError: a value of the wrong shape.
    """
    unknown = sorted(set(query) - supported)
    if unknown:
        offered = ", ".join(sorted(supported)) or "none"
        raise problem("unsupported-filter", f"{resource} cannot be filtered by "
                      f"{', '.join(unknown)} (supported: {offered})",
                      errors={name: ["is not a filter of this resource"] for name in unknown})
    return {name: _TYPED.get(name, _as_text)(value, name) for name, value in query.items()}


def _as_text(value: str, _name: str) -> str:
    return value


def page_limit(text: str | None) -> int:
    """The ``limit`` parameter: 1 to :data:`MAX_LIMIT`, :data:`DEFAULT_LIMIT` when absent.

    Raises:
        ValidationError: on ``limit``.
    """
    if text is None:
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise ValidationError({"limit": [f"must be a whole number from 1 to {MAX_LIMIT}"]})
    return int(text)


def load_changes(kind: str, data: Any) -> dict[str, Any]:
    """Check the changed fields of a record (a JSON object) and return them as values.

    Each field present is checked by its own rules, as ``ua.load`` checks it; a nested
    record (an invoice's ``lines``) is checked whole, since it replaces the stored one. Rules
    that join several fields of the record (a contact is a customer or a supplier) are left
    to the provider, which holds the fields not sent.

    Raises:
        ValidationError: every failing path, as ``ua.load`` reports them.
    """
    if not isinstance(data, Mapping) or not data:
        raise ValidationError({"": ["must be an object with at least one field to change"]})
    schema = SCHEMAS[kind]()
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, raw in data.items():
        field = schema.fields.get(name)
        if field is None or field.dump_only:
            errors[str(name)] = ["is not a known field"]
            continue
        try:
            values[name] = _built(schema, name, field.deserialize(raw, name, data))
        except SchemaError as exc:
            errors.update(flatten({name: exc.messages}))
    if errors:
        raise ValidationError(errors)
    return values


def _built(schema: RecordSchema, name: str, value: Any) -> Any:
    field = schema.fields[name]
    nested = getattr(field, "schema", None)
    if isinstance(field, Records) and isinstance(nested, RecordSchema):
        return [validation._build(nested, item) for item in value]
    if isinstance(nested, RecordSchema) and value is not None:
        return validation._build(nested, value)
    return value

