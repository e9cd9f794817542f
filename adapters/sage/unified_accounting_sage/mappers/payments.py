"""Payments: unified ``Payment`` <-> Sage ``/contact_payments``.

``type`` <-> ``transaction_type_id`` (customer receipts and refunds, vendor payments and
refunds); ``amount`` <-> ``total_amount``; ``allocations`` <-> ``allocated_artefacts`` (each
settles one invoice, named by its Sage id). Sage needs a bank account on every payment; the
provider resolves a default before calling :func:`to_sage` when the caller gave none.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from unified_accounting.errors import ProviderError
from unified_accounting.models import Payment, PaymentAllocation, PaymentType
from unified_accounting_sage.json_values import (
    format_date,
    format_money,
    parse_date,
    parse_money,
    ref_id,
)
from unified_accounting_sage.mappers._common import compact, finish, objects, remote, stamps

__all__ = [
    "ATTRIBUTES",
    "PAYMENT_METHODS",
    "TYPE_FROM_SAGE",
    "TYPE_TO_SAGE",
    "WRAPPER_KEY",
    "to_sage",
    "to_unified",
    "wrapper_key",
]

WRAPPER_KEY = "contact_payment"

TYPE_TO_SAGE: Mapping[PaymentType, str] = {
    "customer_receipt": "CUSTOMER_RECEIPT",
    "supplier_payment": "VENDOR_PAYMENT",
    "customer_refund": "CUSTOMER_REFUND",
    "supplier_refund": "VENDOR_REFUND",
}
TYPE_FROM_SAGE: Mapping[str, PaymentType] = {v: k for k, v in TYPE_TO_SAGE.items()}

#: Unified payment method names -> Sage payment method ids. Any other value is sent as given,
#: so a Sage id read from ``/payment_methods`` works too.
PAYMENT_METHODS: Mapping[str, str] = {
    "bank_transfer": "BANK_TRANSFER",
    "cash": "CASH",
    "card": "CREDIT_DEBIT",
    "check": "CHECK",
}
_METHOD_NAMES = {v: k for k, v in PAYMENT_METHODS.items()}

#: Sage fields this mapper reads (the ``attributes`` query of a list).
ATTRIBUTES: tuple[str, ...] = (
    "transaction_type",
    "contact",
    "date",
    "total_amount",
    "currency",
    "exchange_rate",
    "bank_account",
    "payment_method",
    "reference",
    "allocated_artefacts",
    "created_at",
    "updated_at",
)


def wrapper_key(payment: Payment | None = None) -> str:
    """Return the key that wraps a payment in a write body."""
    return WRAPPER_KEY


def _allocation(raw: Mapping[str, Any]) -> PaymentAllocation:
    return PaymentAllocation(
        invoice_id=ref_id(raw, "artefact") or "",
        amount=parse_money(raw.get("amount")) or Decimal("0"),
        discount=parse_money(raw.get("discount")),
    )


def to_unified(
    raw: Mapping[str, Any], *, business_id: str | None = None, include_remote: bool = False
) -> Payment:
    """Map a Sage contact payment (``GET /contact_payments/{id}``) to a ``Payment``.

    Raises:
        ProviderError: the transaction type is not one of the four contact payment types.
        ValueError: the record has no date or no total.
    """
    sage_type = ref_id(raw, "transaction_type") or ""
    kind = TYPE_FROM_SAGE.get(sage_type)
    if kind is None:
        raise ProviderError(f"Sage payment with unknown transaction type {sage_type[:40]!r}",
                            provider="sage")
    when = parse_date(raw.get("date"))
    amount = parse_money(raw.get("total_amount"))
    if when is None or amount is None:
        raise ValueError("a Sage payment without a date or a total")
    method = ref_id(raw, "payment_method")
    return Payment(
        id=raw.get("id"),
        business_id=business_id,
        type=kind,
        contact_id=ref_id(raw, "contact") or "",
        date=when,
        amount=amount,
        currency=ref_id(raw, "currency"),
        exchange_rate=parse_money(raw.get("exchange_rate")),
        bank_account_id=ref_id(raw, "bank_account"),
        payment_method=_METHOD_NAMES.get(method, method) if method else None,
        reference=raw.get("reference"),
        allocations=[_allocation(item) for item in objects(raw, "allocated_artefacts")],
        **stamps(raw),
        remote_data=remote(raw, include_remote),
    )


def to_sage(
    payment: Payment,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Build the inner body of ``POST /contact_payments`` (or ``PUT`` with ``partial``).

    Args:
        payment: the payment to send.
        provider_fields: extra Sage fields merged into the body (``payment_on_account``,
            ``tax_rate_id``, ``base_currency_*``, ...).
        partial: an update; Sage's required fields are not enforced.

    Raises:
        ValidationError: a required field (such as the bank account) is missing or the
            reference is too long; paths are unified.
    """
    method = payment.payment_method
    body = compact(
        {
            "transaction_type_id": TYPE_TO_SAGE[payment.type],
            "contact_id": payment.contact_id or None,
            "bank_account_id": payment.bank_account_id,
            "payment_method_id": PAYMENT_METHODS.get(method, method) if method else None,
            "date": format_date(payment.date),
            "total_amount": format_money(payment.amount),
            "currency_id": payment.currency,
            "exchange_rate": format_money(payment.exchange_rate),
            "reference": payment.reference,
            "allocated_artefacts": [
                compact(
                    {
                        "artefact_id": item.invoice_id,
                        "amount": format_money(item.amount),
                        "discount": format_money(item.discount),
                    }
                )
                for item in payment.allocations
            ]
            or None,
        }
    )
    return finish(WRAPPER_KEY, body, provider_fields, partial)
