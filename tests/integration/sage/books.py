"""Connecting the Sage provider to a running sandbox, and small record builders."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits

TODAY = date(2025, 3, 1)
_numbers = itertools.count(1)
_nominal_codes = itertools.count(4500)


def unique(prefix: str) -> str:
    """A short unique text (Sage contact references are at most 10 characters)."""
    return f"{prefix}{next(_numbers):04d}"


def nominal_code() -> str:
    """A nominal code no seeded chart uses (4500 upwards)."""
    return str(next(_nominal_codes))


def open_client(sandbox: SageSandbox, token: str, country: str = "GB",
                **kwargs: Any) -> ua.Client:
    """A client of the sandbox business in ``country``, connected by provider name.

    The limiter is private so tests never wait on the shared 15-per-second app limit.
    """
    options: dict[str, Any] = {
        "settings": sandbox.settings, "access_token": token,
        "business_id": sandbox.business_id(country), "limiter": LocalLimiter(RateLimits()),
        "sleep": lambda seconds: None, "jitter": lambda ceiling: 0.0,
    }
    options.update(kwargs)
    return ua.connect("sage", **options)


def customer(client: ua.Client, **changes: Any) -> ua.Contact:
    """Create a customer."""
    fields: dict[str, Any] = {"name": "Acme Ltd", "is_customer": True,
                              "reference": unique("C"), "email": "ap@acme.test"}
    fields.update(changes)
    return client.contacts.create(ua.Contact(**fields))


def supplier(client: ua.Client, **changes: Any) -> ua.Contact:
    """Create a supplier."""
    fields: dict[str, Any] = {"name": "Paper Co", "is_supplier": True,
                              "reference": unique("S")}
    fields.update(changes)
    return client.contacts.create(ua.Contact(**fields))


def sales_invoice(contact_id: str, account_id: str | None, *, status: str | None = None,
                  **line: Any) -> ua.Invoice:
    """A one-line sales invoice of 100.00 (tax left to Sage unless given)."""
    fields: dict[str, Any] = {"description": "Consulting", "unit_price": Decimal("100.00"),
                              "account_id": account_id}
    fields.update(line)
    return ua.Invoice(type="sales", contact_id=contact_id, issue_date=TODAY,
                      status=status, lines=[ua.InvoiceLine(**fields)])  # type: ignore[arg-type]


def purchase_invoice(contact_id: str, account_id: str, **line: Any) -> ua.Invoice:
    """A one-line purchase invoice of 3 x 26.70."""
    fields: dict[str, Any] = {"description": "A4 paper", "quantity": Decimal("3"),
                              "unit_price": Decimal("26.70"), "account_id": account_id}
    fields.update(line)
    return ua.Invoice(type="purchase", contact_id=contact_id, issue_date=TODAY,
                      due_date=date(2025, 3, 31), number=unique("PI"),
                      lines=[ua.InvoiceLine(**fields)])
