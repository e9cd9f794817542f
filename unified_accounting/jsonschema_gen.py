"""Generate the JSON Schema (2020-12) files of the unified models from the marshmallow schemas.

Usage::

    python -m unified_accounting.jsonschema_gen --write unified_accounting/json_schemas
    python -m unified_accounting.jsonschema_gen --check unified_accounting/json_schemas

``make schemas`` runs the first. The files ship inside the package, where
:mod:`unified_accounting.json_validation` reads them (the repository's ``schemas/`` links
there). They describe the canonical JSON form that ``ua.dump`` writes and ``ua.load`` reads.
A few rules cannot be said in JSON Schema and are checked by ``load`` only (see
docs/models.md): the generator skips exactly the validators listed in
:data:`LOAD_ONLY_VALIDATORS` and refuses any other validator it does not know, so a new rule
cannot silently go missing from the published schemas.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, validate

from unified_accounting.schemas import SCHEMAS, RecordSchema
from unified_accounting.schemas.fields import IbanChecksum, NotBlank, Records

__all__ = [
    "DIALECT",
    "LOAD_ONLY_VALIDATORS",
    "build",
    "build_all",
    "check",
    "main",
    "render",
    "write",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
LOAD_ONLY_VALIDATORS: tuple[type[validate.Validator], ...] = (NotBlank, IbanChecksum)
"""Validators that JSON Schema cannot express; ``load`` alone applies them."""

# Keywords that constrain only strings, numbers or arrays and let ``null`` through, so a
# nullable field can say ``"type": [..., "null"]``; anything else needs an ``anyOf``.
_NULL_TRANSPARENT = {"type", "pattern", "format", "minLength", "maxLength", "minimum", "maximum"}


def build(kind: str) -> dict[str, Any]:
    """Return the JSON Schema document for one record kind (``"contact"``, ...)."""
    schema_cls = SCHEMAS[kind]
    defs: dict[str, Any] = {}
    body = _object(schema_cls(), defs)
    document: dict[str, Any] = {
        "$schema": DIALECT,
        "title": schema_cls.model.__name__,
        "description": _summary(schema_cls.model),
        **body,
    }
    if defs:
        document["$defs"] = dict(sorted(defs.items()))
    return document


def build_all() -> dict[str, str]:
    """Return file name -> file text for every record kind."""
    return {f"{kind}.json": render(build(kind)) for kind in SCHEMAS}


def render(document: dict[str, Any]) -> str:
    """Write a schema document as the committed files are written."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _summary(cls: type[Any]) -> str:
    return (cls.__doc__ or cls.__name__).strip().splitlines()[0]


def _object(schema: Schema, defs: dict[str, Any]) -> dict[str, Any]:
    properties = {name: _property(field, defs) for name, field in schema.fields.items()}
    required = [name for name, field in schema.fields.items() if field.required]
    body: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        body["required"] = required
    body["additionalProperties"] = False
    if isinstance(schema, RecordSchema):
        body.update(schema.json_schema_extra)
    return body


def _ref(schema: Schema, defs: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(schema, RecordSchema):
        raise TypeError(f"nested schema {type(schema).__name__} is not a RecordSchema")
    name = schema.model.__name__
    if name not in defs:
        defs[name] = {}  # reserve the name first: a record may (one day) contain itself
        defs[name] = {"title": name, "description": _summary(schema.model), **_object(schema, defs)}
    return {"$ref": f"#/$defs/{name}"}


def _property(field: fields.Field[Any], defs: dict[str, Any]) -> dict[str, Any]:
    out = _base(field, defs)
    for validator in field.validators:
        _apply(validator, out)
    definition = field.metadata.get("definition")
    if definition:
        # Long shared lists (currencies, countries) are written once under $defs.
        defs.setdefault(definition, {"title": definition, **out})
        out = {"$ref": f"#/$defs/{definition}"}
    if field.allow_none:
        out = _nullable(out)
    description = field.metadata.get("description")
    if description:
        out = {"description": description, **out}
    return out


def _base(field: fields.Field[Any], defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(field, Records):
        array: dict[str, Any] = {"type": "array", "items": _ref(field.schema, defs)}
        if field.min_items:
            array["minItems"] = field.min_items
        return array
    if isinstance(field, fields.Nested):
        return _ref(field.schema, defs)
    if isinstance(field, fields.Dict):
        return {"type": "object"}
    describe = getattr(field, "json_schema", None)
    if describe is None:
        raise TypeError(f"no JSON Schema for field type {type(field).__name__}")
    return dict(describe())


def _apply(validator: Any, out: dict[str, Any]) -> None:
    """Add the JSON Schema keywords that express one marshmallow validator.

    Types are matched exactly: a subclass may mean something else (``ContainsOnly`` is a
    ``OneOf`` for lists) and must be refused rather than published wrongly.
    """
    kind = type(validator)
    if kind is validate.Length:
        if validator.min is not None:
            out["minLength"] = validator.min
        if validator.max is not None:
            out["maxLength"] = validator.max
    elif kind is validate.OneOf:
        out["enum"] = list(validator.choices)
    elif kind is validate.Range:
        if not (validator.min_inclusive and validator.max_inclusive):
            raise TypeError("only inclusive ranges are supported")
        if validator.min is not None:
            out["minimum"] = validator.min
        if validator.max is not None:
            out["maximum"] = validator.max
    elif kind is validate.Regexp:
        out["pattern"] = validator.regex.pattern
    elif kind is validate.Email:
        out["format"] = "email"
    elif kind not in LOAD_ONLY_VALIDATORS:
        raise TypeError(f"no JSON Schema for validator {validator!r}")


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    if "enum" in out and set(out) <= {"type", "enum"}:
        return {"type": [out["type"], "null"], "enum": [*out["enum"], None]}
    if "type" in out and set(out) <= _NULL_TRANSPARENT:
        return {**out, "type": [out["type"], "null"]}
    return {"anyOf": [out, {"type": "null"}]}


def check(directory: Path) -> list[str]:
    """Return the problems found comparing ``directory`` with freshly generated files."""
    expected = build_all()
    problems = []
    for name, text in expected.items():
        path = directory / name
        if not path.exists():
            problems.append(f"{path} is missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path} differs from the generated schema")
    for path in sorted(directory.glob("*.json")):
        if path.name not in expected:
            problems.append(f"{path} is not generated by any schema")
    return problems


def write(directory: Path) -> list[Path]:
    """Write every schema file into ``directory``; remove stale ones. Return written paths."""
    directory.mkdir(parents=True, exist_ok=True)
    expected = build_all()
    for path in directory.glob("*.json"):
        if path.name not in expected:
            path.unlink()
    written = []
    for name, text in expected.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m unified_accounting.jsonschema_gen",
        description="Generate the JSON Schema files of the unified models.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", metavar="DIR", type=Path, help="write the files into DIR")
    action.add_argument("--check", metavar="DIR", type=Path, help="fail if DIR is stale")
    args = parser.parse_args(argv)
    if args.write is not None:
        for path in write(args.write):
            print(f"wrote {path}")
        return 0
    problems = check(args.check)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run `make schemas` to regenerate them", file=sys.stderr)
        return 1
    print(f"{args.check}: all {len(SCHEMAS)} schema files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
