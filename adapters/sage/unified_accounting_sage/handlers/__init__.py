"""Sage resource handlers, one module per resource family, and the capabilities table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.provider import ResourceCapabilities, ResourceHandler
from unified_accounting_sage.handlers.base import SageHandler
from unified_accounting_sage.handlers.businesses import BusinessHandler
from unified_accounting_sage.handlers.contact_persons import ContactPersonHandler
from unified_accounting_sage.handlers.contacts import ContactHandler
from unified_accounting_sage.handlers.invoices import InvoiceHandler
from unified_accounting_sage.handlers.journals import JournalHandler
from unified_accounting_sage.handlers.ledger_accounts import LedgerAccountHandler
from unified_accounting_sage.handlers.payments import PaymentHandler
from unified_accounting_sage.handlers.query import COMMON_FILTERS
from unified_accounting_sage.handlers.tax_rates import TaxRateHandler

__all__ = ["CAPABILITIES", "HANDLERS", "SageHandler"]

#: Unified resource -> its handler class.
HANDLERS: Mapping[str, type[ResourceHandler[Any]]] = {
    "contacts": ContactHandler,
    "contact_persons": ContactPersonHandler,
    "invoices": InvoiceHandler,
    "payments": PaymentHandler,
    "journals": JournalHandler,
    "ledger_accounts": LedgerAccountHandler,
    "tax_rates": TaxRateHandler,
    "businesses": BusinessHandler,
}

_CRUD = ("list", "get", "create", "update", "delete")

# Operations per resource; filters come from each handler's table.
_OPERATIONS: Mapping[str, tuple[str, ...]] = {
    "contacts": (*_CRUD, "list_deleted", "upsert"),
    "contact_persons": (*_CRUD, "list_deleted"),
    "invoices": (*_CRUD, "list_deleted", "release"),
    "payments": (*_CRUD, "list_deleted"),
    "journals": ("list", "get", "create", "delete", "list_deleted"),
    "ledger_accounts": ("list", "get", "create", "update"),
    "tax_rates": _CRUD,
    "businesses": ("list", "get", "update", "lead"),
}
# Filters handled by a handler itself rather than its Sage parameter table.
_OWN_FILTERS: Mapping[str, frozenset[str]] = {"invoices": frozenset({"type"})}


def _capabilities(name: str) -> ResourceCapabilities:
    handler = HANDLERS[name]
    table = getattr(handler, "filters", {})
    extra = COMMON_FILTERS if name != "businesses" else frozenset({"include_remote_data"})
    return ResourceCapabilities.of(
        _OPERATIONS[name], set(table) | extra | _OWN_FILTERS.get(name, frozenset()))


#: What each unified resource supports at Sage.
CAPABILITIES: Mapping[str, ResourceCapabilities] = {name: _capabilities(name) for name in HANDLERS}
