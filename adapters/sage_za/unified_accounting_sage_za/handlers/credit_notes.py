"""Credit notes: sales credit notes are v2 ``CustomerReturn`` records (``CN12``), purchase
credit notes ``SupplierReturn`` records (``SN34``); their allocations are ``Allocation``
records whose source is the return.

A return is written like an invoice (numbering, look-up after a lost answer:
:mod:`unified_accounting_sage_za.handlers.documents`). ``invoice_id`` is kept in the return's
``FromDocumentId`` (the invoice must be of the same type). A create with allocations that
repeats an earlier call (the write outbox's redelivery after a lost answer) finds the return
that call stored and makes only the allocations it did not. ``amount_remaining`` is the
return's ``AmountDue``. ``allocate`` reads the return and the invoices, checks the
allocations (:func:`unified_accounting.credit_allocation.check_allocations`) and only then
saves one ``Allocation`` per invoice. v2 has no Delete for returns.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from unified_accounting.credit_allocation import check_allocations
from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.models import CreditNote, CreditNoteAllocation, CreditNoteStatus, Invoice
from unified_accounting_sage_za.handlers.allocations import allocations_of, save_allocation
from unified_accounting_sage_za.handlers.documents import (
    OWN_NUMBER,
    DocumentKind,
    DocumentsHandler,
    settlement,
)
from unified_accounting_sage_za.handlers.invoices import KINDS as INVOICE_KINDS
from unified_accounting_sage_za.handlers.invoices import InvoicesHandler
from unified_accounting_sage_za.wire import as_decimal, parse_id, parse_wire_date

__all__ = ["KINDS", "CreditNotesHandler"]

KINDS: Mapping[str, DocumentKind] = {
    "sales": DocumentKind("CustomerReturn", "CN", "CustomerId", "C"),
    "purchase": DocumentKind("SupplierReturn", "SN", "SupplierId", "S"),
}
_PAGE = 100


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError({path: [message]}, provider="sage_za")


_STATUS: Mapping[str, CreditNoteStatus] = {"all": "allocated", "part": "partially_allocated",
                                            "none": "open"}


class CreditNotesHandler(DocumentsHandler[CreditNote]):
    """``CustomerReturn/*``, ``SupplierReturn/*`` and their ``Allocation/*``."""

    resource = "credit_notes"
    kinds = KINDS
    noun = "credit note"

    def to_model(self, raw: Mapping[str, Any], kind: str, remote: bool = False,
                 allocations: Sequence[Mapping[str, Any]] | None = None) -> CreditNote:
        """A unified credit note from a stored return and its allocations (read when not
        given)."""
        if allocations is None:
            allocations = allocations_of(self, [int(raw["ID"])]).get(int(raw["ID"]), [])
        total, due = as_decimal(raw.get("Total")), as_decimal(raw.get("AmountDue"))
        invoice_prefix = INVOICE_KINDS[kind].prefix
        source = raw.get("FromDocumentId")
        return CreditNote(
            **self.common(raw, kind, remote), status=_STATUS[settlement(total, due)],
            invoice_id=f"{invoice_prefix}{source}" if source else None,
            amount_remaining=due,
            amount_allocated=None if total is None or due is None else total - due,
            allocations=[CreditNoteAllocation(
                invoice_id=f"{invoice_prefix}{item['AllocatedToDocumentId']}",
                amount=as_decimal(item.get("Total")) or Decimal("0"),
                date=parse_wire_date(item.get("Created"))) for item in allocations])

    def _page(self, raws: builtins.list[dict[str, Any]], kind: str,
              remote: bool) -> builtins.list[CreditNote]:
        found = allocations_of(self, [int(raw["ID"]) for raw in raws]) if raws else {}
        return [self.to_model(raw, kind, remote, found.get(int(raw["ID"]), [])) for raw in raws]

    def list(self, filters: Mapping[str, Any]) -> Iterator[CreditNote]:
        """``GET CustomerReturn/Get`` and ``SupplierReturn/Get``, 100 at a time, each page
        with one ``Allocation/Get`` for its allocations."""
        remote = bool(filters.get("include_remote_data"))
        for kind in self.kinds_of(filters):
            batch: builtins.list[dict[str, Any]] = []
            for raw in self.listed(self.kinds[kind].controller, filters):
                batch.append(raw)
                if len(batch) == _PAGE:
                    yield from self._page(batch, kind, remote)
                    batch = []
            yield from self._page(batch, kind, remote)

    def extra_body(self, model: CreditNote) -> dict[str, Any]:
        """``FromDocumentId``: the invoice the return corrects."""
        if model.invoice_id is None:
            return {"FromDocumentId": None}
        try:
            _, sage_id = parse_id(model.invoice_id, (INVOICE_KINDS[model.type].prefix,))
        except NotFoundError:
            raise _fail("invoice_id", f"a {model.type} credit note corrects a {model.type} "
                                      "invoice") from None
        return {"FromDocumentId": sage_id}

    # -- allocations ---------------------------------------------------------------------

    def _invoices(self, kind: str,
                  allocations: Sequence[CreditNoteAllocation]) -> dict[str, Invoice]:
        invoices = InvoicesHandler(self.context)
        prefix = INVOICE_KINDS[kind].prefix
        found: dict[str, Invoice] = {}
        for allocation in allocations:
            wanted = getattr(allocation, "invoice_id", None)
            if isinstance(wanted, str) and wanted.startswith(prefix) and wanted not in found:
                try:
                    found[wanted] = invoices.get(wanted)
                except NotFoundError:
                    continue
        return found

    def _allocate(self, note: CreditNote,
                  allocations: Sequence[CreditNoteAllocation]) -> CreditNote:
        check_allocations(note, allocations, self._invoices(note.type, allocations),
                          provider="sage_za")
        _, source = self.locate(note.id or "")
        prefix = INVOICE_KINDS[note.type].prefix
        for allocation in allocations:
            _, target = parse_id(allocation.invoice_id, (prefix,))
            save_allocation(self, source, target, allocation.amount)
        return self.get(note.id or "")

    def allocate(self, credit_note_id: str,
                 allocations: Sequence[CreditNoteAllocation]) -> CreditNote:
        """Set a return against invoices of its party (``POST Allocation/Save`` each).

        Returns:
            The credit note afterwards (its ``amount_remaining`` lowered).

        Raises:
            ValidationError: an allocation breaks a rule; nothing is saved then.
            NotFoundError: there is no such credit note.
        """
        return self._allocate(self.get(credit_note_id), list(allocations))

    def create(self, model: CreditNote, **options: Any) -> CreditNote:
        """``POST CustomerReturn/Save`` (or ``SupplierReturn``), then its allocations.

        In a repeated call (``chosen_idempotency_keys(..., repeat=True)``) whose return is
        already stored, only the allocations not stored yet are checked and made.

        Raises:
            ValidationError: allocations that break a rule, or without ``total_amount`` to
                check them against (nothing is saved then).
        """
        if not model.allocations:
            return super().create(model, **options)
        if model.total_amount is None:
            raise _fail("total_amount", "give the total when allocations are made at "
                                        "create, so that they are checked before saving")
        controller = self.kinds[model.type].controller
        body = self.body(model, None)
        found = self.stored_before(controller, "DocumentNumber", body["DocumentNumber"])
        if found is not None:
            earlier = self.created(found, model.type)
            missing = self._missing(earlier, model.allocations)
            return self._allocate(earlier, missing) if missing else earlier
        pending = replace(model, amount_remaining=None, status="open")
        check_allocations(pending, model.allocations,
                          self._invoices(model.type, model.allocations), provider="sage_za")
        raw = self.send_new(controller, body, key_field="DocumentNumber",
                            key=body["DocumentNumber"], params=OWN_NUMBER)
        return self._allocate(self.created(raw, model.type), model.allocations)

    @staticmethod
    def _missing(stored: CreditNote, wanted: Sequence[CreditNoteAllocation]
                 ) -> builtins.list[CreditNoteAllocation]:
        """The wanted allocations the stored credit note lacks (each stored one, of the same
        invoice and amount, accounts for one wanted)."""
        made = Counter((a.invoice_id, a.amount) for a in stored.allocations)
        missing = []
        for allocation in wanted:
            key = (allocation.invoice_id, allocation.amount)
            if made[key] > 0:
                made[key] -= 1
            else:
                missing.append(allocation)
        return missing
