from __future__ import annotations

import pytest
from unified_accounting_sage.field_limits import MAX_LENGTHS, check_lengths, check_required

from unified_accounting.errors import ValidationError


@pytest.mark.parametrize(
    ("resource", "field", "limit"),
    [
        ("contact", "name", 100),
        ("contact", "reference", 10),
        ("contact", "tax_number", 255),
        ("contact", "notes", 4000),
        ("contact_person", "email", 100),
        ("sales_invoice", "reference", 25),
        ("sales_invoice", "notes", 2000),
        ("sales_invoice", "void_reason", 200),
        ("purchase_invoice", "vendor_reference", 31),
        ("purchase_invoice", "void_reason", 255),
        ("contact_payment", "reference", 25),
        ("journal", "reference", 255),
        ("journal", "description", 200),
        ("ledger_account", "name", 200),
    ],
)
def test_published_limits(resource: str, field: str, limit: int) -> None:
    assert MAX_LENGTHS[resource][field] == limit
    check_lengths(resource, {field: "x" * limit})
    with pytest.raises(ValidationError) as caught:
        check_lengths(resource, {field: "x" * (limit + 1)})
    assert caught.value.errors == {
        _unified(resource, field): [f"at most {limit} characters in Sage (got {limit + 1})"]}


def _unified(resource: str, field: str) -> str:
    return {("purchase_invoice", "vendor_reference"): "number"}.get((resource, field), field)


def test_every_failing_field_is_reported_at_once() -> None:
    body = {"name": "n" * 101, "reference": "r" * 11,
            "main_address": {"postal_code": "p" * 11, "city": "ok"},
            "delivery_address": {"address_line_1": "a" * 51},
            "main_contact_person": {"email": "e" * 101}}
    with pytest.raises(ValidationError) as caught:
        check_lengths("contact", body)
    assert set(caught.value.errors) == {
        "name", "reference", "addresses[billing].postal_code", "addresses[shipping].line1",
        "email"}


def test_lengths_count_characters_not_bytes() -> None:
    check_lengths("contact", {"reference": "ÉÉÉÉÉÉÉÉÉÉ"})


def test_non_strings_and_unknown_fields_are_ignored() -> None:
    check_lengths("contact", {"name": None, "credit_days": 12345678901, "new_field": "x" * 9999})
    check_lengths("unknown_resource", {"name": "x" * 9999})


def test_required_fields_per_line() -> None:
    body = {"contact_id": "c", "date": "2025-01-01",
            "invoice_lines": [{"description": "d", "ledger_account_id": "a", "unit_price": "1"},
                              {"description": "", "unit_price": "1"}]}
    with pytest.raises(ValidationError) as caught:
        check_required("sales_invoice", body)
    assert set(caught.value.errors) == {"lines[1].description", "lines[1].account_id"}


def test_a_missing_list_is_reported_once() -> None:
    with pytest.raises(ValidationError) as caught:
        check_required("journal", {"date": "2025-01-01", "reference": "r"})
    assert caught.value.errors == {"lines": ["required by Sage"]}
