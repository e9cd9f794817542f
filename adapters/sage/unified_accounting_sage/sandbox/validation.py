"""Validate write bodies with JSON Schema and answer Sage's 422 error array."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError

from unified_accounting_sage.sandbox.document_schemas import DOCUMENT_SCHEMAS
from unified_accounting_sage.sandbox.errors import SageError
from unified_accounting_sage.sandbox.schemas import SCHEMAS


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = SCHEMAS.get(name) or DOCUMENT_SCHEMAS[name]
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate(name: str, payload: Mapping[str, Any]) -> None:
    """Check the object inside a write wrapper against our schema for ``name``.

    Args:
        name: schema name, e.g. ``"contact"`` or ``"contact.update"``.
        payload: the unwrapped object.

    Raises:
        SageError: 422 ``RecordInvalid`` with one entry per problem, each naming the field
            as a dotted path (``invoice_lines.0.ledger_account_id``).
    """
    errors = sorted(_validator(name).iter_errors(payload), key=lambda e: list(e.absolute_path))
    if errors:
        raise SageError(422, [_describe(error) for error in errors])


def _describe(error: SchemaError) -> tuple[str, str, str]:
    path = [str(part) for part in error.absolute_path]
    validator = str(error.validator)
    if validator == "required":
        required: Any = error.validator_value
        instance: Any = error.instance
        missing = [name for name in required if name not in instance]
        return "RecordInvalid", "can't be blank", ".".join([*path, missing[0]])
    return "RecordInvalid", _message(validator, error.validator_value), ".".join(path) or "base"


def _message(validator: str, expected: Any) -> str:
    # Rails-style messages, as Sage's own validation errors read.
    messages = {
        "maxLength": f"is too long (maximum is {expected} characters)",
        "minLength": "can't be blank",
        "minimum": f"must be greater than or equal to {expected}",
        "maximum": f"must be less than or equal to {expected}",
        "enum": "is not included in the list",
        "minItems": "can't be blank",
        "format": "is not a valid date" if expected == "date" else "is invalid",
    }
    return messages.get(validator, "is invalid")
