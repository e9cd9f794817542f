"""What a payment's allocations may settle, checked against Sage's invoices before the POST.

The unified model already refuses allocations that add up to more than the payment. What it
cannot know is each invoice's state at the provider: how much of it is still outstanding, its
currency, its contact and whether it can be paid at all. The payment handler reads each
allocated invoice once (``GET /sales_invoices/{id}`` or ``/purchase_invoices/{id}``) and
:func:`allocation_errors` compares, so that a payment Sage would refuse, or would book against
the wrong money, is refused with the field, the figure given and the invoice's figure.

Currencies: an allocation settles an invoice in the invoice's own currency, so the payment's
currency (when given, else that of its first invoice) must be every allocated invoice's. The
bank account must hold the payment's currency too, unless it is in the business's base
currency: Sage converts a foreign-currency payment into a base-currency account at the
payment's exchange rate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from unified_accounting import money
from unified_accounting.models import Payment
from unified_accounting_sage.json_values import parse_money, ref_id

__all__ = ["INVOICES_SETTLED", "InvoiceState", "allocation_errors", "bank_currency_error"]

#: Payment type -> the invoices its allocations settle (refunds settle none here).
INVOICES_SETTLED: Mapping[str, str] = {
    "customer_receipt": "sales_invoices",
    "supplier_payment": "purchase_invoices",
}
_UNPAYABLE = {"DRAFT": "a draft", "VOID": "a void"}


@dataclass(frozen=True)
class InvoiceState:
    """What an allocation needs to know of one Sage invoice."""

    outstanding: Decimal | None
    currency: str | None
    contact_id: str | None
    status: str | None

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> InvoiceState:
        """Read it from a Sage invoice record."""
        return cls(outstanding=parse_money(raw.get("outstanding_amount")),
                   currency=ref_id(raw, "currency"), contact_id=ref_id(raw, "contact"),
                   status=(ref_id(raw, "status") or "").upper() or None)


def _one(payment: Payment, index: int, state: InvoiceState, used: Decimal,
         currency: str | None) -> dict[str, list[str]]:
    """Problems of allocation ``index`` given the invoice's state and what earlier ones took."""

    def _money(value: Decimal) -> str:
        return money.format_money(value, state.currency or currency)

    allocation = payment.allocations[index]
    at = f"allocations[{index}]"
    found: dict[str, list[str]] = {}
    if state.contact_id and payment.contact_id and state.contact_id != payment.contact_id:
        found[f"{at}.invoice_id"] = ["the invoice belongs to another contact"]
    if state.status in _UNPAYABLE:
        found[f"{at}.invoice_id"] = [f"{_UNPAYABLE[state.status]} invoice cannot be paid"]
    if currency and state.currency and state.currency != currency:
        found[f"{at}.invoice_id"] = [
            f"the invoice is in {state.currency}, the payment in {currency}"]
    taken = allocation.amount + (allocation.discount or Decimal(0))
    if state.outstanding is not None and used + taken > state.outstanding:
        given = f"given {_money(allocation.amount)}"
        if allocation.discount:
            given += f" plus a discount of {_money(allocation.discount)}"
        if used:
            given += f", after {_money(used)} allocated to it above"
        found[f"{at}.amount"] = [
            f"{given}; the invoice's outstanding amount is {_money(state.outstanding)}"]
    return found


def allocation_errors(payment: Payment,
                      invoice: Callable[[str], InvoiceState | None]) -> dict[str, list[str]]:
    """Every problem of the payment's allocations, by field path (empty when none).

    Args:
        payment: the payment about to be created.
        invoice: the state of an invoice by id (read once each), ``None`` when Sage has none.
    """
    errors: dict[str, list[str]] = {}
    used: dict[str, Decimal] = {}
    currency = payment.currency
    for index, allocation in enumerate(payment.allocations):
        state = invoice(allocation.invoice_id)
        if state is None:
            errors[f"allocations[{index}].invoice_id"] = ["no such invoice in this business"]
            continue
        currency = currency or state.currency
        errors.update(_one(payment, index, state, used.get(allocation.invoice_id, Decimal(0)),
                           currency))
        used[allocation.invoice_id] = (used.get(allocation.invoice_id, Decimal(0))
                                       + allocation.amount + (allocation.discount or Decimal(0)))
    return errors


def bank_currency_error(payment_currency: str | None, bank_currency: str | None,
                        base_currency: Callable[[], str | None]) -> str | None:
    """Why the bank account cannot take the payment's currency, or ``None`` when it can.

    ``base_currency`` is asked only when the two differ.
    """
    if not payment_currency or not bank_currency or payment_currency == bank_currency:
        return None
    if bank_currency == base_currency():
        return None
    return (f"the bank account is in {bank_currency}, the payment in {payment_currency}; "
            "use an account in the payment's currency or the base currency")
