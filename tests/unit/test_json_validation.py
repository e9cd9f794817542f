"""``validate_json``: the published JSON Schemas checked where JSON comes in."""

from __future__ import annotations

from typing import Any

import pytest

import unified_accounting as ua
from unified_accounting.json_validation import schema_for, validate_json


def errors_of(kind: str, document: Any) -> dict[str, list[str]]:
    with pytest.raises(ua.ValidationError) as caught:
        validate_json(kind, document)
    return caught.value.errors


def test_a_valid_document_passes_and_is_returned_unchanged() -> None:
    document = {"name": "Acme Ltd", "is_customer": True, "credit_limit": "1200.00"}
    assert validate_json("contact", document) is document
    assert ua.load("contact", validate_json("contact", document)).name == "Acme Ltd"


def test_errors_name_the_json_path_of_each_failing_value() -> None:
    errors = errors_of("invoice", {
        "type": "sales", "contact_id": "c1", "issue_date": "2025-02-30",
        "lines": [{"description": "Work", "unit_price": 100.5, "colour": "red"}],
    })
    assert errors == {
        "issue_date": ["is not a valid date"],
        "lines[0].colour": ["Unknown field."],
        "lines[0].unit_price": ["must be a JSON string or a JSON null"],
    }


def test_missing_fields_are_reported_at_their_own_path() -> None:
    errors = errors_of("payment", {"type": "customer_receipt"})
    assert errors["contact_id"] == ["Missing data for required field."]
    assert errors["amount"] == ["Missing data for required field."]


def test_rules_across_fields_say_which_rule_failed() -> None:
    errors = errors_of("contact", {"name": "Nobody"})
    assert list(errors) == ["_schema"]
    assert errors["_schema"][0].startswith("does not meet the rule: ")


def test_a_document_that_is_no_object_is_refused_at_the_root() -> None:
    assert errors_of("contact", ["Acme"]) == {"_schema": ["must be a JSON object"]}


def test_every_kind_has_a_schema_and_unknown_kinds_are_named() -> None:
    for kind in ("business", "contact", "contact_person", "invoice", "journal_entry",
                 "ledger_account", "payment", "tax_rate"):
        assert schema_for(kind)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    with pytest.raises(ValueError,
                       match="no JSON Schema for kind 'gadget'; known kinds: attachment, business"):
        validate_json("gadget", {})
