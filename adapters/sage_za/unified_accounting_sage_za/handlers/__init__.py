"""The v2 resource handlers and the capability table read off them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.provider import ResourceCapabilities, ResourceHandler
from unified_accounting_sage_za.handlers.contacts import ContactsHandler
from unified_accounting_sage_za.handlers.credit_notes import CreditNotesHandler
from unified_accounting_sage_za.handlers.invoices import InvoicesHandler
from unified_accounting_sage_za.handlers.items import ItemsHandler
from unified_accounting_sage_za.handlers.journals import JournalsHandler
from unified_accounting_sage_za.handlers.payments import PaymentsHandler
from unified_accounting_sage_za.handlers.reference import (
    BusinessesHandler,
    LedgerAccountsHandler,
    TaxRatesHandler,
)

__all__ = ["CAPABILITIES", "HANDLERS"]

HANDLERS: Mapping[str, type[ResourceHandler[Any]]] = {
    "contacts": ContactsHandler,
    "invoices": InvoicesHandler,
    "payments": PaymentsHandler,
    "journals": JournalsHandler,
    "ledger_accounts": LedgerAccountsHandler,
    "tax_rates": TaxRatesHandler,
    "businesses": BusinessesHandler,
    "credit_notes": CreditNotesHandler,
    "items": ItemsHandler,
}

_LIST_FILTERS = ("updated_since", "include_remote_data")
_MASTER = ("list", "get", "create", "update", "delete", "list_deleted")

CAPABILITIES: Mapping[str, ResourceCapabilities] = {
    "contacts": ResourceCapabilities.of(_MASTER, _LIST_FILTERS),
    # v2 has no Delete for documents: they are corrected with credit notes.
    "invoices": ResourceCapabilities.of(("list", "get", "create", "update"),
                                        (*_LIST_FILTERS, "type")),
    "payments": ResourceCapabilities.of(("list", "get", "create"), (*_LIST_FILTERS, "type")),
    "journals": ResourceCapabilities.of(("list", "get", "create", "delete", "list_deleted"),
                                        _LIST_FILTERS),
    "ledger_accounts": ResourceCapabilities.of(_MASTER, _LIST_FILTERS),
    "tax_rates": ResourceCapabilities.of(_MASTER, _LIST_FILTERS),
    "businesses": ResourceCapabilities.of(("list", "get"), ("include_remote_data",)),
    # Returns have no Delete either; allocate sets one against invoices.
    "credit_notes": ResourceCapabilities.of(("list", "get", "create", "update", "allocate"),
                                            (*_LIST_FILTERS, "type")),
    "items": ResourceCapabilities.of(_MASTER, _LIST_FILTERS),
}
