"""The demo behind ``unified-accounting demo``: the unified models at work.

It loads a contact, an invoice and a journal from JSON-shaped data, validates them, dumps them
back, and shows an unbalanced journal being refused with its message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.validation import dump, load, validate_model

CONTACT: dict[str, Any] = {
    "name": "Northwind Traders",
    "is_customer": True,
    "email": "accounts@northwind.example",
    "currency": "GBP",
    "credit_limit": "5000",
    "credit_days": 30,
    "addresses": [{"type": "billing", "line1": "1 High Street", "city": "Leeds", "country": "GB"}],
}

INVOICE: dict[str, Any] = {
    "type": "sales",
    "contact_id": "northwind",
    "issue_date": "2026-01-31",
    "due_date": "2026-03-02",
    "currency": "GBP",
    "lines": [
        {
            "description": "Consulting, January",
            "quantity": "2",
            "unit_price": "500.00",
            "tax_code": "standard",
            "net_amount": "1000.00",
            "tax_amount": "200.00",
            "total_amount": "1200.00",
        }
    ],
    "net_amount": "1000.00",
    "tax_amount": "200.00",
    "total_amount": "1200.00",
}

JOURNAL: dict[str, Any] = {
    "date": "2026-01-31",
    "reference": "PAYROLL-01",
    "currency": "GBP",
    "lines": [
        {"account_concept": "salaries", "debit": "0.10"},
        {"account_concept": "salaries", "debit": "0.20"},
        {"account_concept": "payroll_liabilities", "credit": "0.30"},
    ],
}

UNBALANCED: dict[str, Any] = {
    "date": "2026-01-31",
    "reference": "PAYROLL-02",
    "currency": "GBP",
    "lines": [
        {"account_concept": "salaries", "debit": "100.00"},
        {"account_concept": "payroll_liabilities", "credit": "99.99"},
    ],
}


def run_demo(say: Callable[[str], None]) -> None:
    """Walk through the library's main features, printing each step with ``say``."""
    for kind, data in (("contact", CONTACT), ("invoice", INVOICE), ("journal_entry", JOURNAL)):
        model = load(kind, data)
        validate_model(model)
        say(f"{kind}: loaded, validated and dumped back as JSON")
        say(json.dumps(_summary(dump(model)), indent=2))
    try:
        load("journal_entry", UNBALANCED)
    except ValidationError as exc:
        for path, messages in exc.errors.items():
            say(f"unbalanced journal refused: {path}: {'; '.join(messages)}")
    else:  # pragma: no cover - the data above is unbalanced on purpose
        raise AssertionError("the unbalanced journal was accepted")


def _summary(document: dict[str, Any]) -> dict[str, Any]:
    """Drop empty fields so the printed JSON shows what the example set."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        if value in (None, [], {}):
            continue
        if isinstance(value, list):
            value = [_summary(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out
