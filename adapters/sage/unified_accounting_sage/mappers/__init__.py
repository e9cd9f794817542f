"""Sage <-> unified mappers, one module per resource, and a table of them.

Every module offers::

    to_unified(raw, *, business_id=None, include_remote=False, ...) -> model
    to_sage(model, *, provider_fields=None, partial=False, ...) -> dict   # the inner body
    wrapper_key(model) -> str                                            # "contact", ...
    ATTRIBUTES (or ATTRIBUTES_BY_TYPE for invoices)                      # for ``attributes=``

``to_sage`` returns the body to place under the wrapper key; the provider adds
``idempotency_id`` inside it. Money in bodies is a decimal string. ``to_sage`` merges
``provider_fields`` (nested objects merge, other values replace), then checks Sage's required
fields (unless ``partial``) and string lengths, raising ``ValidationError`` with unified paths.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from unified_accounting.models import InvoiceType, ItemType
from unified_accounting_sage.mappers import (
    businesses,
    contact_persons,
    contacts,
    credit_notes,
    invoices,
    items,
    journals,
    ledger_accounts,
    payments,
    tax_rates,
)

__all__ = ["MAPPERS", "ResourceMapper"]


@dataclass(frozen=True)
class ResourceMapper:
    """How one Sage collection maps to a unified model.

    Attributes:
        collection: the Sage path segment (``sales_invoices``).
        wrapper_key: the key wrapping a write body (``sales_invoice``).
        attributes: the Sage fields to ask for in lists.
        to_unified: Sage JSON -> unified model (see the resource module for extra keywords).
        to_sage: unified model -> inner write body.
    """

    collection: str
    wrapper_key: str
    attributes: tuple[str, ...]
    to_unified: Callable[..., Any]
    to_sage: Callable[..., dict[str, Any]]


def _entry(collection: str, module: Any, **extra: Any) -> ResourceMapper:
    return ResourceMapper(
        collection=collection,
        wrapper_key=module.WRAPPER_KEY,
        attributes=module.ATTRIBUTES,
        to_unified=module.to_unified,
        to_sage=module.to_sage,
        **extra,
    )


def _of_type(collection: str, module: Any, kind: str, type_keyword: str) -> ResourceMapper:
    """The mapper of one of the two collections of a resource split by type (invoices)."""
    return ResourceMapper(
        collection=collection,
        wrapper_key=module.WRAPPER_KEYS[kind],
        attributes=module.ATTRIBUTES_BY_TYPE[kind],
        to_unified=partial(module.to_unified, **{type_keyword: kind}),
        to_sage=module.to_sage,
    )


def _invoice(kind: InvoiceType) -> ResourceMapper:
    return _of_type(f"{kind}_invoices", invoices, kind, "invoice_type")


def _credit_note(kind: InvoiceType) -> ResourceMapper:
    return _of_type(f"{kind}_credit_notes", credit_notes, kind, "credit_note_type")


def _item(kind: ItemType) -> ResourceMapper:
    return _of_type(items.COLLECTIONS[kind], items, kind, "item_type")


#: Sage collection -> its mapper.
MAPPERS: Mapping[str, ResourceMapper] = {
    m.collection: m
    for m in (
        _entry("contacts", contacts),
        _entry("contact_persons", contact_persons),
        _invoice("sales"),
        _invoice("purchase"),
        _entry("contact_payments", payments),
        _entry("journals", journals),
        _entry("ledger_accounts", ledger_accounts),
        _entry("tax_rates", tax_rates),
        _entry("businesses", businesses),
        _credit_note("sales"),
        _credit_note("purchase"),
        _item("product"),
        _item("service"),
    )
}
