"""The published JSON Schema files, read from the installed package, and checks against them.

The files live in ``unified_accounting/json_schemas/`` inside the package (the repository's
top-level ``schemas/`` is a link to that folder), so an installed wheel finds them through
:mod:`importlib.resources` wherever it is installed. ``make schemas`` regenerates them.

:func:`validate_json` checks a JSON document against the schema of its kind and reports every
problem at once, keyed by the path of the failing value (``lines[2].debit``). Use it where
JSON enters a program (the command line does for ``create``); ``ua.load`` then applies the
rules JSON Schema cannot express. ``ua.load`` does not call it, so loading stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaViolation

from unified_accounting.errors import ValidationError
from unified_accounting.schemas.paths import join

__all__ = ["SCHEMA_PACKAGE_DIR", "schema_directory", "schema_for", "validate_json"]

Document = TypeVar("Document")

SCHEMA_PACKAGE_DIR = "json_schemas"
"""The folder, inside the ``unified_accounting`` package, that holds one file per kind."""


def schema_directory() -> Traversable:
    """Return the installed folder of schema files (``<kind>.json`` each)."""
    return files("unified_accounting") / SCHEMA_PACKAGE_DIR


@cache
def schema_for(kind: str) -> dict[str, Any]:
    """Return the JSON Schema of ``kind`` (``"contact"``, ``"invoice"``, ...) as a dict.

    Raises:
        ValueError: ``kind`` has no schema file; the message lists the kinds that have one.
    """
    resource = schema_directory() / f"{kind}.json"
    if not resource.is_file():
        known = sorted(p.name.removesuffix(".json") for p in schema_directory().iterdir()
                       if p.name.endswith(".json"))
        raise ValueError(f"no JSON Schema for kind {kind!r}; known kinds: {', '.join(known)}")
    document: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return document


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(
        schema_for(kind), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validate_json(kind: str, data: Document) -> Document:
    """Check the JSON document ``data`` against the published schema of ``kind``.

    Returns:
        ``data`` itself, unchanged, so that ``load(kind, validate_json(kind, data))`` reads.

    Raises:
        ValidationError: ``errors`` maps each failing path (``lines[2].debit``) to messages.
        ValueError: ``kind`` is not a kind with a schema.
    """
    errors: dict[str, list[str]] = {}
    for violation in _validator(kind).iter_errors(data):
        for path, message in _describe(violation):
            messages = errors.setdefault(path, [])
            if message not in messages:
                messages.append(message)
    if errors:
        raise ValidationError(dict(sorted(errors.items())))
    return data


def _describe(violation: SchemaViolation) -> Iterable[tuple[str, str]]:
    """Turn one violation into (path, message) pairs in the words ``ua.load`` uses."""
    path = tuple(violation.absolute_path)
    instance, expected = violation.instance, _expected(violation)
    if violation.validator == "required" and isinstance(instance, Mapping):
        return [(join((*path, name)), "Missing data for required field.")
                for name in expected if name not in instance]
    if violation.validator == "additionalProperties" and isinstance(instance, Mapping):
        allowed = _rule_schema(violation).get("properties", {})
        return [(join((*path, name)), "Unknown field.") for name in instance
                if name not in allowed]
    return [(join(path), _message(violation))]


def _message(violation: SchemaViolation) -> str:
    rule, expected = violation.validator, _expected(violation)
    if rule == "type":
        kinds = [expected] if isinstance(expected, str) else list(expected)
        return "must be " + " or ".join("a JSON " + k for k in kinds)
    if rule == "pattern":
        return "is not in the expected form"
    if rule == "format":
        return f"is not a valid {expected}"
    if rule in ("anyOf", "oneOf", "not"):
        described = _rule_schema(violation).get("description")
        rule_text = str(described).replace("``", "") if described else f"{rule} of the schema"
        return "does not meet the rule: " + rule_text
    return violation.message


def _expected(violation: SchemaViolation) -> Any:
    return violation.validator_value


def _rule_schema(violation: SchemaViolation) -> Mapping[str, Any]:
    schema = violation.schema
    return schema if isinstance(schema, Mapping) else {}
