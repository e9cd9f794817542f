"""Sage request-body field paths and the unified field paths they come from.

One table per Sage resource (named by its write wrapper key, e.g. ``sales_invoice``). Sage
paths are dotted, with ``*`` standing for a list index; unified paths use ``[*]``. Both the
local length checks and the translation of Sage's error ``$source`` use these tables, so an
error always names the field the caller set.

Contact addresses are keyed by role rather than position (``addresses[billing].line1``)
because Sage keeps one main and one delivery address; the contact mapper rewrites them to
list positions when it has the caller's model at hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["FIELD_PATHS", "split_path", "unified_path"]

_ADDRESS = {
    "address_line_1": "line1",
    "address_line_2": "line2",
    "city": "city",
    "region": "region",
    "postal_code": "postal_code",
    "country_id": "country",
}


def _address_paths(sage_prefix: str, unified_prefix: str) -> dict[str, str]:
    paths = {f"{sage_prefix}.{sage}": f"{unified_prefix}.{ours}" for sage, ours in _ADDRESS.items()}
    paths[sage_prefix] = unified_prefix
    return paths


_CONTACT: dict[str, str] = {
    "name": "name",
    "reference": "reference",
    "contact_type_ids": "is_customer",
    "tax_number": "tax_number",
    "notes": "notes",
    "currency_id": "currency",
    "credit_limit": "credit_limit",
    "credit_days": "credit_days",
    "default_sales_ledger_account_id": "default_sales_account_id",
    "default_purchase_ledger_account_id": "default_purchase_account_id",
    "default_sales_tax_rate_id": "default_tax_rate_id",
    "main_contact_person.email": "email",
    "main_contact_person.telephone": "phone",
    "main_contact_person.name": "contact_persons[main].name",
    "main_contact_person.mobile": "contact_persons[main].mobile",
    "main_contact_person.job_title": "contact_persons[main].job_title",
    "main_contact_person": "contact_persons[main]",
    "email": "email",
    "bank_account_details": "bank_details",
    **{
        f"bank_account_details.{name}": f"bank_details.{name}"
        for name in ("account_name", "account_number", "sort_code", "iban", "bic")
    },
    **_address_paths("main_address", "addresses[billing]"),
    **_address_paths("delivery_address", "addresses[shipping]"),
}

_CONTACT_PERSON: dict[str, str] = {
    "name": "name",
    "email": "email",
    "telephone": "phone",
    "mobile": "mobile",
    "job_title": "job_title",
    "is_main_contact": "is_main",
}

_LINE = {
    "description": "description",
    "ledger_account_id": "account_id",
    "tax_rate_id": "tax_rate_id",
    "quantity": "quantity",
    "unit_price": "unit_price",
    "discount_amount": "discount_amount",
    "net_amount": "net_amount",
    "tax_amount": "tax_amount",
    "total_amount": "total_amount",
    "unit_price_includes_tax": "tax_inclusive",
    "product_id": "item_id",
    "service_id": "item_id",
}


def _invoice_paths(number_field: str, lines: str = "invoice_lines") -> dict[str, str]:
    paths = {
        "contact_id": "contact_id",
        "date": "issue_date",
        "due_date": "due_date",
        "reference": "reference",
        number_field: "number",
        "notes": "notes",
        "currency_id": "currency",
        "exchange_rate": "exchange_rate",
        "status_id": "status",
        "net_amount": "net_amount",
        "tax_amount": "tax_amount",
        "total_amount": "total_amount",
        lines: "lines",
        f"{lines}.*": "lines[*]",
    }
    for sage, ours in _LINE.items():
        # The tax-inclusive flag is per line in Sage but per invoice here.
        target = ours if ours == "tax_inclusive" else f"lines[*].{ours}"
        paths[f"{lines}.*.{sage}"] = target
    return paths


def _credit_note_paths(number_field: str) -> dict[str, str]:
    paths = _invoice_paths(number_field, "credit_note_lines")
    del paths["due_date"]
    paths["original_invoice_date"] = "invoice_id"
    return paths


_ITEM: dict[str, str] = {
    "item_code": "code",
    "description": "description",
    "sales_ledger_account_id": "sales_account_id",
    "purchase_ledger_account_id": "purchase_account_id",
    "sales_tax_rate_id": "sales_tax_rate_id",
    "purchase_tax_rate_id": "purchase_tax_rate_id",
    "cost_price": "purchase_price",
    "active": "is_active",
}

_CONTACT_ALLOCATION: dict[str, str] = {
    "contact_id": "contact_id",
    "date": "allocations[*].date",
    "allocated_artefacts": "allocations",
    "allocated_artefacts.*": "allocations[*]",
    "allocated_artefacts.*.artefact_id": "allocations[*].invoice_id",
    "allocated_artefacts.*.amount": "allocations[*].amount",
}


_PAYMENT: dict[str, str] = {
    "transaction_type_id": "type",
    "contact_id": "contact_id",
    "bank_account_id": "bank_account_id",
    "payment_method_id": "payment_method",
    "date": "date",
    "total_amount": "amount",
    "currency_id": "currency",
    "exchange_rate": "exchange_rate",
    "reference": "reference",
    "allocated_artefacts": "allocations",
    "allocated_artefacts.*": "allocations[*]",
    "allocated_artefacts.*.artefact_id": "allocations[*].invoice_id",
    "allocated_artefacts.*.amount": "allocations[*].amount",
    "allocated_artefacts.*.discount": "allocations[*].discount",
}

_JOURNAL: dict[str, str] = {
    "date": "date",
    "reference": "reference",
    "description": "description",
    "journal_lines": "lines",
    "journal_lines.*": "lines[*]",
    "journal_lines.*.ledger_account_id": "lines[*].account_id",
    "journal_lines.*.details": "lines[*].description",
    "journal_lines.*.debit": "lines[*].debit",
    "journal_lines.*.credit": "lines[*].credit",
}

_LEDGER_ACCOUNT: dict[str, str] = {
    "ledger_account_type_id": "type",
    "nominal_code": "code",
    "name": "name",
    "display_name": "name",
    "included_in_chart": "is_active",
    "tax_rate_id": "tax_rate_id",
}

_TAX_RATE: dict[str, str] = {
    "name": "name",
    "is_visible": "is_active",
    "component_tax_rate.*.percentage": "rate",
    "component_tax_rate.*.name": "name",
}

FIELD_PATHS: Mapping[str, Mapping[str, str]] = {
    "contact": _CONTACT,
    "contact_person": _CONTACT_PERSON,
    "sales_invoice": _invoice_paths("invoice_number"),
    "purchase_invoice": _invoice_paths("vendor_reference"),
    "contact_payment": _PAYMENT,
    "journal": _JOURNAL,
    "ledger_account": _LEDGER_ACCOUNT,
    "tax_rate": _TAX_RATE,
    "business": {"name": "name"},
    "sales_credit_note": _credit_note_paths("credit_note_number"),
    "purchase_credit_note": _credit_note_paths("vendor_reference"),
    "product": {**_ITEM, "sales_prices": "sales_price", "sales_prices.*.price": "sales_price"},
    "service": {**_ITEM, "sales_rates": "sales_price", "sales_rates.*.rate": "sales_price"},
    "contact_allocation": _CONTACT_ALLOCATION,
    "attachment": {"file": "file", "file_size": "file", "file_name": "file_name",
                   "mime_type": "mime_type", "description": "description",
                   "attachment_context_id": "attached_to_id",
                   "attachment_context_type_id": "attached_to_kind"},
}

_TOKEN = re.compile(r"[^.\[\]]+")


def split_path(path: str) -> list[str]:
    """Split ``a.0.b``, ``a[0].b`` or ``a.b`` into its names and indices."""
    return _TOKEN.findall(path)


def unified_path(resource: str, sage_path: str) -> str | None:
    """Translate a Sage body path (or error ``$source``) into the unified field path.

    Accepts dotted or bracketed indices, a leading wrapper name (``sales_invoice.date``), a
    missing index (``invoice_lines.ledger_account_id`` becomes ``lines.account_id``) and a
    reference name without ``_id`` (``invoice_lines.0.ledger_account``).

    Args:
        resource: the wrapper key, e.g. ``"sales_invoice"``.
        sage_path: the Sage path.

    Returns:
        The unified path, or ``None`` when the table has no entry for it.
    """
    table = FIELD_PATHS.get(resource, {})
    tokens = split_path(sage_path)
    if tokens and tokens[0] == resource:
        tokens = tokens[1:]
    if not tokens:
        return None
    indices = [t for t in tokens if t.isdigit()]
    pattern = ".".join("*" if t.isdigit() else t for t in tokens)
    for candidate in (pattern, f"{pattern}_id"):
        template = table.get(candidate) or _NO_INDEX.get(resource, {}).get(candidate)
        if template is not None:
            return _fill(template, indices)
    return None


def _without_indices(table: Mapping[str, str]) -> dict[str, str]:
    return {
        key.replace(".*", ""): value.replace("[*]", "")
        for key, value in table.items()
        if ".*" in key
    }


def _fill(template: str, indices: list[str]) -> str:
    for index in indices:
        if "[*]" not in template:
            break
        template = template.replace("[*]", f"[{index}]", 1)
    return template


# The same tables keyed without list indices, for sources that omit them.
_NO_INDEX: Mapping[str, Mapping[str, str]] = {
    resource: _without_indices(table) for resource, table in FIELD_PATHS.items()
}
