"""Payments: ``CustomerReceipt`` (``CR123``) and ``SupplierPayment`` (``SP45``), with their
allocations kept in the separate ``Allocation`` resource.

A create saves the payment (its document number set by the adapter, the look-up key), then
one ``Allocation/Save`` per allocation. Every allocation is checked against the invoice's
amount due before the payment is sent, so a refused allocation cannot leave a half-written
payment behind in the ordinary case. Reads list a page's allocations in one request.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.models import Payment, PaymentAllocation
from unified_accounting_sage_za.handlers.allocations import (
    allocations_of,
    is_allocated,
    save_allocation,
)
from unified_accounting_sage_za.handlers.base import ZAHandler
from unified_accounting_sage_za.wire import as_decimal, parse_id, parse_stamp, parse_wire_date

__all__ = ["KINDS", "PaymentsHandler"]

#: unified type -> (controller, id prefix, party field, party prefix, invoice controller,
#: invoice prefix)
KINDS: Mapping[str, tuple[str, str, str, str, str, str]] = {
    "customer_receipt": ("CustomerReceipt", "CR", "CustomerId", "C", "TaxInvoice", "TI"),
    "supplier_payment": ("SupplierPayment", "SP", "SupplierId", "S", "SupplierInvoice", "SI"),
}
_BY_PREFIX = {spec[1]: kind for kind, spec in KINDS.items()}
#: unified payment method -> v2 ``PaymentMethod``
METHODS: Mapping[str, int] = {"cash": 1, "cheque": 2, "credit_card": 3, "eft": 4}
_OWN_NUMBER = {"useSystemDocumentNumber": "false"}
#: The one currency the adapter reads v2 documents in.
HOME_CURRENCY = "ZAR"


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError({path: [message]}, provider="sage_za")


def _allocation_problems(index: int, allocation: PaymentAllocation, invoice: Mapping[str, Any],
                         party: tuple[str, int], used: Decimal) -> dict[str, builtins.list[str]]:
    """What is wrong with allocation ``index`` to ``invoice``, given what earlier ones took."""
    at = f"allocations[{index}]"
    field, party_id = party
    if invoice.get(field) is not None and int(invoice[field]) != party_id:
        return {f"{at}.invoice_id": ["the invoice belongs to another contact"]}
    due = as_decimal(invoice.get("AmountDue")) or Decimal("0")
    discount = allocation.discount or Decimal("0")
    if used + allocation.amount + discount <= due:
        return {}
    given = f"given {allocation.amount:.2f}"
    if discount:
        given += f" plus a discount of {discount:.2f}"
    if used:
        given += f", after {used:.2f} allocated to it above"
    return {f"{at}.amount": [f"{given}; the invoice's amount due is {due:.2f}"]}


class PaymentsHandler(ZAHandler[Payment]):
    """``CustomerReceipt/*``, ``SupplierPayment/*`` and ``Allocation/*``."""

    resource = "payments"

    def to_model(self, raw: Mapping[str, Any], kind: str,
                 allocations: Sequence[Mapping[str, Any]], remote: bool = False) -> Payment:
        """A unified payment from a stored payment and its allocations."""
        _, prefix, party_field, party_prefix, _, invoice_prefix = KINDS[kind]
        created = parse_stamp(raw.get("Created"))
        methods = {code: name for name, code in METHODS.items()}
        return Payment(
            id=f"{prefix}{raw['ID']}", business_id=self.context.business_id, type=kind,  # type: ignore[arg-type]
            contact_id=f"{party_prefix}{raw.get(party_field)}",
            date=parse_wire_date(raw.get("Date")),  # type: ignore[arg-type]
            amount=as_decimal(raw.get("Total")) or Decimal("0"), currency=HOME_CURRENCY,
            bank_account_id=str(raw["BankAccountId"]) if raw.get("BankAccountId") else None,
            payment_method=methods.get(raw.get("PaymentMethod")),  # type: ignore[arg-type]
            reference=raw.get("Reference") or None,
            allocations=[PaymentAllocation(
                invoice_id=f"{invoice_prefix}{item['AllocatedToDocumentId']}",
                amount=as_decimal(item.get("Total")) or Decimal("0"),
                discount=as_decimal(item.get("Discount")) or None) for item in allocations],
            created_at=created, updated_at=parse_stamp(raw.get("Modified")) or created,
            remote_data=dict(raw) if remote else None)

    def _page(self, raws: builtins.list[dict[str, Any]], kind: str,
              remote: bool) -> builtins.list[Payment]:
        allocations = allocations_of(self, [int(raw["ID"]) for raw in raws]) if raws else {}
        return [self.to_model(raw, kind, allocations.get(int(raw["ID"]), []), remote)
                for raw in raws]

    def list(self, filters: Mapping[str, Any]) -> Iterator[Payment]:
        """``GET CustomerReceipt/Get`` and ``SupplierPayment/Get``, 100 at a time, each page
        with one ``Allocation/Get`` for its allocations."""
        remote = bool(filters.get("include_remote_data"))
        wanted = filters.get("type")
        kinds: builtins.list[str] = [str(wanted)] if wanted in KINDS else [*KINDS]
        for kind in kinds:
            batch: builtins.list[dict[str, Any]] = []
            for raw in self.listed(KINDS[kind][0], filters):
                batch.append(raw)
                if len(batch) == 100:
                    yield from self._page(batch, kind, remote)
                    batch = []
            yield from self._page(batch, kind, remote)

    def get(self, id: str) -> Payment:
        """``GET CustomerReceipt/Get/{id}`` plus its allocations."""
        prefix, sage_id = parse_id(id, tuple(_BY_PREFIX))
        kind = _BY_PREFIX[prefix]
        raw = self.raw_get(KINDS[kind][0], sage_id)
        return self._page([raw], kind, False)[0]

    def _bank_account(self, model: Payment) -> int:
        if model.bank_account_id:
            if not model.bank_account_id.isdigit():
                raise _fail("bank_account_id", "v2 bank account ids are whole numbers")
            return int(model.bank_account_id)
        accounts = list(self.raw_list("BankAccount"))
        chosen = next((a for a in accounts if a.get("Default")), accounts[0] if accounts else None)
        if chosen is None:
            raise _fail("bank_account_id", "the company has no bank account")
        return int(chosen["ID"])

    @staticmethod
    def _targets(model: Payment,
                 invoice_prefix: str) -> builtins.list[tuple[int, PaymentAllocation]]:
        return [(parse_id(allocation.invoice_id, (invoice_prefix,))[1], allocation)
                for allocation in model.allocations]

    def _invoice(self, controller: str, sage_id: int) -> dict[str, Any] | None:
        try:
            return self.raw_get(controller, sage_id)
        except NotFoundError:
            return None

    def _check_allocations(self, model: Payment, invoice_controller: str, invoice_prefix: str,
                           party: tuple[str, int]) -> builtins.list[tuple[int, PaymentAllocation]]:
        """Check each allocation against its invoice (one ``GET`` per invoice) before anything
        is written: the same party, and no more than the amount due, counting earlier
        allocations to the same invoice and discounts.

        Raises:
            ValidationError: naming every failing ``allocations[i]`` field, with the amount
                given and the invoice's amount due.
        """
        errors: dict[str, builtins.list[str]] = {}
        invoices: dict[int, dict[str, Any]] = {}
        used: dict[int, Decimal] = {}
        checked = []
        for index, (sage_id, allocation) in enumerate(self._targets(model, invoice_prefix)):
            invoice = invoices.get(sage_id) or self._invoice(invoice_controller, sage_id)
            if invoice is None:
                errors[f"allocations[{index}].invoice_id"] = ["no such invoice in this company"]
                continue
            invoices[sage_id] = invoice
            errors.update(_allocation_problems(index, allocation, invoice, party,
                                               used.get(sage_id, Decimal(0))))
            used[sage_id] = (used.get(sage_id, Decimal(0)) + allocation.amount
                             + (allocation.discount or Decimal(0)))
            checked.append((sage_id, allocation))
        if sum((a.amount for a in model.allocations), Decimal("0")) > model.amount:
            errors["allocations"] = ["the allocations add up to more than the payment"]
        if errors:
            raise ValidationError(errors, provider="sage_za")
        return checked

    def create(self, model: Payment, **options: Any) -> Payment:
        """``POST CustomerReceipt/Save?useSystemDocumentNumber=false``, then
        ``POST Allocation/Save`` for each allocation (each looked up before a resend)."""
        if model.type not in KINDS:
            raise _fail("type", "v2 records customer receipts and supplier payments only")
        controller, _, party_field, party_prefix, invoice_controller, invoice_prefix = \
            KINDS[model.type]
        party = next((piece for piece in model.contact_id.split("-")
                      if piece[:1] == party_prefix and piece[1:].isdigit()), None)
        if party is None:
            raise _fail("contact_id", f"a {model.type} needs a contact id starting with "
                                      f"{party_prefix}")
        if model.currency not in (None, HOME_CURRENCY):
            raise _fail("currency", f"v2 payments are recorded in {HOME_CURRENCY}, the "
                                    f"currency of its invoices here; not in {model.currency}")
        number = self.reference_for("UA")
        raw = self.stored_before(controller, "DocumentNumber", number)
        if raw is None:
            allocations = self._check_allocations(model, invoice_controller, invoice_prefix,
                                                  (party_field, int(party[1:])))
            raw = self._send(model, controller, {party_field: int(party[1:])}, number)
        else:
            # A repeated call whose payment is stored: only the allocations it has not made
            # yet are left (the amounts due already reflect the ones it made).
            allocations = [(target, allocation) for target, allocation
                           in self._targets(model, invoice_prefix)
                           if not is_allocated(self, int(raw["ID"]), target)]
        for target, allocation in allocations:
            save_allocation(self, int(raw["ID"]), target, allocation.amount, allocation.discount)
        self.snapshot.seen(controller, [int(raw["ID"])])
        return self.get(f"{KINDS[model.type][1]}{raw['ID']}")

    def _send(self, model: Payment, controller: str, party: Mapping[str, int],
              number: str) -> dict[str, Any]:
        body = {**party, "Date": model.date.isoformat(),
                "Total": model.amount, "BankAccountId": self._bank_account(model),
                "Reference": model.reference or "", "DocumentNumber": number,
                "PaymentMethod": METHODS.get(model.payment_method or "eft", 4),
                "Description": model.reference or ""}
        return self.send_new(controller, body, key_field="DocumentNumber", key=number,
                             params=_OWN_NUMBER)
