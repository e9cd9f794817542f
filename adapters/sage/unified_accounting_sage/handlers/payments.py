"""``client.payments``: Sage ``/contact_payments`` (receipts, payments and refunds).

Sage needs a bank account on every payment. When the payment names none, the business's only
active bank account is used, or the one whose ledger account the connection's account mapping
names as ``bank``; with several and no mapping, a ``ValidationError`` lists them. A payment
method is checked against the business's ``/payment_methods`` (unified names such as
``bank_transfer``, Sage ids and Sage's labels are accepted); without one, the bank account's
default method is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.http.idempotency import repeating_chosen_call
from unified_accounting.models import Payment
from unified_accounting_sage.handlers.allocations import (
    INVOICES_SETTLED,
    InvoiceState,
    allocation_errors,
    bank_currency_error,
)
from unified_accounting_sage.handlers.base import CRUD, SageHandler, check_options, path_of
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.handlers.query import (
    FieldAttributes,
    Filter,
    choice,
    day,
    text,
    timestamp,
)
from unified_accounting_sage.json_values import ref_id
from unified_accounting_sage.mappers import payments
from unified_accounting_sage.mappings import AccountMappings

__all__ = ["PaymentHandler", "choose_bank_account", "choose_payment_method"]

_SHOWN = 6


def _label(record: Mapping[str, Any]) -> str:
    return f"{record.get('id')} ({record.get('displayed_as') or 'unnamed'})"


def choose_bank_account(accounts: list[dict[str, Any]], bank_ledger_id: str | None) -> str:
    """Pick the bank account for a payment that names none.

    Args:
        accounts: the business's ``/bank_accounts`` records.
        bank_ledger_id: the ledger account mapped to the ``bank`` concept, if any.

    Raises:
        ValidationError: on ``bank_account_id`` when no single account can be chosen.
    """
    active = [a for a in accounts if a.get("is_active") is not False and a.get("id")]
    if bank_ledger_id is not None:
        mapped = [a for a in active if ref_id(a, "ledger_account") == bank_ledger_id]
        if len(mapped) == 1:
            return str(mapped[0]["id"])
    if len(active) == 1:
        return str(active[0]["id"])
    if not active:
        message = "the business has no active bank account"
    else:
        shown = ", ".join(_label(a) for a in active[:_SHOWN])
        message = f"the business has several bank accounts; choose one of {shown}"
    raise ValidationError({"bank_account_id": [message]}, provider="sage")


def choose_payment_method(methods: list[dict[str, Any]], wanted: str) -> str:
    """Return the Sage payment method id for a unified name, a Sage id or a Sage label.

    Raises:
        ValidationError: on ``payment_method`` when the business has no such method.
    """
    ids = {str(m["id"]) for m in methods if m.get("id")}
    candidate = payments.PAYMENT_METHODS.get(wanted.strip().lower(), wanted.strip())
    if candidate in ids:
        return candidate
    for method in methods:
        if str(method.get("displayed_as") or "").casefold() == wanted.strip().casefold():
            return str(method["id"])
    raise ValidationError({"payment_method": [
        f"not a payment method of this business; use one of {', '.join(sorted(ids))}"]},
        provider="sage")


class PaymentHandler(SageHandler[Payment]):
    """Customer receipts and refunds, supplier payments and refunds."""

    resource = "payments"
    operations = CRUD | {"list_deleted"}
    collection = "contact_payments"
    page_sort = "created_at:asc"
    wrapper = payments.WRAPPER_KEY
    filters = {
        "updated_since": Filter("updated_or_created_since", timestamp),
        "contact_id": Filter("contact_id", text),
        "bank_account_id": Filter("bank_account_id", text),
        "type": Filter("transaction_type_id", choice(payments.TYPE_TO_SAGE)),
        "from_date": Filter("from_date", day),
        "to_date": Filter("to_date", day),
    }
    attributes = FieldAttributes(
        payments.ATTRIBUTES, Payment,
        {"type": ("transaction_type",), "contact_id": ("contact",), "amount": ("total_amount",),
         "bank_account_id": ("bank_account",), "allocations": ("allocated_artefacts",)},
        always=("transaction_type", "date", "total_amount"),
    )

    def to_model(self, raw: Mapping[str, Any], remote: bool) -> Payment:
        """Map one Sage contact payment."""
        return payments.to_unified(raw, business_id=self.business_id, include_remote=remote)
    def resolve(self, payment: Payment) -> Payment:
        """Return the payment with its bank account and payment method resolved."""
        bank_id, method = payment.bank_account_id, payment.payment_method
        if bank_id is None:
            mapping = AccountMappings(self.tenant).get()
            ledger = mapping.accounts.get("bank") if mapping else None
            bank_id = choose_bank_account(self.tenant.reference("bank_accounts"), ledger)
        if method is not None:
            method = choose_payment_method(self.tenant.reference("payment_methods"), method)
        else:
            accounts = self.tenant.reference("bank_accounts")
            chosen = next((a for a in accounts if a.get("id") == bank_id), {})
            method = ref_id(chosen, "default_payment_method")
        return replace(payment, bank_account_id=bank_id, payment_method=method)

    def _invoice_state(self, collection: str, id: str, repeat: bool) -> InvoiceState | None:
        try:
            state = InvoiceState.of(self.raw_get(collection, id))
        except NotFoundError:
            return None
        # A repeated call (a queued write sent again) may find the invoice paid by its own
        # earlier attempt. Sage answers the repeat with that payment (one idempotency_id) or,
        # if it never landed, checks the amount itself: the outstanding amount proves nothing.
        return replace(state, outstanding=None) if repeat else state

    def _base_currency(self) -> str | None:
        settings = self.tenant.reference_cache.get(
            self.business_id, "financial_settings",
            lambda: self.record(self.transport.request("GET", "/financial_settings").json()))
        return ref_id(settings, "base_currency")

    def _bank_currency(self, bank_id: str | None) -> str | None:
        accounts = self.tenant.reference("bank_accounts")
        chosen = next((a for a in accounts if a.get("id") == bank_id), {})
        return ref_id(chosen, "currency")

    def check_allocations(self, payment: Payment) -> None:
        """Check allocations and currencies against Sage's invoices and bank account.

        Reads each allocated invoice once (``GET /sales_invoices/{id}`` for receipts,
        ``/purchase_invoices/{id}`` for supplier payments); see
        :mod:`unified_accounting_sage.handlers.allocations` for the rules. A repeated call
        (``chosen_idempotency_keys(..., repeat=True)``) skips the outstanding amounts, which
        its own earlier attempt may have used up.

        Raises:
            ValidationError: naming every allocation (``allocations[i].amount`` with the
                amount given and the invoice's outstanding amount, ``allocations[i].invoice_id``
                for a missing, unpayable or other-currency invoice) and ``bank_account_id``
                for a bank account in another currency.
        """
        states: dict[str, InvoiceState | None] = {}
        collection = INVOICES_SETTLED.get(payment.type)
        errors: dict[str, list[str]] = {}
        repeat = repeating_chosen_call()
        if collection is not None and payment.allocations:
            def invoice(id: str) -> InvoiceState | None:
                if id not in states:
                    states[id] = self._invoice_state(collection, id, repeat)
                return states[id]

            errors.update(allocation_errors(payment, invoice))
        currency = payment.currency or next(
            (state.currency for state in states.values() if state and state.currency), None)
        if currency is not None:
            problem = bank_currency_error(currency, self._bank_currency(payment.bank_account_id),
                                          self._base_currency)
            if problem:
                errors["bank_account_id"] = [problem]
        if errors:
            raise ValidationError(errors, provider="sage")

    def create(self, model: Payment, **options: Any) -> Payment:
        """``POST /contact_payments`` with an ``idempotency_id``; options: ``provider_fields``.

        Each allocated invoice is read first (:meth:`check_allocations`).

        Raises:
            ValidationError: no bank account can be chosen, the payment method is unknown, an
                allocation exceeds its invoice's outstanding amount or is in another currency,
                the bank account holds another currency, or Sage refuses the body.
        """
        check_options(options, {"provider_fields"}, "payments.create")
        resolved = self.resolve(model)
        self.check_allocations(resolved)
        body = payments.to_sage(resolved, provider_fields=options.get("provider_fields"))
        raw = self.send("POST", path_of(self.collection), self.wrapper, body)
        return self.to_model(raw, self.tenant.include_remote())

    def update(self, id: str, changes: Payment | Mapping[str, Any], **options: Any) -> Payment:
        """``PUT /contact_payments/{id}`` with only the changed fields."""
        check_options(options, {"provider_fields"}, "payments.update")
        if isinstance(changes, Payment):
            changes = self.resolve(changes)
        elif changes.get("payment_method") is not None:
            methods = self.tenant.reference("payment_methods")
            changes = {**changes,
                       "payment_method": choose_payment_method(methods, changes["payment_method"])}
        body = update_body(
            changes, model=Payment, wrapper=self.wrapper,
            placeholders={"type": "customer_receipt", "contact_id": "",
                          "date": date(2000, 1, 1), "amount": Decimal("0")},
            to_sage=lambda m: payments.to_sage(m, partial=True),
            provider_fields=options.get("provider_fields"),
        )
        raw = self.send("PUT", path_of(self.collection, id), self.wrapper, body)
        return self.to_model(raw, self.tenant.include_remote())
