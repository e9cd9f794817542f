"""Sage resource handlers, one module per resource family, and the capabilities table read
off them (each handler class declares its operations and filters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.provider import ResourceCapabilities
from unified_accounting_sage.handlers.attachments import AttachmentHandler
from unified_accounting_sage.handlers.base import SageHandler, capabilities_of
from unified_accounting_sage.handlers.businesses import BusinessHandler
from unified_accounting_sage.handlers.contact_persons import ContactPersonHandler
from unified_accounting_sage.handlers.contacts import ContactHandler
from unified_accounting_sage.handlers.credit_notes import CreditNoteHandler
from unified_accounting_sage.handlers.invoices import InvoiceHandler
from unified_accounting_sage.handlers.items import ItemHandler
from unified_accounting_sage.handlers.journals import JournalHandler
from unified_accounting_sage.handlers.ledger_accounts import LedgerAccountHandler
from unified_accounting_sage.handlers.ledger_entries import LedgerEntryHandler
from unified_accounting_sage.handlers.payments import PaymentHandler
from unified_accounting_sage.handlers.tax_rates import TaxRateHandler

__all__ = ["CAPABILITIES", "HANDLERS", "SageHandler"]

_HANDLER_CLASSES: tuple[type[SageHandler[Any]], ...] = (
    ContactHandler,
    ContactPersonHandler,
    InvoiceHandler,
    PaymentHandler,
    JournalHandler,
    LedgerAccountHandler,
    TaxRateHandler,
    BusinessHandler,
    LedgerEntryHandler,
    CreditNoteHandler,
    ItemHandler,
    AttachmentHandler,
)

#: Unified resource -> its handler class.
HANDLERS: Mapping[str, type[SageHandler[Any]]] = {
    handler.resource: handler for handler in _HANDLER_CLASSES
}

#: What each unified resource supports at Sage, as its handler class declares it.
CAPABILITIES: Mapping[str, ResourceCapabilities] = capabilities_of(_HANDLER_CLASSES)
