from __future__ import annotations

import json

import pytest
from unified_accounting_sage.errors import error_from_response, parse_error_body
from unified_accounting_sage.field_paths import unified_path

from unified_accounting.errors import (
    AccountingError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    ValidationError,
)


def _body(*items: tuple[str, str, str]) -> bytes:
    return json.dumps([
        {"$severity": "error", "$dataCode": code, "$message": message, "$source": source}
        for code, message, source in items
    ]).encode()


def test_field_errors_map_back_to_unified_paths() -> None:
    body = _body(("RecordInvalid", "can't be blank", "invoice_lines.0.ledger_account_id"),
                 ("RecordInvalid", "is invalid", "invoice_lines.2.tax_rate_id"),
                 ("RecordInvalid", "must be after the date", "due_date"))
    err = error_from_response(422, body, resource="sales_invoice", request_id="req-9")
    assert isinstance(err, ValidationError)
    assert err.errors == {
        "lines[0].account_id": ["can't be blank"],
        "lines[2].tax_rate_id": ["is invalid"],
        "due_date": ["must be after the date"],
    }
    assert (err.status, err.code, err.request_id, err.provider) == (
        422, "RecordInvalid", "req-9", "sage")
    assert "lines[0].account_id: can't be blank" in err.message


@pytest.mark.parametrize(
    ("resource", "source", "expected"),
    [
        ("sales_invoice", "invoice_lines[1].unit_price", "lines[1].unit_price"),
        ("sales_invoice", "sales_invoice.invoice_lines.0.description", "lines[0].description"),
        ("sales_invoice", "invoice_lines.tax_rate_id", "lines.tax_rate_id"),
        ("sales_invoice", "invoice_lines.0.ledger_account", "lines[0].account_id"),
        ("purchase_invoice", "vendor_reference", "number"),
        ("sales_invoice", "invoice_number", "number"),
        ("contact", "main_contact_person.email", "email"),
        ("contact", "main_address.postal_code", "addresses[billing].postal_code"),
        ("contact", "delivery_address.address_line_1", "addresses[shipping].line1"),
        ("contact", "contact_type_ids", "is_customer"),
        ("contact_payment", "allocated_artefacts.0.artefact_id", "allocations[0].invoice_id"),
        ("contact_payment", "total_amount", "amount"),
        ("journal", "journal_lines.1.debit", "lines[1].debit"),
        ("journal", "journal_lines.1.details", "lines[1].description"),
        ("ledger_account", "nominal_code", "code"),
        ("ledger_account", "ledger_account_type_id", "type"),
        ("contact_person", "telephone", "phone"),
    ],
)
def test_path_tables(resource: str, source: str, expected: str) -> None:
    assert unified_path(resource, source) == expected


def test_unmapped_sources_keep_the_sage_path() -> None:
    err = error_from_response(422, _body(("RecordInvalid", "is not valid", "tax_treatment.x")),
                              resource="contact")
    assert isinstance(err, ValidationError)
    assert err.errors == {"tax_treatment.x": ["is not valid"]}


def test_base_and_empty_sources_are_filed_under_schema() -> None:
    body = _body(("RecordInvalid", "Journal must balance", "base"),
                 ("RecordInvalid", "Something else", ""))
    err = error_from_response(422, body, resource="journal")
    assert isinstance(err, ValidationError)
    assert err.errors == {"_schema": ["Journal must balance", "Something else"]}


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "AuthorizationFailure", AuthenticationError),
        (403, "MultiUserAccessDenied", PermissionDeniedError),
        (404, "RecordNotFound", NotFoundError),
        (409, "Conflict", ConflictError),
        (422, "IdempotencyResourceMismatch", ConflictError),
        (429, "TooManyRequests", RateLimitError),
        (500, "UnexpectedError", ProviderUnavailableError),
        (503, "ServiceUnavailable", ProviderUnavailableError),
        (418, "Teapot", ProviderError),
    ],
)
def test_status_and_code_pick_the_class(status: int, code: str,
                                        expected: type[AccountingError]) -> None:
    err = error_from_response(status, _body((code, "message text", "")))
    assert type(err) is expected
    assert (err.status, err.code) == (status, code)
    assert err.message == "Sage: message text"


def test_rate_limit_carries_retry_after() -> None:
    err = error_from_response(429, b"", retry_after=12.0)
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 12.0


def test_non_validation_errors_keep_field_paths() -> None:
    err = error_from_response(404, _body(("RecordNotFound", "not found", "contact_id")),
                              resource="sales_invoice")
    assert isinstance(err, NotFoundError)
    assert err.field_errors == {"contact_id": ["not found"]}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"", "an empty body"),
        (b"<html><body>Bad gateway " + b"x" * 5000 + b"</body></html>", "an HTML page"),
        (b"upstream connect error", "not JSON"),
        (b'{"unexpected": true}', "unexpected JSON dict"),
        (b"[]", "no error details"),
        (b"\xff\xfe garbage", "not JSON"),
    ],
)
def test_odd_bodies_give_a_clear_message_without_the_body(body: bytes, fragment: str) -> None:
    err = error_from_response(502, body)
    assert isinstance(err, ProviderUnavailableError)
    assert fragment in err.message
    assert "Bad gateway" not in err.message
    assert "upstream" not in err.message
    assert len(err.message) < 120


def test_odd_validation_body_still_raises_validation_error() -> None:
    err = error_from_response(422, b"not json")
    assert isinstance(err, ValidationError)
    assert err.errors == {}


def test_oauth_style_error_objects_are_understood() -> None:
    err = error_from_response(400, b'{"error": "invalid_grant", "error_description": "expired"}')
    assert isinstance(err, ValidationError)
    assert (err.code, err.message) == ("invalid_grant", "Sage: expired")


def test_long_messages_and_many_items_are_capped() -> None:
    items = [("RecordInvalid", "m" * 1000, f"field_{i}") for i in range(80)]
    err = error_from_response(422, _body(*items), resource="contact")
    assert isinstance(err, ValidationError)
    assert len(err.errors) == 50
    assert all(len(msg) <= 300 for msgs in err.errors.values() for msg in msgs)
    assert "(+47 more)" in err.message


def test_a_single_error_object_is_accepted() -> None:
    items, problem = parse_error_body(
        {"$severity": "error", "$dataCode": "RecordInvalid", "$message": "bad", "$source": "name"},
        resource="contact")
    assert problem is None
    assert [(i.code, i.path) for i in items] == [("RecordInvalid", "name")]


def test_only_short_provider_messages_reach_the_error() -> None:
    body = json.dumps([{"$severity": "error", "$dataCode": "RecordInvalid", "$message": "bad",
                        "$source": "name", "$debug": "Authorization: Bearer abc.def"}])
    err = error_from_response(422, body, resource="contact", request_id="r1")
    assert "Bearer" not in err.message
    assert "Bearer" not in repr(err)
    assert "Bearer" not in str(err)
