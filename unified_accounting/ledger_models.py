"""The general ledger as callers hold it: ledger entries and the trial balance built from them.

Plain dataclasses like those of :mod:`unified_accounting.models` (which re-exports them);
validation and JSON live in :mod:`unified_accounting.schemas.ledger`. Money is ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

__all__ = ["LedgerEntry", "TransactionType", "TrialBalance", "TrialBalanceLine"]

TransactionType = Literal[
    "sales_invoice",
    "sales_credit_note",
    "purchase_invoice",
    "purchase_credit_note",
    "customer_receipt",
    "customer_refund",
    "supplier_payment",
    "supplier_refund",
    "other_receipt",
    "other_payment",
    "bank_transfer",
    "journal",
    "opening_balance",
    "other",
]
"""What kind of document a ledger entry was posted for; ``other`` for kinds without a unified
name (the provider's own type is then in ``remote_data``)."""


@dataclass(kw_only=True)
class LedgerEntry:
    """One posting of the general ledger: a debit or a credit of one ledger account.

    Read-only: a provider posts entries for the documents it holds (invoices, payments,
    journals, ...). The entries of one ``transaction_id`` balance exactly. Amounts are in
    the business's base currency (``currency``, when the provider names it).
    """

    id: str | None = None
    business_id: str | None = None
    date: date
    ledger_account_id: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    currency: str | None = None
    description: str | None = None
    transaction_id: str | None = None
    transaction_type: TransactionType | None = None
    contact_id: str | None = None
    tax_rate_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: dict[str, Any] | None = None


@dataclass(kw_only=True)
class TrialBalanceLine:
    """One ledger account's balance: its debits and credits netted to one side."""

    ledger_account_id: str
    code: str | None = None
    name: str | None = None
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")


@dataclass(kw_only=True)
class TrialBalance:
    """Every ledger account's balance at the end of ``as_of``; debits equal credits exactly."""

    business_id: str | None = None
    as_of: date
    currency: str | None = None
    lines: list[TrialBalanceLine] = field(default_factory=list)
    total_debit: Decimal = Decimal("0")
    total_credit: Decimal = Decimal("0")
