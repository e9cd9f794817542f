"""Sage's published string-length limits and required fields, checked before a request.

The limits are the ``maxLength`` values of Sage's v3.1 API description (they are declared on
the response definitions and enforced on writes). Lengths count characters. Where Sage's text
gives a conditional limit (a payment reference may be 25 or 40 characters), the stricter one
is used, so that a body that passes here is never refused for its length.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting_sage.field_paths import unified_path

__all__ = ["MAX_LENGTHS", "REQUIRED", "check_lengths", "check_required"]

_ADDRESS_LIMITS = {
    "address_line_1": 50,
    "address_line_2": 50,
    "city": 50,
    "postal_code": 10,
    "region": 50,
    "name": 50,
}
_PERSON_LIMITS = {
    "name": 50,
    "job_title": 50,
    "telephone": 50,
    "mobile": 50,
    "fax": 50,
    "email": 100,
}


def _nested(prefix: str, limits: Mapping[str, int]) -> dict[str, int]:
    return {f"{prefix}.{name}": limit for name, limit in limits.items()}


_INVOICE_COMMON = {
    "contact_name": 255,
    "contact_reference": 255,
    "reference": 25,
    "notes": 2000,
}

_ITEM_LIMITS = {
    "item_code": 255,
    "description": 255,
    "notes": 500,
    "source_guid": 255,
    "purchase_description": 250,
}

MAX_LENGTHS: Mapping[str, Mapping[str, int]] = {
    "contact": {
        "name": 100,
        "reference": 10,
        "tax_number": 255,
        "notes": 4000,
        "locale": 10,
        "credit_terms_and_conditions": 2000,
        "source_guid": 255,
        "aux_reference": 4,
        "registered_number": 25,
        "auxiliary_account": 25,
        **_nested("main_address", _ADDRESS_LIMITS),
        **_nested("delivery_address", _ADDRESS_LIMITS),
        **_nested("main_contact_person", _PERSON_LIMITS),
    },
    "contact_person": dict(_PERSON_LIMITS),
    "sales_invoice": {
        **_INVOICE_COMMON,
        "invoice_number_prefix": 6,
        "terms_and_conditions": 2000,
        "main_address_free_form": 500,
        "delivery_address_free_form": 500,
        "void_reason": 200,
        "delivery_performance_date": 40,
    },
    "purchase_invoice": {**_INVOICE_COMMON, "vendor_reference": 31, "void_reason": 255},
    "contact_payment": {"reference": 25},
    "journal": {"reference": 255, "description": 200},
    "ledger_account": {"name": 200, "display_name": 200, "control_name": 255},
    "address": dict(_ADDRESS_LIMITS),
    "sales_credit_note": {
        **_INVOICE_COMMON,
        "credit_note_number_prefix": 6,
        "main_address_free_form": 500,
        "delivery_address_free_form": 500,
        "void_reason": 200,
    },
    "purchase_credit_note": {**_INVOICE_COMMON, "vendor_reference": 31, "void_reason": 255},
    "product": dict(_ITEM_LIMITS),
    "service": dict(_ITEM_LIMITS),
}

REQUIRED: Mapping[str, tuple[str, ...]] = {
    "contact": ("name", "contact_type_ids"),
    "contact_person": ("address_id", "name", "contact_person_type_ids"),
    "sales_invoice": (
        "contact_id",
        "date",
        "invoice_lines",
        "invoice_lines.*.description",
        "invoice_lines.*.ledger_account_id",
        "invoice_lines.*.unit_price",
    ),
    "purchase_invoice": (
        "contact_id",
        "date",
        "due_date",
        "invoice_lines",
        "invoice_lines.*.description",
        "invoice_lines.*.ledger_account_id",
        "invoice_lines.*.quantity",
        "invoice_lines.*.unit_price",
    ),
    "contact_payment": (
        "transaction_type_id",
        "contact_id",
        "bank_account_id",
        "date",
        "total_amount",
    ),
    "journal": (
        "date",
        "reference",
        "journal_lines",
        "journal_lines.*.ledger_account_id",
        "journal_lines.*.debit",
        "journal_lines.*.credit",
    ),
    "ledger_account": (
        "ledger_account_type_id",
        "included_in_chart",
        "name",
        "display_name",
        "nominal_code",
    ),
    "tax_rate": ("name",),
    "sales_credit_note": (
        "contact_id",
        "date",
        "credit_note_lines",
        "credit_note_lines.*.description",
        "credit_note_lines.*.ledger_account_id",
        "credit_note_lines.*.unit_price",
    ),
    "purchase_credit_note": (
        "contact_id",
        "date",
        "credit_note_lines",
        "credit_note_lines.*.description",
        "credit_note_lines.*.ledger_account_id",
        "credit_note_lines.*.quantity",
        "credit_note_lines.*.unit_price",
    ),
    "product": ("description", "sales_ledger_account_id", "purchase_ledger_account_id"),
    "service": ("description", "sales_ledger_account_id"),
    "contact_allocation": ("transaction_type_id", "contact_id", "allocated_artefacts"),
}


def _walk(body: Any, pattern: list[str], found: list[str]) -> Iterator[tuple[str, Any, bool]]:
    """Yield (concrete path, value, present) for every place ``pattern`` names in ``body``."""
    if not pattern:
        yield ".".join(found), body, True
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(body, list):
            for index, item in enumerate(body):
                yield from _walk(item, rest, [*found, str(index)])
        return
    if not isinstance(body, Mapping):
        return
    if head not in body:
        # A missing list is reported once, not once more for each field of its items.
        if "*" not in rest:
            yield ".".join([*found, head, *rest]), None, False
        return
    yield from _walk(body[head], rest, [*found, head])


def _target(resource: str, sage_path: str) -> str:
    return unified_path(resource, sage_path) or sage_path


def check_lengths(resource: str, body: Mapping[str, Any]) -> None:
    """Refuse strings longer than Sage accepts, naming every unified field at once.

    Args:
        resource: the wrapper key (``"contact"``, ``"sales_invoice"``, ...).
        body: the inner request body (without the wrapper).

    Raises:
        ValidationError: one or more strings are too long; ``errors`` maps unified field paths
            (or the Sage path where no unified field exists) to messages.
    """
    errors: dict[str, list[str]] = {}
    for parts, limit in _length_patterns(resource):
        if "*" in parts:
            found = [(path, value) for path, value, present in _walk(body, list(parts), [])
                     if present]
        else:
            # Most fields are short or absent: build the path only for a value too long.
            value = _lookup(body, parts)
            found = [(".".join(parts), value)] if isinstance(value, str) and \
                len(value) > limit else []
        for path, value in found:
            if isinstance(value, str) and len(value) > limit:
                errors.setdefault(_target(resource, path), []).append(
                    f"at most {limit} characters in Sage (got {len(value)})"
                )
    if errors:
        raise ValidationError(errors, provider="sage")


@cache
def _length_patterns(resource: str) -> tuple[tuple[tuple[str, ...], int], ...]:
    # Split once: every write body is checked, so this runs once per record sent.
    return tuple((tuple(pattern.split(".")), limit)
                 for pattern, limit in MAX_LENGTHS.get(resource, {}).items())


def _lookup(body: Any, parts: tuple[str, ...]) -> Any:
    """Return the value at a path without wildcards, or ``None`` when it is absent."""
    for part in parts:
        # ``dict`` first: bodies are dicts, and that check is far cheaper than ``Mapping``.
        if not isinstance(body, dict | Mapping):
            return None
        body = body.get(part)
    return body


def check_required(resource: str, body: Mapping[str, Any]) -> None:
    """Refuse a create body that lacks a field Sage requires.

    Args:
        resource: the wrapper key.
        body: the inner request body.

    Raises:
        ValidationError: required fields are missing or empty.
    """
    errors: dict[str, list[str]] = {}
    for pattern in REQUIRED.get(resource, ()):
        for path, value, present in _walk(body, pattern.split("."), []):
            if not present or value is None or value == "" or value == []:
                errors.setdefault(_target(resource, path), []).append("required by Sage")
    if errors:
        raise ValidationError(errors, provider="sage")
