"""Invoices: sales invoices are v2 ``TaxInvoice`` records (``TI123``), purchase invoices
``SupplierInvoice`` records (``SI45``).

The adapter sets each new document's number (``useSystemDocumentNumber=false``; the
unified ``number`` when given, else ``UA-...``), so that a create whose answer was lost can
be found again by it. Lists ask for ``includeDetail=true`` because the lines are needed. v2
has no Delete for documents (they are corrected with credit notes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import Invoice, InvoiceStatus
from unified_accounting_sage_za.handlers.base import ZAHandler, merged
from unified_accounting_sage_za.handlers.lines import line_body, line_from, tax_types
from unified_accounting_sage_za.wire import as_decimal, parse_id, parse_stamp, parse_wire_date

__all__ = ["KINDS", "InvoicesHandler"]

#: unified type -> (controller, id prefix, party field, party prefix)
KINDS: Mapping[str, tuple[str, str, str, str]] = {
    "sales": ("TaxInvoice", "TI", "CustomerId", "C"),
    "purchase": ("SupplierInvoice", "SI", "SupplierId", "S"),
}
_BY_PREFIX = {prefix: kind for kind, (_, prefix, _, _) in KINDS.items()}
_OWN_NUMBER = {"useSystemDocumentNumber": "false"}


def _party_id(contact_id: str, party_prefix: str, kind: str) -> int:
    for piece in str(contact_id).split("-"):
        if piece[:1] == party_prefix and piece[1:].isdigit():
            return int(piece[1:])
    role = "customer" if party_prefix == "C" else "supplier"
    raise ValidationError({"contact_id": [f"a {kind} invoice needs a {role} contact "
                                          f"(an id starting with {party_prefix})"]},
                          provider="sage_za")


def _status(raw: Mapping[str, Any], total: Decimal | None, due: Decimal | None) -> InvoiceStatus:
    if raw.get("Paid") or (due is not None and due == 0 and total):
        return "paid"
    if due is not None and total is not None and due < total:
        return "partially_paid"
    return "open"


class InvoicesHandler(ZAHandler[Invoice]):
    """``TaxInvoice/*`` and ``SupplierInvoice/*`` (see the module docstring)."""

    resource = "invoices"
    list_query = {"includeDetail": "true"}

    def _types(self) -> list[dict[str, Any]]:
        return tax_types(self.context, lambda: self.raw_list("TaxType"))

    def to_model(self, raw: Mapping[str, Any], kind: str, remote: bool = False) -> Invoice:
        """A unified invoice from a stored document."""
        _, prefix, party_field, party_prefix = KINDS[kind]
        inclusive = bool(raw.get("Inclusive"))
        total, due = as_decimal(raw.get("Total")), as_decimal(raw.get("AmountDue"))
        created = parse_stamp(raw.get("Created"))
        types = self._types()
        return Invoice(
            id=f"{prefix}{raw['ID']}", business_id=self.context.business_id, type=kind,  # type: ignore[arg-type]
            number=raw.get("DocumentNumber") or None, reference=raw.get("Reference") or None,
            contact_id=f"{party_prefix}{raw.get(party_field)}",
            issue_date=parse_wire_date(raw.get("Date")),  # type: ignore[arg-type]
            due_date=parse_wire_date(raw.get("DueDate")), currency="ZAR",
            status=_status(raw, total, due), tax_inclusive=inclusive,
            notes=raw.get("Message") or None,
            lines=[line_from(line, inclusive, types) for line in raw.get("Lines") or []],
            net_amount=as_decimal(raw.get("Exclusive")), tax_amount=as_decimal(raw.get("Tax")),
            total_amount=total, amount_due=due,
            amount_paid=None if total is None or due is None else total - due,
            created_at=created, updated_at=parse_stamp(raw.get("Modified")) or created,
            remote_data=dict(raw) if remote else None)

    def _kinds(self, filters: Mapping[str, Any]) -> list[str]:
        wanted = filters.get("type")
        return [str(wanted)] if wanted in KINDS else [*KINDS]

    def list(self, filters: Mapping[str, Any]) -> Iterator[Invoice]:
        """``GET TaxInvoice/Get?includeDetail=true`` then the supplier invoices."""
        remote = bool(filters.get("include_remote_data"))
        for kind in self._kinds(filters):
            for raw in self.listed(KINDS[kind][0], filters):
                yield self.to_model(raw, kind, remote)

    def get(self, id: str) -> Invoice:
        """``GET TaxInvoice/Get/{id}`` (or ``SupplierInvoice``)."""
        prefix, sage_id = parse_id(id, tuple(_BY_PREFIX))
        kind = _BY_PREFIX[prefix]
        return self.to_model(self.raw_get(KINDS[kind][0], sage_id), kind)

    def body(self, model: Invoice, current: Mapping[str, Any] | None) -> dict[str, Any]:
        """The Save body (an update starts from the stored document)."""
        _, _, party_field, party_prefix = KINDS[model.type]
        mapping = self.context.settings.get("account_mapping") or {}
        lines = [line_body(line, index, inclusive=model.tax_inclusive, types=self._types(),
                           mapping=mapping) for index, line in enumerate(model.lines)]
        return {**(current or {}),
                party_field: _party_id(model.contact_id, party_prefix, model.type),
                "Date": model.issue_date.isoformat(),
                "DueDate": model.due_date.isoformat() if model.due_date else None,
                "Reference": model.reference or "", "Message": model.notes or "",
                "Inclusive": model.tax_inclusive, "Lines": lines,
                "DocumentNumber": (current or {}).get("DocumentNumber") or model.number
                or self.reference_for("UA")}

    def create(self, model: Invoice, **options: Any) -> Invoice:
        """``POST TaxInvoice/Save?useSystemDocumentNumber=false`` (looked up by number)."""
        controller = KINDS[model.type][0]
        body = self.body(model, None)
        raw = self.save_new(controller, body, key_field="DocumentNumber",
                            key=body["DocumentNumber"], params=_OWN_NUMBER)
        if "Lines" not in raw:  # found by the look-up, which lists without lines
            raw = self.raw_get(controller, int(raw["ID"]))
        self.snapshot.seen(controller, [int(raw["ID"])])
        return self.to_model(raw, model.type)

    def update(self, id: str, changes: Invoice | Mapping[str, Any], **options: Any) -> Invoice:
        """``GET``, apply the changes, ``POST .../Save`` with the ``ID`` (a full replace)."""
        prefix, sage_id = parse_id(id, tuple(_BY_PREFIX))
        kind = _BY_PREFIX[prefix]
        current_raw = self.raw_get(KINDS[kind][0], sage_id)
        wanted = merged(self.to_model(current_raw, kind), changes)
        if wanted.type != kind:
            raise ValidationError({"type": ["an invoice cannot change its type"]},
                                  provider="sage_za")
        stored = self.save_existing(KINDS[kind][0], self.body(wanted, current_raw))
        return self.to_model(stored, kind)
