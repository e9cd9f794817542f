"""JSON Schemas (2020-12) of credit notes, contact allocations, products and services.

Written for this project from the facts of the Sage v3.1 reference, in the manner of
:mod:`unified_accounting_sage.sandbox.schemas` (whose field makers they use); credit note
lines are invoice lines.
"""

from __future__ import annotations

from unified_accounting_sage.sandbox.schemas import (
    ADDRESS,
    PURCHASE_LINE,
    SALES_INVOICE,
    SALES_LINE,
    Schema,
    amount,
    day,
    flag,
    obj,
    optional,
    required_amount,
    text,
)

__all__ = ["DOCUMENT_SCHEMAS"]

# The header fields a credit note shares with an invoice (it has no due date).
_CREDIT_NOTE_COMMON: dict[str, Schema] = {
    name: SALES_INVOICE["properties"][name]
    for name in ("contact_id", "date", "reference", "notes", "contact_name",
                 "contact_reference", "currency_id", "exchange_rate", "status_id",
                 "main_address", "tax_address_region_id")
}
SALES_CREDIT_NOTE = obj(
    {
        **_CREDIT_NOTE_COMMON,
        "credit_note_lines": {"type": "array", "items": SALES_LINE, "minItems": 1},
        "credit_note_number_prefix": text(6),
        "original_invoice_date": day(),
        "terms_and_conditions": text(65535),
        "delivery_address": ADDRESS,
        "sent": flag(),
    },
    ("contact_id", "date", "credit_note_lines"),
)
PURCHASE_CREDIT_NOTE = obj(
    {
        **_CREDIT_NOTE_COMMON,
        "vendor_reference": text(31),
        "original_invoice_date": day(),
        "credit_note_lines": {"type": "array", "items": PURCHASE_LINE, "minItems": 1},
    },
    ("contact_id", "date", "credit_note_lines"),
)

CONTACT_ALLOCATION = obj(
    {
        "transaction_type_id": text(required=True),
        "contact_id": text(required=True),
        "date": day(),
        "allocated_artefacts": {
            "type": "array",
            "minItems": 2,
            "items": obj({"artefact_id": text(required=True), "amount": required_amount()},
                         ("artefact_id", "amount")),
        },
    },
    ("transaction_type_id", "contact_id", "allocated_artefacts"),
)


def _item(sales_ledger_required: tuple[str, ...], prices: str,
          price_fields: tuple[str, str, str, str]) -> Schema:
    name, price, includes_tax, price_type = price_fields
    return obj(
        {
            "description": text(255, required=True),
            "item_code": text(255),
            "notes": text(500),
            "purchase_description": text(250),
            "source_guid": text(255),
            "sales_ledger_account_id": text(),
            "purchase_ledger_account_id": text(),
            "sales_tax_rate_id": text(),
            "purchase_tax_rate_id": text(),
            "usual_supplier_id": text(),
            "cost_price": amount(),
            "active": flag(),
            prices: {"type": ["array", "null"], "items": obj(
                {name: text(), price: amount(), includes_tax: flag(),
                 price_type: text()})},
        },
        ("description", *sales_ledger_required),
    )


PRODUCT = _item(("sales_ledger_account_id", "purchase_ledger_account_id"), "sales_prices",
                ("price_name", "price", "price_includes_tax", "product_sales_price_type_id"))
SERVICE = _item(("sales_ledger_account_id",), "sales_rates",
                ("rate_name", "rate", "rate_includes_tax", "service_rate_type_id"))

_CREATE = {
    "sales_credit_note": SALES_CREDIT_NOTE,
    "purchase_credit_note": PURCHASE_CREDIT_NOTE,
    "contact_allocation": CONTACT_ALLOCATION,
    "product": PRODUCT,
    "service": SERVICE,
}
#: Schema name -> schema; ``<wrapper>`` for POST, ``<wrapper>.update`` for PUT.
DOCUMENT_SCHEMAS: dict[str, Schema] = {
    **_CREATE,
    **{f"{name}.update": optional(schema) for name, schema in _CREATE.items()},
}
