"""Whether a credit note may be set against invoices: the rules every provider applies.

Providers read the credit note and the invoices first, then call :func:`check_allocations`
before anything is sent, so a refused allocation leaves the books as they were. The rules:

* the credit note is neither a draft nor void, nor is any invoice;
* each invoice has the credit note's type (sales with sales), contact and currency;
* the amounts set against one invoice add up to no more than its ``amount_due``;
* all the amounts add up to no more than the credit note's ``amount_remaining`` (its
  ``total_amount`` while the provider reports no remaining amount).

Sums are exact (:func:`unified_accounting.schemas.rules.excess_error`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from unified_accounting import money
from unified_accounting.errors import ValidationError
from unified_accounting.models import CreditNote, CreditNoteAllocation, Invoice
from unified_accounting.schemas.rules import excess_error
from unified_accounting.validation import validate_model

__all__ = ["allocation_errors", "check_allocations", "remaining_of"]

Errors = dict[str, list[str]]
_CLOSED = {"draft": "a draft", "void": "void"}


def remaining_of(credit_note: CreditNote) -> Decimal | None:
    """What is left to allocate: ``amount_remaining``, else ``total_amount``, else unknown."""
    if credit_note.amount_remaining is not None:
        return credit_note.amount_remaining
    return credit_note.total_amount


def _invoice_errors(credit_note: CreditNote, invoice: Invoice) -> list[str]:
    """Why ``invoice`` cannot take this credit note at all (type, contact, currency, status)."""
    found: list[str] = []
    if invoice.type != credit_note.type:
        found.append(f"a {credit_note.type} credit note is set against {credit_note.type} "
                     f"invoices only; this is a {invoice.type} invoice")
    if invoice.contact_id != credit_note.contact_id:
        found.append(f"the invoice belongs to contact {invoice.contact_id}, the credit note "
                     f"to contact {credit_note.contact_id}")
    if invoice.currency and credit_note.currency and invoice.currency != credit_note.currency:
        found.append(f"the invoice is in {invoice.currency}, the credit note in "
                     f"{credit_note.currency}")
    if invoice.status in _CLOSED:
        found.append(f"the invoice is {_CLOSED[invoice.status]} invoice and owes nothing")
    return found


def _amount_errors(amount: Decimal, currency: str | None) -> list[str]:
    places = money.minor_units(currency)
    if money.fits(amount, places):
        return []
    where = f"for {currency}" if currency in money.MINOR_UNITS else "when no currency is given"
    return [f"has more than {places} decimal places {where}"]


def _each_allocation(credit_note: CreditNote, allocations: Sequence[CreditNoteAllocation],
                     invoices: Mapping[str, Invoice]) -> Errors:
    """The errors of single allocations: their invoice, their amount, what it owes."""
    errors: Errors = {}
    currency = credit_note.currency
    used: dict[str, list[Decimal]] = {}
    for index, allocation in enumerate(allocations):
        here = f"allocations[{index}]"
        invoice = invoices.get(allocation.invoice_id)
        problems = (
            _invoice_errors(credit_note, invoice) if invoice is not None
            else [f"no {credit_note.type} invoice {allocation.invoice_id} in this business"])
        if problems:
            errors[f"{here}.invoice_id"] = problems
        amount_problems = _amount_errors(allocation.amount, currency)
        if amount_problems:
            errors[f"{here}.amount"] = amount_problems
        if invoice is None or problems or amount_problems or invoice.amount_due is None:
            continue
        parts = used.setdefault(allocation.invoice_id, [])
        parts.append(allocation.amount)
        message = excess_error("allocated", parts, "the invoice's amount_due",
                               invoice.amount_due, currency)
        if message:
            errors[f"{here}.amount"] = [message]
    return errors


def _whole_errors(credit_note: CreditNote,
                  allocations: Sequence[CreditNoteAllocation]) -> list[str]:
    """The errors of the allocations together: none given, a closed note, too much."""
    if not allocations:
        return ["name at least one invoice to allocate to"]
    if credit_note.status in _CLOSED:
        return [f"the credit note is {_CLOSED[credit_note.status]} credit note and cannot be "
                "allocated"]
    remaining = remaining_of(credit_note)
    if remaining is None:
        return []
    message = excess_error("allocations", [a.amount for a in allocations],
                           "the credit note's amount_remaining", remaining, credit_note.currency)
    return [message] if message else []


def allocation_errors(credit_note: CreditNote, allocations: Sequence[CreditNoteAllocation],
                      invoices: Mapping[str, Invoice]) -> Errors:
    """Return every reason the allocations cannot be made, by field path (empty when none).

    Args:
        credit_note: the credit note as the provider stores it (status, amounts, currency).
        allocations: what to set against which invoice.
        invoices: the invoices named, as the provider stores them, by id; an id missing here
            is reported as unknown.

    Returns:
        Paths such as ``allocations[1].amount`` mapped to their messages.
    """
    errors = _each_allocation(credit_note, allocations, invoices)
    whole = _whole_errors(credit_note, allocations)
    if whole:
        errors["allocations"] = whole
    return errors


def check_allocations(credit_note: CreditNote, allocations: Sequence[CreditNoteAllocation],
                      invoices: Mapping[str, Invoice], *, provider: str | None = None) -> None:
    """Refuse allocations that break a rule (see the module docstring) before any write.

    Each allocation is first checked on its own (``validate_model``: an id, an amount above
    zero, Decimal types).

    Raises:
        ValidationError: every problem, by field path (``allocations[0].invoice_id``).
    """
    errors: Errors = {}
    for index, allocation in enumerate(allocations):
        try:
            validate_model(allocation)
        except ValidationError as exc:
            for path, messages in exc.errors.items():
                errors[f"allocations[{index}].{path}"] = list(messages)
    if not errors:
        errors = allocation_errors(credit_note, allocations, invoices)
    if errors:
        raise ValidationError(errors, provider=provider)
