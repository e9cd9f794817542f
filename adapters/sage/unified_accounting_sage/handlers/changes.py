"""Updates: turn a whole model or a mapping of changed unified fields into a Sage PUT body.

Sage's PUT bodies are partial: only the fields sent change. A whole model is mapped as it is
(``to_sage(..., partial=True)``). A mapping of changes is applied to a skeleton model, mapped,
and cut down to the Sage fields that carry the changed unified fields, so placeholders never
reach Sage. Which Sage fields carry which unified field comes from the same tables the error
mapping uses (:data:`unified_accounting_sage.field_paths.FIELD_PATHS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, TypeVar

from unified_accounting import validation
from unified_accounting.errors import ValidationError
from unified_accounting_sage.field_limits import check_lengths
from unified_accounting_sage.field_paths import FIELD_PATHS, split_path
from unified_accounting_sage.mappers._common import merge

__all__ = ["carriers", "model_from_changes", "update_body"]

M = TypeVar("M")

# Unified fields the tables do not name, or name only through a sibling.
_EXTRA_CARRIERS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "contact": {"is_supplier": ("contact_type_ids",), "phone": ("main_contact_person",)},
    # A PUT changes a tax rate's percentage directly (a POST gives it per component).
    "tax_rate": {"rate": ("percentage",)},
}


def carriers(wrapper: str) -> dict[str, set[str]]:
    """Return unified top-level field -> the top-level Sage body keys that carry it."""
    found: dict[str, set[str]] = {}
    for sage, unified in FIELD_PATHS.get(wrapper, {}).items():
        found.setdefault(split_path(unified)[0], set()).add(split_path(sage)[0])
    for unified, keys in _EXTRA_CARRIERS.get(wrapper, {}).items():
        found.setdefault(unified, set()).update(keys)
    return found


def model_from_changes(model: type[M], changes: Mapping[str, Any],
                       placeholders: Mapping[str, Any]) -> M:
    """Build a model from changed fields, filling required fields with placeholders.

    Raises:
        ValidationError: a key is not a field of the model.
    """
    names = {f.name for f in fields(model)}  # type: ignore[arg-type]
    unknown = sorted(set(changes) - names)
    if unknown:
        raise ValidationError({name: [f"not a field of {model.__name__}"] for name in unknown},
                              provider="sage")
    built = model(**{**placeholders, **changes})
    _check_changed(built, set(changes))
    return built


def _check_changed(built: Any, changed: set[str]) -> None:
    """Apply the model's rules to the changed fields, as ``create`` would.

    Errors of fields left unchanged come from the placeholders and are ignored; an unbalanced
    journal or an invoice line whose amounts disagree is refused before anything is sent.
    """
    try:
        validation.validate_model(built)
    except ValidationError as exc:
        kept = {path: messages for path, messages in exc.errors.items()
                if _top_field(path) in changed}
        if kept:
            raise ValidationError(kept, provider="sage") from None


def _top_field(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def _cut(body: dict[str, Any], wrapper: str, changed: set[str]) -> dict[str, Any]:
    table = carriers(wrapper)
    wanted: set[str] = set()
    refused: dict[str, list[str]] = {}
    for name in sorted(changed):
        keys = table.get(name)
        if not keys:
            refused[name] = ["cannot be changed through Sage"]
        wanted |= keys or set()
    if refused:
        raise ValidationError(refused, provider="sage")
    return {key: value for key, value in body.items() if key in wanted}


def update_body(
    changes: M | Mapping[str, Any],
    *,
    model: type[M],
    wrapper: str,
    placeholders: Mapping[str, Any],
    to_sage: Callable[[M], dict[str, Any]],
    provider_fields: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Return the inner body of a Sage PUT.

    Args:
        changes: a whole model (sent as mapped) or unified field -> new value.
        model: the unified model class.
        wrapper: the Sage wrapper key (``"contact"``).
        placeholders: values for the model's required fields that the changes lack.
        to_sage: maps a model to a partial body (``partial=True`` already bound).
        provider_fields: Sage fields merged in last.

    Raises:
        ValidationError: an unknown field, a field Sage cannot change, a string too long, or
            nothing to send.
    """
    if isinstance(changes, Mapping):
        built = model_from_changes(model, changes, placeholders)
        body = _cut(to_sage(built), wrapper, set(changes))
    else:
        body = to_sage(changes)
    merge(body, provider_fields)
    check_lengths(wrapper, body)
    if not body:
        raise ValidationError({"_schema": ["nothing to change"]}, provider="sage")
    return body
