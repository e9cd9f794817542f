"""Resource families of the data API; :data:`ROUTES` is every endpoint the sandbox serves."""

from __future__ import annotations

from unified_accounting_sage.sandbox.resources import (
    allocations,
    attachments,
    banking,
    contacts,
    credit_notes,
    identity,
    invoices,
    items,
    journals,
    ledger,
    ledger_entries,
    lookups,
    payments,
)
from unified_accounting_sage.sandbox.routing import Route

ROUTES: list[Route] = [
    *identity.ROUTES,
    *contacts.ROUTES,
    *invoices.ROUTES,
    *payments.ROUTES,
    *journals.ROUTES,
    *ledger.ROUTES,
    *banking.ROUTES,
    *lookups.ROUTES,
    *ledger_entries.ROUTES,
    *credit_notes.ROUTES,
    *allocations.ROUTES,
    *items.ROUTES,
    *attachments.ROUTES,
]

__all__ = ["ROUTES"]
