"""marshmallow schemas for the unified models, and the registry of record kinds.

Each schema loads JSON-shaped data into plain dicts of typed values (``Decimal``, ``date``,
...) and dumps dataclasses back to JSON-shaped dicts; :mod:`unified_accounting.validation`
turns loaded dicts into dataclasses. The JSON Schema files in ``schemas/`` are generated from
these classes by :mod:`unified_accounting.jsonschema_gen`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from unified_accounting.schemas.attachments import AttachmentSchema
from unified_accounting.schemas.base import RecordSchema
from unified_accounting.schemas.contacts import (
    AddressSchema,
    BankDetailsSchema,
    ContactPersonSchema,
    ContactSchema,
)
from unified_accounting.schemas.credit_notes import CreditNoteAllocationSchema, CreditNoteSchema
from unified_accounting.schemas.invoices import InvoiceLineSchema, InvoiceSchema
from unified_accounting.schemas.items import ItemSchema
from unified_accounting.schemas.journals import JournalEntrySchema, JournalLineSchema
from unified_accounting.schemas.ledger import (
    LedgerEntrySchema,
    TrialBalanceLineSchema,
    TrialBalanceSchema,
)
from unified_accounting.schemas.payments import PaymentAllocationSchema, PaymentSchema
from unified_accounting.schemas.reference import BusinessSchema, LedgerAccountSchema, TaxRateSchema

__all__ = [
    "SCHEMAS",
    "AddressSchema",
    "AttachmentSchema",
    "BankDetailsSchema",
    "BusinessSchema",
    "ContactPersonSchema",
    "ContactSchema",
    "CreditNoteAllocationSchema",
    "CreditNoteSchema",
    "InvoiceLineSchema",
    "InvoiceSchema",
    "ItemSchema",
    "JournalEntrySchema",
    "JournalLineSchema",
    "LedgerAccountSchema",
    "LedgerEntrySchema",
    "PaymentAllocationSchema",
    "PaymentSchema",
    "RecordSchema",
    "TaxRateSchema",
    "TrialBalanceLineSchema",
    "TrialBalanceSchema",
]

SCHEMAS: Mapping[str, type[RecordSchema]] = MappingProxyType(
    {
        "contact": ContactSchema,
        "contact_person": ContactPersonSchema,
        "invoice": InvoiceSchema,
        "payment": PaymentSchema,
        "journal_entry": JournalEntrySchema,
        "ledger_account": LedgerAccountSchema,
        "tax_rate": TaxRateSchema,
        "business": BusinessSchema,
        "ledger_entry": LedgerEntrySchema,
        "trial_balance": TrialBalanceSchema,
        "credit_note": CreditNoteSchema,
        "item": ItemSchema,
        "attachment": AttachmentSchema,
    }
)
"""Record kind (as passed to ``ua.load``) -> its schema class."""
