"""What the invoice and credit note mappers share: the header fields, the type, the lines.

Sales and purchase invoices and credit notes are one kind of Sage document: the same header
(contact, date, reference, currency, amounts) and the same line shape (under
``invoice_lines`` or ``credit_note_lines``). A :class:`DocumentShape` says what differs.
``tax_inclusive`` is one flag of the document here and ``unit_price_includes_tax`` on every
Sage line. A line's ``item_id`` is sent as ``product_id`` or ``service_id``, by the item's
type, which the caller's resolver tells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import CreditNote, Invoice, InvoiceLine, InvoiceType, ItemType
from unified_accounting_sage.json_values import (
    format_date,
    format_money,
    parse_date,
    parse_money,
    ref_id,
)
from unified_accounting_sage.mappers._common import (
    Resolver,
    compact,
    objects,
    refuse,
    remote,
    reraise_at,
    resolve_code,
    stamps,
)

__all__ = [
    "DocumentShape",
    "ItemKinds",
    "document_kind",
    "header_to_sage",
    "header_to_unified",
    "line_to_sage",
    "line_to_unified",
]

#: Item id -> ``"product"`` or ``"service"``; raises ``ValidationError`` for an unknown item.
ItemKinds = Callable[[str], ItemType]


def line_to_unified(raw: Any) -> InvoiceLine:
    """Map one Sage document line (the item is its ``product`` or ``service`` link)."""
    return InvoiceLine(
        id=raw.get("id"),
        description=raw.get("description"),
        quantity=parse_money(raw.get("quantity")) or Decimal("1"),
        unit_price=parse_money(raw.get("unit_price")),
        discount_amount=parse_money(raw.get("discount_amount")),
        account_id=ref_id(raw, "ledger_account"),
        tax_rate_id=ref_id(raw, "tax_rate"),
        net_amount=parse_money(raw.get("net_amount")),
        tax_amount=parse_money(raw.get("tax_amount")),
        total_amount=parse_money(raw.get("total_amount")),
        item_id=ref_id(raw, "product") or ref_id(raw, "service"),
    )


def _item_field(line: InvoiceLine, kinds: ItemKinds | None, here: str) -> dict[str, str]:
    if line.item_id is None:
        return {}
    if kinds is None:
        raise refuse(f"{here}.item_id", "an item needs its type looked up; none was given")
    try:
        kind = kinds(line.item_id)
    except ValidationError as err:
        raise reraise_at(err, f"{here}.item_id") from None
    return {f"{kind}_id": line.item_id}


def line_to_sage(kind: InvoiceType, tax_inclusive: bool, index: int, line: InvoiceLine, *,
                 tax: Resolver | None, account: Resolver | None,
                 items: ItemKinds | None = None) -> dict[str, Any]:
    """Build one Sage line of a sales or purchase document.

    Raises:
        ValidationError: at ``lines[i].<field>``: a purchase line with a discount, a tax
            code or account concept that cannot be resolved, an unknown item.
    """
    here = f"lines[{index}]"
    if kind == "purchase" and line.discount_amount:
        raise refuse(f"{here}.discount_amount", "Sage purchase lines take no discount")
    return compact(
        {
            "description": line.description,
            "ledger_account_id": resolve_code(
                line.account_id, line.account_concept, account, f"{here}.account_concept",
                "account concept"),
            "tax_rate_id": resolve_code(
                line.tax_rate_id, line.tax_code, tax, f"{here}.tax_code", "tax code"),
            "quantity": format_money(line.quantity),
            "unit_price": format_money(line.unit_price),
            # Purchase lines have no discount field (a non-zero one was refused above).
            "discount_amount": None if kind == "purchase" else format_money(line.discount_amount),
            "net_amount": format_money(line.net_amount),
            "tax_amount": format_money(line.tax_amount),
            "total_amount": format_money(line.total_amount),
            "unit_price_includes_tax": tax_inclusive,
            **_item_field(line, items, here),
        }
    )


@dataclass(frozen=True)
class DocumentShape:
    """What differs between invoices and credit notes in Sage.

    Attributes:
        noun: what the documents are called in messages (``invoice``).
        collection: the collection name after the type (``invoices``: ``/sales_invoices``).
        lines_key: where Sage keeps the lines (``invoice_lines``).
        number_fields: type -> the field of the document's number (``invoice_number`` on
            sales, the supplier's ``vendor_reference`` on purchases).
        transaction_types: Sage transaction type id -> type.
    """

    noun: str
    collection: str
    lines_key: str
    number_fields: Mapping[InvoiceType, str]
    transaction_types: Mapping[str, InvoiceType]

    @property
    def type_argument(self) -> str:
        """The mapper's keyword that names the type (``invoice_type``, ``credit_note_type``)."""
        return f"{self.collection[:-1]}_type"


def document_kind(raw: Mapping[str, Any], shape: DocumentShape) -> InvoiceType:
    """Tell a sales from a purchase document by its ``transaction_type``, else its ``$path``.

    Raises:
        ValueError: neither tells.
    """
    kind = shape.transaction_types.get(ref_id(raw, "transaction_type") or "")
    if kind is not None:
        return kind
    path = str(raw.get("$path") or "")
    for candidate in shape.number_fields:
        if path.startswith(f"/{candidate}_{shape.collection}"):
            return candidate
    raise ValueError(f"cannot tell a sales from a purchase {shape.noun}; pass "
                     f"{shape.type_argument}")


def header_to_unified(raw: Mapping[str, Any], kind: InvoiceType, shape: DocumentShape, *,
                      business_id: str | None, include_remote: bool) -> dict[str, Any]:
    """The unified fields every document reads the same way, as keyword arguments.

    Raises:
        ValueError: the record has no date.
    """
    issue_date = parse_date(raw.get("date"))
    if issue_date is None:
        raise ValueError(f"a Sage {shape.noun} without a date")
    raw_lines = objects(raw, shape.lines_key)
    return {
        "id": raw.get("id"), "business_id": business_id, "type": kind,
        "number": raw.get(shape.number_fields[kind]), "reference": raw.get("reference"),
        "contact_id": ref_id(raw, "contact") or "", "issue_date": issue_date,
        "currency": ref_id(raw, "currency"),
        "exchange_rate": parse_money(raw.get("exchange_rate")),
        "tax_inclusive": any(bool(line.get("unit_price_includes_tax")) for line in raw_lines),
        "notes": raw.get("notes"), "lines": [line_to_unified(line) for line in raw_lines],
        "net_amount": parse_money(raw.get("net_amount")),
        "tax_amount": parse_money(raw.get("tax_amount")),
        "total_amount": parse_money(raw.get("total_amount")),
        **stamps(raw), "remote_data": remote(raw, include_remote),
    }


def header_to_sage(document: Invoice | CreditNote, shape: DocumentShape, *,
                   tax: Resolver | None, account: Resolver | None,
                   items: ItemKinds | None) -> dict[str, Any]:
    """The body fields every document writes the same way, its lines included.

    Raises:
        ValidationError: a line Sage cannot take (see :func:`line_to_sage`).
    """
    lines = [line_to_sage(document.type, document.tax_inclusive, index, line, tax=tax,
                          account=account, items=items)
             for index, line in enumerate(document.lines)]
    return compact({
        "contact_id": document.contact_id or None,
        "date": format_date(document.issue_date),
        "reference": document.reference,
        shape.number_fields[document.type]: document.number,
        "notes": document.notes,
        "currency_id": document.currency,
        "exchange_rate": format_money(document.exchange_rate),
        # Only a draft can be asked for; the other statuses follow from payments and voids.
        "status_id": "DRAFT" if document.status == "draft" else None,
        "net_amount": format_money(document.net_amount),
        "tax_amount": format_money(document.tax_amount),
        "total_amount": format_money(document.total_amount),
        shape.lines_key: lines or None,
    })
