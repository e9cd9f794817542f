"""What invoices and credit notes share: v2 commercial documents with lines.

Sales and purchase documents live in two controllers each (``TaxInvoice`` and
``SupplierInvoice``; ``CustomerReturn`` and ``SupplierReturn``); a letter prefix of the
unified id says which (``TI7``, ``CN9``). The adapter sets each new document's number
(``useSystemDocumentNumber=false``; the unified ``number`` when given, else ``UA-...``), so
that a create whose answer was lost can be found again by it. Lists ask for
``includeDetail=true`` because the lines are needed. v2 has no Delete for documents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from unified_accounting.errors import ValidationError
from unified_accounting.models import CreditNote, Invoice
from unified_accounting_sage_za.handlers.base import ZAHandler, merged
from unified_accounting_sage_za.handlers.lines import line_body, line_from, tax_types
from unified_accounting_sage_za.wire import as_decimal, parse_id, parse_stamp, parse_wire_date

__all__ = ["OWN_NUMBER", "DocumentKind", "DocumentsHandler", "settlement"]

D = TypeVar("D", Invoice, CreditNote)
OWN_NUMBER = {"useSystemDocumentNumber": "false"}
"""The Save query that keeps the number the adapter set (the key of the look-up)."""


@dataclass(frozen=True)
class DocumentKind:
    """Where one unified type of document lives in v2."""

    controller: str
    prefix: str  # of the unified document id
    party_field: str
    party_prefix: str  # of the unified contact id


def settlement(total: Decimal | None, due: Decimal | None) -> str:
    """How much of a document is settled: ``all``, ``part`` or ``none`` (from its
    ``AmountDue``; a document without a total is never settled)."""
    if due is not None and due == 0 and total:
        return "all"
    if due is not None and total is not None and due < total:
        return "part"
    return "none"


class DocumentsHandler(ZAHandler[D]):
    """Base of the invoice and credit note handlers (see the module docstring).

    Class attributes:
        kinds: unified type (``sales``, ``purchase``) -> where it lives.
        noun: what the documents are called in messages.
    """

    kinds: ClassVar[Mapping[str, DocumentKind]] = {}
    noun: ClassVar[str] = "document"
    list_query = {"includeDetail": "true"}

    def _types(self) -> list[dict[str, Any]]:
        return tax_types(self.context, lambda: self.raw_list("TaxType"))

    def common(self, raw: Mapping[str, Any], kind: str, remote: bool) -> dict[str, Any]:
        """The fields every unified document reads the same way."""
        spec = self.kinds[kind]
        inclusive = bool(raw.get("Inclusive"))
        created = parse_stamp(raw.get("Created"))
        types = self._types()
        return {
            "id": f"{spec.prefix}{raw['ID']}", "business_id": self.context.business_id,
            "type": kind, "number": raw.get("DocumentNumber") or None,
            "reference": raw.get("Reference") or None,
            "contact_id": f"{spec.party_prefix}{raw.get(spec.party_field)}",
            "issue_date": parse_wire_date(raw.get("Date")), "currency": "ZAR",
            "tax_inclusive": inclusive, "notes": raw.get("Message") or None,
            "lines": [line_from(line, inclusive, types) for line in raw.get("Lines") or []],
            "net_amount": as_decimal(raw.get("Exclusive")),
            "tax_amount": as_decimal(raw.get("Tax")),
            "total_amount": as_decimal(raw.get("Total")), "created_at": created,
            "updated_at": parse_stamp(raw.get("Modified")) or created,
            "remote_data": dict(raw) if remote else None}

    def to_model(self, raw: Mapping[str, Any], kind: str, remote: bool = False) -> D:
        """A unified document from a stored one (each subclass)."""
        raise NotImplementedError

    def extra_body(self, model: D) -> dict[str, Any]:
        """Save body fields of the subclass's own (the due date of an invoice, ...)."""
        return {}

    # -- reading -------------------------------------------------------------------------

    def kinds_of(self, filters: Mapping[str, Any]) -> list[str]:
        """The types a ``type`` filter leaves (both without one)."""
        wanted = filters.get("type")
        return [str(wanted)] if wanted in self.kinds else [*self.kinds]

    def list(self, filters: Mapping[str, Any]) -> Iterator[D]:
        """``GET {controller}/Get?includeDetail=true`` of each type in turn."""
        remote = bool(filters.get("include_remote_data"))
        for kind in self.kinds_of(filters):
            for raw in self.listed(self.kinds[kind].controller, filters):
                yield self.to_model(raw, kind, remote)

    def locate(self, id: str) -> tuple[str, int]:
        """The unified type and Sage id of a unified id (``NotFoundError`` for a stranger)."""
        by_prefix = {spec.prefix: kind for kind, spec in self.kinds.items()}
        prefix, sage_id = parse_id(id, tuple(by_prefix))
        return by_prefix[prefix], sage_id

    def get(self, id: str) -> D:
        """``GET {controller}/Get/{id}``."""
        kind, sage_id = self.locate(id)
        return self.to_model(self.raw_get(self.kinds[kind].controller, sage_id), kind)

    # -- writing -------------------------------------------------------------------------

    def party_id(self, model: D) -> int:
        """The Sage customer or supplier id of the document's contact.

        Raises:
            ValidationError: the contact is not of the kind the document needs.
        """
        spec = self.kinds[model.type]
        for piece in str(model.contact_id).split("-"):
            if piece[:1] == spec.party_prefix and piece[1:].isdigit():
                return int(piece[1:])
        role = "customer" if spec.party_prefix == "C" else "supplier"
        raise ValidationError({"contact_id": [
            f"a {model.type} {self.noun} needs a {role} contact (an id starting with "
            f"{spec.party_prefix})"]}, provider="sage_za")

    def body(self, model: D, current: Mapping[str, Any] | None) -> dict[str, Any]:
        """The Save body (an update starts from the stored document)."""
        mapping = self.context.settings.get("account_mapping") or {}
        lines = [line_body(line, index, inclusive=model.tax_inclusive, types=self._types(),
                           mapping=mapping) for index, line in enumerate(model.lines)]
        return {**(current or {}), self.kinds[model.type].party_field: self.party_id(model),
                "Date": model.issue_date.isoformat(), "Reference": model.reference or "",
                "Message": model.notes or "", "Inclusive": model.tax_inclusive, "Lines": lines,
                "DocumentNumber": (current or {}).get("DocumentNumber") or model.number
                or self.reference_for("UA"), **self.extra_body(model)}

    def create(self, model: D, **options: Any) -> D:
        """``POST {controller}/Save?useSystemDocumentNumber=false`` (looked up by number)."""
        controller = self.kinds[model.type].controller
        body = self.body(model, None)
        raw = self.save_new(controller, body, key_field="DocumentNumber",
                            key=body["DocumentNumber"], params=OWN_NUMBER)
        return self.created(raw, model.type)

    def created(self, raw: Mapping[str, Any], kind: str) -> D:
        """The unified document a create stored (or an earlier run of it, found again)."""
        controller = self.kinds[kind].controller
        if "Lines" not in raw:  # found by the look-up, which lists without lines
            raw = self.raw_get(controller, int(raw["ID"]))
        self.snapshot.seen(controller, [int(raw["ID"])])
        return self.to_model(raw, kind)

    def update(self, id: str, changes: D | Mapping[str, Any], **options: Any) -> D:
        """``GET``, apply the changes, ``POST .../Save`` with the ``ID`` (a full replace)."""
        kind, sage_id = self.locate(id)
        controller = self.kinds[kind].controller
        current_raw = self.raw_get(controller, sage_id)
        wanted = merged(self.to_model(current_raw, kind), changes)
        if wanted.type != kind:
            raise ValidationError({"type": [f"a {self.noun} cannot change its type"]},
                                  provider="sage_za")
        stored = self.save_existing(controller, self.body(wanted, current_raw))
        return self.to_model(stored, kind)
