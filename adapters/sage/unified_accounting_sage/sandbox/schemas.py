"""JSON Schemas (2020-12) of the objects inside Sage write wrappers.

Written for this project from the facts of the Sage v3.1 reference: field names, types,
required fields and maximum lengths. Unknown fields are allowed and ignored, as Sage's API
ignores attributes it does not permit. Money may arrive as a JSON number or a numeric string.
Update (PUT) schemas are the create schemas without top-level required fields.
"""

from __future__ import annotations

import copy
from typing import Any

Schema = dict[str, Any]
NUMERIC = r"^\s*-?[0-9]+(\.[0-9]+)?\s*$"


def text(max_length: int | None = None, *, required: bool = False) -> Schema:
    """A string, nullable unless required; required strings may not be empty."""
    schema: Schema = {"type": "string"} if required else {"type": ["string", "null"]}
    if required:
        schema["minLength"] = 1
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def amount() -> Schema:
    """A decimal sent as a JSON number or a numeric string."""
    return {"type": ["number", "string", "null"], "pattern": NUMERIC}


def required_amount() -> Schema:
    """A decimal that must be present."""
    return {"type": ["number", "string"], "pattern": NUMERIC}


def integer(minimum: int | None = None, maximum: int | None = None) -> Schema:
    """A whole number within optional bounds."""
    schema: Schema = {"type": ["integer", "null"]}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def day(*, required: bool = False) -> Schema:
    """A ``YYYY-MM-DD`` date."""
    return {"type": "string" if required else ["string", "null"], "format": "date"}


def flag() -> Schema:
    """A boolean."""
    return {"type": ["boolean", "null"]}


def id_list(*, required: bool = False) -> Schema:
    """A list of ids; a required list may not be empty."""
    schema: Schema = {"type": "array", "items": {"type": "string"}}
    if required:
        schema["minItems"] = 1
    return schema


def obj(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    """An object with the given properties."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def optional(schema: Schema) -> Schema:
    """The same object schema without top-level required fields (for PUT)."""
    result = copy.deepcopy(schema)
    result.pop("required", None)
    for name, prop in result["properties"].items():
        if prop.get("minLength") == 1:
            prop["type"] = ["string", "null"]
        if name.endswith("_ids") or prop.get("minItems"):
            prop.pop("minItems", None)
    return result


ADDRESS = obj(
    {
        "address_line_1": text(50),
        "address_line_2": text(50),
        "city": text(50),
        "postal_code": text(10),
        "region": text(50),
        "country_id": text(),
        "country_group_id": text(),
        "address_type_id": text(),
        "name": text(50),
        "is_main_address": flag(),
    }
)
PERSON_FIELDS: dict[str, Schema] = {
    "name": text(50),
    "job_title": text(50),
    "telephone": text(50),
    "mobile": text(50),
    "email": text(100),
    "fax": text(50),
    "is_main_contact": flag(),
    "is_preferred_contact": flag(),
    "contact_person_type_ids": id_list(),
    "address_id": text(),
}
BANK_DETAILS = obj(
    {
        "account_name": text(),
        "account_number": text(),
        "sort_code": text(),
        "bic": text(),
        "iban": text(),
    }
)
CREDIT_TERMS = [
    "month_end_invoice",
    "date_from_invoice",
    "immediate_invoice",
    "month_end_payment",
    "date_from_payment",
    "immediate_payment",
    None,
]

CONTACT = obj(
    {
        "name": text(100, required=True),
        "contact_type_ids": id_list(required=True),
        "reference": text(10),
        "default_sales_ledger_account_id": text(),
        "default_sales_tax_rate_id": text(),
        "default_purchase_ledger_account_id": text(),
        "tax_number": text(255),
        "notes": text(4000),
        "locale": text(10),
        "credit_limit": amount(),
        "credit_days": integer(0, 365),
        "credit_terms": {"enum": CREDIT_TERMS},
        "credit_terms_and_conditions": text(2000),
        "currency_id": text(),
        "source_guid": text(255),
        "aux_reference": text(4),
        "registered_number": text(25),
        "auxiliary_account": text(25),
        "main_address": ADDRESS,
        "delivery_address": ADDRESS,
        "main_contact_person": obj(PERSON_FIELDS),
        "bank_account_details": BANK_DETAILS,
        "tax_treatment": {"type": ["object", "null"]},
    },
    ("name", "contact_type_ids"),
)

CONTACT_PERSON = obj(
    {**PERSON_FIELDS, "name": text(50, required=True), "address_id": text(required=True)},
    ("address_id", "name", "contact_person_type_ids"),
)


def _line(required: tuple[str, ...], extra: dict[str, Schema]) -> Schema:
    return obj(
        {
            "description": text(required=True),
            "ledger_account_id": text(required=True),
            "unit_price": required_amount(),
            "quantity": amount(),
            "tax_rate_id": text(),
            "tax_amount": amount(),
            "net_amount": amount(),
            "total_amount": amount(),
            "unit_price_includes_tax": flag(),
            "product_id": text(),
            "service_id": text(),
            **extra,
        },
        required,
    )


SALES_LINE = _line(
    ("description", "ledger_account_id", "unit_price"),
    {"discount_amount": amount(), "discount_percentage": amount()},
)
PURCHASE_LINE = _line(("description", "ledger_account_id", "quantity", "unit_price"), {})
_INVOICE_COMMON: dict[str, Schema] = {
    "contact_id": text(required=True),
    "date": day(required=True),
    "due_date": day(),
    "reference": text(25),
    "notes": text(2000),
    "contact_name": text(255),
    "contact_reference": text(255),
    "currency_id": text(),
    "exchange_rate": amount(),
    "status_id": text(),
    "main_address": ADDRESS,
    "tax_address_region_id": text(),
}
SALES_INVOICE = obj(
    {
        **_INVOICE_COMMON,
        "invoice_lines": {"type": "array", "items": SALES_LINE, "minItems": 1},
        "invoice_number_prefix": text(6),
        "terms_and_conditions": text(2000),
        "delivery_address": ADDRESS,
        "sent": flag(),
    },
    ("contact_id", "date", "invoice_lines"),
)
PURCHASE_INVOICE = obj(
    {
        **_INVOICE_COMMON,
        "due_date": day(required=True),
        "vendor_reference": text(31),
        "invoice_lines": {"type": "array", "items": PURCHASE_LINE, "minItems": 1},
    },
    ("contact_id", "date", "due_date", "invoice_lines"),
)

CONTACT_PAYMENT = obj(
    {
        "transaction_type_id": text(required=True),
        "contact_id": text(required=True),
        "bank_account_id": text(required=True),
        "date": day(required=True),
        "total_amount": required_amount(),
        "payment_method_id": text(),
        "net_amount": amount(),
        "tax_amount": amount(),
        "currency_id": text(),
        "exchange_rate": amount(),
        "reference": text(25),
        "allocated_artefacts": {
            "type": "array",
            "items": obj(
                {"artefact_id": text(required=True), "amount": required_amount(),
                 "discount": amount()},
                ("artefact_id", "amount"),
            ),
        },
    },
    ("transaction_type_id", "contact_id", "bank_account_id", "date", "total_amount"),
)

JOURNAL = obj(
    {
        "date": day(required=True),
        "reference": text(255, required=True),
        "description": text(200),
        "total": amount(),
        "journal_lines": {
            "type": "array",
            "minItems": 2,
            "items": obj(
                {
                    "ledger_account_id": text(required=True),
                    "debit": required_amount(),
                    "credit": required_amount(),
                    "details": text(),
                    "include_on_tax_return": flag(),
                },
                ("ledger_account_id", "debit", "credit"),
            ),
        },
    },
    ("date", "reference", "journal_lines"),
)

LEDGER_ACCOUNT = obj(
    {
        "ledger_account_type_id": text(required=True),
        "included_in_chart": {"type": "boolean"},
        "name": text(200, required=True),
        "display_name": text(200, required=True),
        "nominal_code": {"type": "integer", "minimum": 1, "maximum": 99999999},
        "ledger_account_classification_id": text(),
        "tax_rate_id": text(),
        "fixed_tax_rate": flag(),
        "visible_in_banking": flag(),
        "visible_in_expenses": flag(),
        "visible_in_journals": flag(),
        "visible_in_other_payments": flag(),
        "visible_in_other_receipts": flag(),
        "visible_in_reporting": flag(),
        "visible_in_sales": flag(),
        "control_name": text(255),
        "gifi_code": integer(1000, 9999),
    },
    ("ledger_account_type_id", "included_in_chart", "name", "display_name", "nominal_code"),
)

BANK_ACCOUNT = obj(
    {
        "bank_account_type_id": text(required=True),
        "bank_account_details": BANK_DETAILS,
        "ledger_account_id": text(),
        "nominal_code": integer(1, 99999999),
        "default_payment_method_id": text(),
        "currency_id": text(),
        "is_active": flag(),
    },
    ("bank_account_type_id",),
)

TAX_RATE = obj(
    {
        "name": text(required=True),
        "agency": text(),
        "is_visible": flag(),
        "percentage": amount(),
        "component_tax_rate": {
            "type": "array",
            "items": obj({"name": text(required=True), "agency": text(),
                          "percentage": required_amount()}, ("name", "percentage")),
        },
    },
    ("name",),
)

FINANCIAL_SETTINGS = obj(
    {
        "year_end_date": day(),
        "accounts_start_date": day(),
        "accounting_type": text(),
        "base_currency_id": text(),
        "multi_currency_enabled": flag(),
        "tax_number": text(),
        "sales_tax_calculation": text(),
        "purchase_tax_calculation": text(),
    }
)

BUSINESS = obj(
    {
        "name": text(),
        "address_line_1": text(),
        "address_line_2": text(),
        "city": text(),
        "postal_code": text(),
        "region": text(),
        "telephone": text(),
        "mobile": text(),
        "website": text(),
    }
)

_CREATE = {
    "contact": CONTACT,
    "contact_person": CONTACT_PERSON,
    "sales_invoice": SALES_INVOICE,
    "purchase_invoice": PURCHASE_INVOICE,
    "contact_payment": CONTACT_PAYMENT,
    "journal": JOURNAL,
    "ledger_account": LEDGER_ACCOUNT,
    "bank_account": BANK_ACCOUNT,
    "tax_rate": TAX_RATE,
}
#: Schema name -> schema; ``<wrapper>`` for POST, ``<wrapper>.update`` for PUT.
SCHEMAS: dict[str, Schema] = {
    **_CREATE,
    **{f"{name}.update": optional(schema) for name, schema in _CREATE.items()},
    "financial_settings.update": FINANCIAL_SETTINGS,
    "business.update": BUSINESS,
}
