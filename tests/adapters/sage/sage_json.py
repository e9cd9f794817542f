"""Sage v3.1 records shaped like real answers, written for these tests.

Amounts are strings, relations are ``{id, displayed_as, $path}`` references, and every record
carries fields the mappers do not know, so the tests prove those are tolerated. Each builder
returns a fresh record decoded by ``json_values.loads`` (the way the transport decodes bodies).
"""

from __future__ import annotations

import json
from typing import Any

from unified_accounting_sage.json_values import loads

CONTACT_ID = "0b9c1f2e3d4c5b6a79881726354433e1"
INVOICE_ID = "7225a1b2c3d4e5f60718293a4b5c6de2"
LEDGER_SALES_ID = "c2340f1e2d3c4b5a69788796a5b4c3e3"
BANK_ACCOUNT_ID = "65ce1234abcd5678ef901234abcd56dd"


def ref(kind: str, ident: str, shown: str) -> dict[str, str]:
    """A Sage reference object."""
    return {"id": ident, "displayed_as": shown, "$path": f"/{kind}/{ident}"}


def _wire(record: dict[str, Any]) -> Any:
    return loads(json.dumps(record))


def contact() -> Any:
    """A UK customer with both addresses, a main person and bank details."""
    return _wire({
        "id": CONTACT_ID,
        "displayed_as": "Acme Ltd (ACME001)",
        "$path": f"/contacts/{CONTACT_ID}",
        "created_at": "2025-03-01T09:15:00Z",
        "updated_at": "2025-03-02T10:00:00Z",
        "deleted_at": None,
        "links": [{"href": "https://example.invalid/c", "rel": "alternate", "type": "text/html"}],
        "balance": "-430035.84",
        "contact_types": [ref("contact_types", "CUSTOMER", "Customer")],
        "name": "Acme Ltd",
        "reference": "ACME001",
        "default_sales_ledger_account": ref("ledger_accounts", LEDGER_SALES_ID,
                                            "Sales - Products (4000)"),
        "default_sales_tax_rate": ref("tax_rates", "GB_STANDARD", "Standard 20.00%"),
        "default_purchase_ledger_account": None,
        "tax_number": "GB123456789",
        "notes": "Key account",
        "locale": "en",
        "main_address": {
            "id": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
            "address_type": ref("address_types", "ACCOUNTS", "Accounts"),
            "address_line_1": "1 High St",
            "address_line_2": "Floor 2",
            "city": "Leeds",
            "postal_code": "LS1 1AA",
            "region": "West Yorkshire",
            "country": ref("countries", "GB", "United Kingdom (GB)"),
            "country_group": ref("country_groups", "GBIE", "UK and Ireland"),
            "is_main_address": True,
        },
        "delivery_address": {
            "id": "d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2",
            "address_line_1": "Unit 5, Dock Rd",
            "city": "Hull",
            "postal_code": "HU1 2AB",
            "country": ref("countries", "GB", "United Kingdom (GB)"),
        },
        "main_contact_person": {
            "id": "e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3",
            "displayed_as": "Jo Bloggs",
            "contact_person_types": [ref("contact_person_types", "ACCOUNTS", "Accounts")],
            "name": "Jo Bloggs",
            "job_title": "Finance lead",
            "telephone": "0113 496 0000",
            "mobile": "07700 900000",
            "email": "jo@acme.test",
            "is_main_contact": True,
            "is_preferred_contact": False,
            "address": ref("addresses", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "1 High St"),
        },
        "bank_account_details": {
            "account_name": "Acme Ltd",
            "account_number": "12345678",
            "sort_code": "010203",
            "bic": None,
            "iban": None,
        },
        "credit_limit": "5000.0",
        "credit_days": 30,
        "credit_terms": "date_from_invoice",
        "currency": ref("currencies", "GBP", "Pound Sterling (GBP)"),
        "email": "jo@acme.test",
        "deletable": True,
        "system": False,
        "is_active": True,
        "gdpr_obfuscated": False,
        "ni_based": False,
        "gb_based": True,
        "tax_treatment": {"home_tax": True, "eu_tax_registered": False},
        "a_future_sage_field": {"nested": ["kept", "out"]},
    })


def sales_invoice() -> Any:
    """A part-paid UK sales invoice with two lines."""
    return _wire({
        "id": INVOICE_ID,
        "displayed_as": "SI-12",
        "$path": f"/sales_invoices/{INVOICE_ID}",
        "created_at": "2025-03-01T12:00:00Z",
        "updated_at": "2025-03-10T08:30:00+00:00",
        "transaction_type": ref("transaction_types", "SALES_INVOICE", "Sales Invoice"),
        "contact": ref("contacts", CONTACT_ID, "Acme Ltd (ACME001)"),
        "invoice_number": "SI-12",
        "contact_name": "Acme Ltd",
        "date": "2025-03-01",
        "due_date": "2025-03-31",
        "reference": "PO-77",
        "notes": "Thank you",
        "net_amount": "250.00",
        "tax_amount": "50.00",
        "total_amount": "300.00",
        "total_paid": "100.00",
        "outstanding_amount": "200.00",
        "currency": ref("currencies", "GBP", "Pound Sterling (GBP)"),
        "exchange_rate": "1.0",
        "status": ref("artefact_statuses", "PART_PAID", "Part Paid"),
        "sent": True,
        "editable": False,
        "invoice_lines": [
            {
                "id": "l1",
                "displayed_as": "Consulting",
                "description": "Consulting",
                "ledger_account": ref("ledger_accounts", LEDGER_SALES_ID,
                                      "Sales - Products (4000)"),
                "quantity": "2.0",
                "unit_price": "100.0",
                "net_amount": "200.00",
                "tax_rate": ref("tax_rates", "GB_STANDARD", "Standard 20.00%"),
                "tax_amount": "40.00",
                "total_amount": "240.00",
                "discount_amount": "0.0",
                "unit_price_includes_tax": False,
                "tax_breakdown": [{"tax_rate": ref("tax_rates", "GB_STANDARD", "Standard"),
                                   "percentage": "20.0", "amount": "40.00"}],
            },
            {
                "id": "l2",
                "description": "Travel",
                "ledger_account": ref("ledger_accounts", LEDGER_SALES_ID,
                                      "Sales - Products (4000)"),
                "quantity": "1.0",
                "unit_price": "50.0",
                "net_amount": "50.00",
                "tax_rate": ref("tax_rates", "GB_STANDARD", "Standard 20.00%"),
                "tax_amount": "10.00",
                "total_amount": "60.00",
                "unit_price_includes_tax": False,
                "product": None,
            },
        ],
        "tax_analysis": [{"tax_rate": ref("tax_rates", "GB_STANDARD", "Standard"),
                          "net_amount": "250.00", "tax_amount": "50.00"}],
        "a_future_sage_field": 7,
    })


def purchase_invoice() -> Any:
    """An unpaid purchase invoice from a supplier, amounts sent as JSON numbers."""
    text = (
        '{"id": "pi1", "$path": "/purchase_invoices/pi1",'
        ' "transaction_type": {"id": "PURCHASE_INVOICE", "displayed_as": "Purchase Invoice",'
        ' "$path": "/transaction_types/PURCHASE_INVOICE"},'
        ' "contact": {"id": "v1", "displayed_as": "Paper Co (PAP01)", "$path": "/contacts/v1"},'
        ' "vendor_reference": "INV-9981", "reference": "Paper", "date": "2025-02-10",'
        ' "due_date": "2025-03-12", "status": {"id": "UNPAID", "displayed_as": "Unpaid"},'
        ' "net_amount": 80.10, "tax_amount": 16.02, "total_amount": 96.12,'
        ' "total_paid": 0, "outstanding_amount": 96.12,'
        ' "invoice_lines": [{"description": "A4 paper", "quantity": 3,'
        ' "unit_price": 26.70, "net_amount": 80.10, "tax_amount": 16.02, "total_amount": 96.12,'
        ' "ledger_account": {"id": "la5000", "displayed_as": "Cost of Sales - Goods (5000)"},'
        ' "tax_rate": {"id": "GB_STANDARD"}, "tax_recoverable": true}],'
        ' "postponed_accounting": false}'
    )
    return loads(text)


def contact_payment() -> Any:
    """A customer receipt allocated to one invoice."""
    return _wire({
        "id": "cp1",
        "displayed_as": "RCPT-1",
        "$path": "/contact_payments/cp1",
        "created_at": "2025-03-15T16:00:00Z",
        "updated_at": "2025-03-15T16:00:00Z",
        "transaction": ref("transactions", "t1", "RCPT-1"),
        "transaction_type": ref("transaction_types", "CUSTOMER_RECEIPT", "Customer Receipt"),
        "payment_method": ref("payment_methods", "BANK_TRANSFER", "Bank Transfer"),
        "contact": ref("contacts", CONTACT_ID, "Acme Ltd (ACME001)"),
        "bank_account": ref("bank_accounts", BANK_ACCOUNT_ID, "Current (1200)"),
        "date": "2025-03-15",
        "net_amount": "100.00",
        "tax_amount": "0.00",
        "total_amount": "100.00",
        "currency": ref("currencies", "GBP", "Pound Sterling (GBP)"),
        "exchange_rate": "1.0",
        "reference": "RCPT-1",
        "allocated_artefacts": [
            {
                "id": "aa1",
                "artefact": {**ref("sales_invoices", INVOICE_ID, "SI-12"), "links": []},
                "amount": "100.00",
                "discount": "0.00",
            }
        ],
        "editable": True,
        "payment_on_account": None,
        "deleted_at": None,
    })


def journal() -> Any:
    """A payroll journal: one debit, two credits, both sides on every line."""
    def line(account: str, code: str, debit: str, credit: str, details: str) -> dict[str, Any]:
        return {
            "id": f"jl-{code}",
            "ledger_account": {**ref("ledger_accounts", account, f"{details} ({code})"),
                               "nominal_code": int(code)},
            "details": details,
            "debit": debit,
            "credit": credit,
            "include_on_tax_return": False,
            "cleared": False,
        }

    return _wire({
        "id": "j1",
        "displayed_as": "PAY-03",
        "$path": "/journals/j1",
        "created_at": "2025-03-31T18:00:00Z",
        "updated_at": "2025-03-31T18:00:00Z",
        "transaction_type": ref("transaction_types", "JOURNAL", "Journal"),
        "date": "2025-03-31",
        "reference": "PAY-03",
        "description": "March payroll",
        "total": "5000.00",
        "journal_lines": [
            line("la7000", "7000", "5000.00", "0.00", "Gross wages"),
            line("la2210", "2210", "0.00", "1200.50", "PAYE"),
            line("la2220", "2220", "0.00", "3799.50", "Net wages"),
        ],
        "migrated": False,
    })


def ledger_account(type_id: str = "SALES", code: int = 4000, name: str = "Sales - Products",
                   ident: str = LEDGER_SALES_ID, included: bool = True) -> Any:
    """A ledger account of the given Sage type."""
    return _wire({
        "id": ident,
        "displayed_as": f"{name} ({code})",
        "$path": f"/ledger_accounts/{ident}",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2024-06-01T00:00:00Z",
        "ledger_account_group": {"id": "INCOME", "displayed_as": "Income"},
        "name": name,
        "display_name": name,
        "visible_scopes": ["sales", "reporting"],
        "included_in_chart": included,
        "nominal_code": code,
        "ledger_account_type": ref("ledger_account_types", type_id, type_id.title()),
        "ledger_account_classification": None,
        "tax_rate": ref("tax_rates", "GB_STANDARD", "Standard 20.00%"),
        "is_control_account": False,
        "display_formatted": f"{code} - {name}",
    })


def tax_rate(ident: str, name: str, percentage: str, *, visible: bool = True,
             agency: str | None = None, **extra: Any) -> dict[str, Any]:
    """A tax rate record as ``GET /tax_rates?attributes=all`` returns it."""
    return _wire({
        "id": ident,
        "displayed_as": f"{name} {percentage}%",
        "$path": f"/tax_rates/{ident}",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "name": name,
        "agency": agency,
        "percentage": percentage,
        "percentages": [{"percentage": percentage, "from_date": "2011-01-04", "to_date": None}],
        "is_visible": visible,
        "retailer": False,
        "editable": False,
        "deletable": False,
        "is_combined_rate": False,
        **extra,
    })


def business() -> Any:
    """A business as the user-accounts service lists it."""
    return _wire({
        "id": "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0",
        "displayed_as": "Acme Trading",
        "created_at": "2019-05-05T05:05:05Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "name": "Acme Trading",
        "address_line_1": "1 High St",
        "city": "Leeds",
        "country": {"id": "GB", "displayed_as": "United Kingdom (GB)"},
        "is_demo": False,
        "ni_based": False,
        "subscriptions": [{"id": "s1", "displayed_as": "Accounting", "active": True,
                           "status": "active"}],
    })
