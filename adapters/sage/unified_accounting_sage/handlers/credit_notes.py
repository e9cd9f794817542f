"""``client.credit_notes``: Sage ``/sales_credit_notes`` and ``/purchase_credit_notes``, and
their allocations to invoices through ``/contact_allocations``.

A credit note is written like an invoice (contact, tax code, account concept and item checks
of :mod:`unified_accounting_sage.handlers.documents`). ``invoice_id`` must name an invoice of
the same type, contact and currency; Sage keeps its date (``original_invoice_date``).

``allocate(credit_note_id, allocations)`` reads the credit note and the invoices, checks the
allocations against them (:func:`unified_accounting.credit_allocation.check_allocations`)
and only then posts one contact allocation per allocation date. Allocations given at create
are checked against the invoices and the credit note's ``total_amount`` (which they then
need) before the credit note is sent, and allocated once it is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from unified_accounting.credit_allocation import check_allocations
from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.models import CreditNote, CreditNoteAllocation, Invoice, InvoiceType
from unified_accounting_sage.handlers.base import CRUD, path_of
from unified_accounting_sage.handlers.documents import (
    DOCUMENT_FILTERS,
    DocumentHandler,
    Resolvers,
)
from unified_accounting_sage.handlers.query import FieldAttributes, Filter, choice
from unified_accounting_sage.mappers import credit_notes, invoices

__all__ = ["CreditNoteHandler"]

KINDS: tuple[InvoiceType, ...] = ("sales", "purchase")
_SHOW_ALLOCATIONS = {"show_payments_allocations": "true"}


def _attributes(kind: InvoiceType) -> FieldAttributes:
    number = "credit_note_number" if kind == "sales" else "vendor_reference"
    return FieldAttributes(
        credit_notes.ATTRIBUTES_BY_TYPE[kind], CreditNote,
        {
            "type": (), "number": (number,), "contact_id": ("contact",), "issue_date": ("date",),
            "tax_inclusive": ("credit_note_lines",), "lines": ("credit_note_lines",),
            "amount_allocated": ("total_paid",), "amount_remaining": ("outstanding_amount",),
            "allocations": ("payments_allocations",), "invoice_id": (),
        },
        always=("date",),
    )


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError({path: [message]}, provider="sage")


class CreditNoteHandler(DocumentHandler[CreditNote]):
    """Sales and purchase credit notes, and their allocation to invoices.

    Filters: ``type``, ``updated_since``, ``search``, ``contact_id``, ``status`` (unified
    status -> ``status_id``), ``from_date``, ``to_date``.
    """

    resource = "credit_notes"
    operations = CRUD | {"list_deleted", "release", "allocate"}
    model = CreditNote
    collections = {kind: f"{kind}_credit_notes" for kind in KINDS}
    wrappers = credit_notes.WRAPPER_KEYS
    lines_key = "credit_note_lines"
    kind_attributes = {kind: _attributes(kind) for kind in KINDS}
    filters = {**DOCUMENT_FILTERS,
               "status": Filter("status_id", choice(credit_notes.STATUS_TO_SAGE))}

    def map_one(self, raw: Mapping[str, Any], kind: InvoiceType, remote: bool) -> CreditNote:
        """Map one Sage credit note."""
        return credit_notes.to_unified(raw, business_id=self.business_id,
                                       include_remote=remote, credit_note_type=kind)

    def kind_params(self, filters: Mapping[str, Any], kind: str) -> dict[str, str]:
        """A list query that also asks for each credit note's allocations."""
        return {**super().kind_params(filters, kind), **_SHOW_ALLOCATIONS}

    def fetch(self, collection: str, id: str) -> dict[str, Any]:
        """``GET /{collection}/{id}?show_payments_allocations=true``."""
        answer = self.transport.request("GET", path_of(collection, id), params=_SHOW_ALLOCATIONS)
        return self.record(answer.json())

    # -- the invoices a credit note names ------------------------------------------------

    def invoice(self, kind: InvoiceType, invoice_id: str) -> Invoice | None:
        """Return an invoice of ``kind`` (``GET /{kind}_invoices/{id}``), or ``None``."""
        try:
            raw = self.raw_get(f"{kind}_invoices", invoice_id)
        except NotFoundError:
            return None
        return invoices.to_unified(raw, business_id=self.business_id, invoice_type=kind)

    def _original_date(self, model: CreditNote) -> date | None:
        """The date of the invoice ``invoice_id`` names, after checking it fits the note."""
        if model.invoice_id is None:
            return None
        found = self.invoice(model.type, model.invoice_id)
        if found is None:
            raise _fail("invoice_id", f"no {model.type} invoice {model.invoice_id} in this "
                                      "business")
        if model.contact_id and found.contact_id != model.contact_id:
            raise _fail("invoice_id", f"the invoice belongs to contact {found.contact_id}, "
                                      f"the credit note to contact {model.contact_id}")
        if model.currency and found.currency and found.currency != model.currency:
            raise _fail("invoice_id", f"the invoice is in {found.currency}, the credit note "
                                      f"in {model.currency}")
        return found.issue_date

    def to_sage_body(self, model: CreditNote, resolvers: Resolvers,
                     extra: Mapping[str, Any] | None, partial: bool) -> dict[str, Any]:
        """The inner body of ``POST``/``PUT /{sales|purchase}_credit_notes``."""
        return credit_notes.to_sage(model, provider_fields=extra, partial=partial,
                                    original_invoice_date=self._original_date(model),
                                    **resolvers)

    # -- allocations ---------------------------------------------------------------------

    def _invoices(self, kind: InvoiceType,
                  allocations: Sequence[CreditNoteAllocation]) -> dict[str, Invoice]:
        found: dict[str, Invoice] = {}
        for allocation in allocations:
            invoice_id = getattr(allocation, "invoice_id", None)
            if isinstance(invoice_id, str) and invoice_id and invoice_id not in found:
                invoice = self.invoice(kind, invoice_id)
                if invoice is not None:
                    found[invoice_id] = invoice
        return found

    def _allocate(self, note: CreditNote,
                  allocations: Sequence[CreditNoteAllocation]) -> CreditNote:
        check_allocations(note, allocations, self._invoices(note.type, allocations),
                          provider="sage")
        for body in credit_notes.allocation_bodies(note, allocations):
            self.send("POST", path_of("contact_allocations"), credit_notes.ALLOCATION_WRAPPER,
                      body)
        return self.get(note.id or "")

    def allocate(self, credit_note_id: str,
                 allocations: Sequence[CreditNoteAllocation]) -> CreditNote:
        """Set a credit note against invoices of its contact (``POST /contact_allocations``).

        Args:
            credit_note_id: the credit note.
            allocations: the invoices and the amounts set against each.

        Returns:
            The credit note as Sage stores it afterwards (its ``amount_remaining`` lowered).

        Raises:
            ValidationError: an allocation breaks a rule (over the credit note's remaining
                amount or an invoice's amount due, another contact, type or currency, a draft
                or void document); nothing is sent then.
            NotFoundError: there is no such credit note.
        """
        return self._allocate(self.get(credit_note_id), list(allocations))

    def create(self, model: CreditNote, **options: Any) -> CreditNote:
        """``POST /{sales|purchase}_credit_notes``, then the allocations it carries.

        Options as for invoices (``provider_fields``, ``tax_region``).

        Raises:
            ValidationError: as for invoices; an ``invoice_id`` of another contact, type or
                currency; allocations that break a rule, or without ``total_amount`` to check
                them against (nothing is sent in these cases).
        """
        if model.allocations:
            if model.total_amount is None:
                raise _fail("total_amount", "give the total when allocations are made at "
                                            "create, so that they are checked before sending")
            pending = replace(model, amount_remaining=None, status=model.status or "open")
            check_allocations(pending, model.allocations,
                              self._invoices(model.type, model.allocations), provider="sage")
        created = super().create(model, **options)
        if not model.allocations:
            return created
        return self._allocate(created, model.allocations)
