"""Ledger entries: Sage ``/ledger_entries`` -> unified ``LedgerEntry`` (read-only).

A Sage entry names its ``transaction`` but not the transaction's type; the handler learns the
type from ``/transactions`` and passes its id here, where :data:`TRANSACTION_TYPES` turns it
into the unified name. A type without one becomes ``other`` and the Sage type id is kept in
``remote_data``, so it is never lost. Sage sends ``debit`` and ``credit`` as separate amounts;
they are netted to one side, so a unified entry is always a debit or a credit.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from unified_accounting.ledger_models import LedgerEntry, TransactionType
from unified_accounting_sage.json_values import parse_date, parse_money, ref_id
from unified_accounting_sage.mappers._common import remote, stamps

__all__ = ["ATTRIBUTES", "TRANSACTION_TYPES", "to_unified", "transaction_type"]

#: Sage fields this mapper reads (the ``attributes`` query of a list).
ATTRIBUTES: tuple[str, ...] = (
    "date",
    "debit",
    "credit",
    "ledger_account",
    "transaction",
    "contact",
    "tax_rate",
    "description",
    "deleted",
    "created_at",
    "updated_at",
)

#: Sage transaction type id -> the unified transaction type.
TRANSACTION_TYPES: Mapping[str, TransactionType] = {
    "SALES_INVOICE": "sales_invoice",
    "SALES_CREDIT_NOTE": "sales_credit_note",
    "PURCHASE_INVOICE": "purchase_invoice",
    "PURCHASE_QUICK_ENTRY_INVOICE": "purchase_invoice",
    "PURCHASE_CREDIT_NOTE": "purchase_credit_note",
    "CUSTOMER_RECEIPT": "customer_receipt",
    "CUSTOMER_REFUND": "customer_refund",
    "VENDOR_PAYMENT": "supplier_payment",
    "VENDOR_REFUND": "supplier_refund",
    "OTHER_RECEIPT": "other_receipt",
    "BANK_RECEIPT": "other_receipt",
    "OTHER_PAYMENT": "other_payment",
    "BANK_PAYMENT": "other_payment",
    "BANK_TRANSFER": "bank_transfer",
    "JOURNAL": "journal",
    "CUSTOMER_OPENING_BALANCE_INVOICE": "opening_balance",
    "CUSTOMER_OPENING_BALANCE_CREDIT_NOTE": "opening_balance",
    "VENDOR_OPENING_BALANCE_INVOICE": "opening_balance",
    "GENERAL_LEDGER_OPENING_BALANCE": "opening_balance",
    "BANK_OPENING_BALANCE": "opening_balance",
}

_ZERO = Decimal("0")


def transaction_type(sage_id: str | None) -> TransactionType | None:
    """The unified name of a Sage transaction type (``other`` for one without; ``None``
    when unknown)."""
    if sage_id is None:
        return None
    return TRANSACTION_TYPES.get(sage_id, "other")


def _sides(raw: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    net = (parse_money(raw.get("debit")) or _ZERO) - (parse_money(raw.get("credit")) or _ZERO)
    return (net, _ZERO) if net > 0 else (_ZERO, net.copy_negate() if net else _ZERO)


def to_unified(
    raw: Mapping[str, Any], *, business_id: str | None = None, include_remote: bool = False,
    sage_type: str | None = None,
) -> LedgerEntry:
    """Map a Sage ledger entry (``GET /ledger_entries/{id}``) to a ``LedgerEntry``.

    Args:
        raw: the Sage record.
        business_id: the business it belongs to.
        include_remote: keep the whole record in ``remote_data``.
        sage_type: the Sage type id of the entry's transaction, when known.

    Raises:
        ValueError: the record has no date or no ledger account.
    """
    when = parse_date(raw.get("date"))
    account = ref_id(raw, "ledger_account")
    if when is None or account is None:
        raise ValueError("a Sage ledger entry without a date or a ledger account")
    kind = transaction_type(sage_type)
    remote_data = remote(raw, include_remote)
    if kind == "other" and remote_data is None:
        remote_data = {"transaction_type": {"id": sage_type}}
    debit, credit = _sides(raw)
    return LedgerEntry(
        id=raw.get("id"), business_id=business_id, date=when, ledger_account_id=account,
        debit=debit, credit=credit, description=raw.get("description") or None,
        transaction_id=ref_id(raw, "transaction"), transaction_type=kind,
        contact_id=ref_id(raw, "contact"), tax_rate_id=ref_id(raw, "tax_rate"),
        **stamps(raw), remote_data=remote_data,
    )
