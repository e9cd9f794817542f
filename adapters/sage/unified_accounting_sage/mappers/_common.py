"""Small pieces every Sage mapper shares."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypedDict

from unified_accounting.errors import ValidationError
from unified_accounting_sage.field_limits import check_lengths, check_required
from unified_accounting_sage.json_values import parse_datetime

#: Turns a unified code (a tax code or an account concept) into a tenant id, raising
#: ``ValidationError`` when it cannot; the provider builds it from cached tenant data.
Resolver = Callable[[str], str]


class Stamps(TypedDict):
    """The two timestamps every unified record carries."""

    created_at: datetime | None
    updated_at: datetime | None


def stamps(raw: Mapping[str, Any]) -> Stamps:
    """Read a Sage record's ``created_at`` and ``updated_at`` (for ``Model(**stamps(raw))``)."""
    return {
        "created_at": parse_datetime(raw.get("created_at")),
        "updated_at": parse_datetime(raw.get("updated_at")),
    }


def objects(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The objects of a list field such as ``invoice_lines``; anything else in it is skipped."""
    return [item for item in raw.get(key) or [] if isinstance(item, Mapping)]


def remote(raw: Mapping[str, Any], include_remote: bool) -> dict[str, Any] | None:
    """Return a deep copy of the raw record when the caller asked for it."""
    return copy.deepcopy(dict(raw)) if include_remote else None


def compact(body: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values: an absent field leaves Sage's value (or default) alone."""
    return {key: value for key, value in body.items() if value is not None}


def merge(body: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge provider-specific Sage fields into a body; nested objects merge, the rest replace.

    Args:
        body: the body the mapper built (modified in place and returned).
        extra: Sage fields given by the caller (``provider_fields``), or ``None``.
    """
    for key, value in (extra or {}).items():
        current = body.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merge(current, value)
        else:
            body[key] = copy.deepcopy(value)
    return body


def finish(resource: str, body: dict[str, Any], extra: Mapping[str, Any] | None,
           partial: bool) -> dict[str, Any]:
    """Merge ``provider_fields``, then check required fields (creates only) and lengths."""
    merge(body, extra)
    if not partial:
        check_required(resource, body)
    check_lengths(resource, body)
    return body


def reraise_at(err: ValidationError, path: str) -> ValidationError:
    """Return a copy of ``err`` with all its messages filed under one field ``path``."""
    messages = [msg for msgs in err.errors.values() for msg in msgs] or [err.message]
    return ValidationError({path: messages}, status=err.status, code=err.code,
                           provider=err.provider)


def rename_paths(err: ValidationError, renames: Mapping[str, str]) -> ValidationError:
    """Return a copy of ``err`` with path prefixes replaced (``addresses[billing]`` -> ``[0]``)."""
    errors: dict[str, list[str]] = {}
    for path, msgs in err.errors.items():
        for old, new in renames.items():
            if path == old or path.startswith(old + "."):
                path = new + path[len(old):]
                break
        errors.setdefault(path, []).extend(msgs)
    return ValidationError(errors, status=err.status, code=err.code, provider=err.provider)


def refuse(path: str, message: str) -> ValidationError:
    """Build a one-field ValidationError for input the mapper cannot send to Sage."""
    return ValidationError({path: [message]}, provider="sage")


def resolve_code(value: str | None, code: str | None, resolver: Resolver | None,
                 path: str, what: str) -> str | None:
    """Return ``value``, else the id ``resolver`` gives for ``code``.

    Raises:
        ValidationError: at ``path`` when a code is given without a resolver, or the resolver
            refuses it.
    """
    if value is not None or code is None:
        return value
    if resolver is None:
        raise refuse(path, f"{what} {code!r} needs resolving to a Sage id; none was given")
    try:
        return resolver(code)
    except ValidationError as err:
        raise reraise_at(err, path) from None
