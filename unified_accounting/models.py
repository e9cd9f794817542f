"""The provider-neutral records that callers hold.

Plain dataclasses: no I/O and no validation here. Validation and JSON conversion live in
:mod:`unified_accounting.schemas`; ``ua.load`` and ``ua.dump`` are the way in and out of JSON.
Money fields are :class:`decimal.Decimal` and never floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from unified_accounting.attachment_models import Attachment, AttachmentKind
from unified_accounting.ledger_models import LedgerEntry, TrialBalance, TrialBalanceLine

__all__ = [
    "Address",
    "Attachment",
    "AttachmentKind",
    "BankDetails",
    "Business",
    "Contact",
    "ContactPerson",
    "CreditNote",
    "CreditNoteAllocation",
    "DeletedRecord",
    "Invoice",
    "InvoiceLine",
    "Item",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "LedgerEntry",
    "Model",
    "Payment",
    "PaymentAllocation",
    "TaxRate",
    "TrialBalance",
    "TrialBalanceLine",
]

AddressType = Literal["billing", "shipping", "other"]
InvoiceType = Literal["sales", "purchase"]
InvoiceStatus = Literal["draft", "open", "partially_paid", "paid", "void"]
PaymentType = Literal["customer_receipt", "supplier_payment", "customer_refund", "supplier_refund"]
Classification = Literal["asset", "liability", "equity", "revenue", "expense"]
LedgerAccountType = Literal[
    "bank",
    "current_asset",
    "fixed_asset",
    "current_liability",
    "long_term_liability",
    "equity",
    "revenue",
    "other_income",
    "cost_of_sales",
    "expense",
    "depreciation",
    "other",
]
TaxCode = Literal[
    "standard", "reduced", "second_reduced", "super_reduced", "zero", "exempt", "no_tax", "other"
]

CreditNoteStatus = Literal["draft", "open", "partially_allocated", "allocated", "void"]
ItemType = Literal["product", "service"]

RemoteData = dict[str, Any]


@dataclass(kw_only=True)
class Address:
    """A postal address; ``country`` is ISO 3166-1 alpha-2."""

    type: AddressType = "billing"
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(kw_only=True)
class ContactPerson:
    """A person at a contact; ``is_main`` marks the one providers use for email."""

    id: str | None = None
    business_id: str | None = None
    contact_id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    job_title: str | None = None
    is_main: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(kw_only=True)
class BankDetails:
    """A contact's bank account."""

    account_name: str | None = None
    account_number: str | None = None
    sort_code: str | None = None
    iban: str | None = None
    bic: str | None = None


@dataclass(kw_only=True)
class Contact:
    """A customer, a supplier, or both."""

    id: str | None = None
    business_id: str | None = None
    name: str
    is_customer: bool = False
    is_supplier: bool = False
    reference: str | None = None
    email: str | None = None
    phone: str | None = None
    tax_number: str | None = None
    currency: str | None = None
    credit_limit: Decimal | None = None
    credit_days: int | None = None
    notes: str | None = None
    addresses: list[Address] = field(default_factory=list)
    contact_persons: list[ContactPerson] = field(default_factory=list)
    bank_details: BankDetails | None = None
    default_sales_account_id: str | None = None
    default_purchase_account_id: str | None = None
    default_tax_rate_id: str | None = None
    is_active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(kw_only=True)
class InvoiceLine:
    """One invoice line.

    ``tax_code`` (a unified code such as ``standard``) may stand in for ``tax_rate_id``, and
    ``account_concept`` (a product concept such as ``subscription_revenue``) for
    ``account_id``; the provider resolves them to the tenant's own ids. ``item_id`` names the
    product or service sold or bought on the line, where the caller has one.
    """

    id: str | None = None
    description: str | None = None
    quantity: Decimal = Decimal("1")
    unit_price: Decimal | None = None
    discount_amount: Decimal | None = None
    account_id: str | None = None
    account_concept: str | None = None
    tax_rate_id: str | None = None
    tax_code: TaxCode | None = None
    net_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    total_amount: Decimal | None = None
    item_id: str | None = None


@dataclass(kw_only=True)
class Invoice:
    """A sales invoice (to a customer) or a purchase invoice (from a supplier)."""

    id: str | None = None
    business_id: str | None = None
    type: InvoiceType
    number: str | None = None
    reference: str | None = None
    contact_id: str
    issue_date: date
    due_date: date | None = None
    currency: str | None = None
    exchange_rate: Decimal | None = None
    status: InvoiceStatus | None = None
    tax_inclusive: bool = False
    notes: str | None = None
    lines: list[InvoiceLine] = field(default_factory=list)
    net_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    total_amount: Decimal | None = None
    amount_paid: Decimal | None = None
    amount_due: Decimal | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(kw_only=True)
class PaymentAllocation:
    """The part of a payment that settles one invoice."""

    invoice_id: str
    amount: Decimal
    discount: Decimal | None = None


@dataclass(kw_only=True)
class Payment:
    """Money received from a customer or paid to a supplier, and what it settles."""

    id: str | None = None
    business_id: str | None = None
    type: PaymentType
    contact_id: str
    date: date
    amount: Decimal
    currency: str | None = None
    exchange_rate: Decimal | None = None
    bank_account_id: str | None = None
    payment_method: str | None = None
    reference: str | None = None
    allocations: list[PaymentAllocation] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(kw_only=True)
class JournalLine:
    """One side of a journal: exactly one of ``debit`` and ``credit`` is above zero."""

    account_id: str | None = None
    account_concept: str | None = None
    description: str | None = None
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")


@dataclass(kw_only=True)
class JournalEntry:
    """A manual journal; its debits and credits balance exactly."""

    id: str | None = None
    business_id: str | None = None
    date: date
    reference: str | None = None
    description: str | None = None
    currency: str | None = None
    lines: list[JournalLine] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(kw_only=True)
class LedgerAccount:
    """An account of the chart of accounts."""

    id: str | None = None
    business_id: str | None = None
    code: str | None = None
    name: str
    classification: Classification | None = None
    type: LedgerAccountType | None = None
    tax_rate_id: str | None = None
    is_active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(kw_only=True)
class TaxRate:
    """A tax rate of one business; ``rate`` is a percentage (20 means 20 %)."""

    id: str | None = None
    business_id: str | None = None
    name: str
    code: TaxCode | None = None
    rate: Decimal | None = None
    country: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(kw_only=True)
class Business:
    """One set of books the connected user can reach."""

    id: str | None = None
    name: str
    country: str | None = None
    base_currency: str | None = None
    is_lead: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(frozen=True, kw_only=True)
class DeletedRecord:
    """A record the provider reports as deleted since a point in time."""

    id: str
    business_id: str | None = None
    deleted_at: datetime | None = None


@dataclass(kw_only=True)
class CreditNoteAllocation:
    """The part of a credit note set against one invoice of the same contact.

    ``date`` is the day of the allocation; the provider's default (usually today) applies
    when it is absent.
    """

    invoice_id: str
    amount: Decimal
    date: date | None = None


@dataclass(kw_only=True)
class CreditNote:
    """A sales credit note (to a customer) or a purchase credit note (from a supplier).

    Its lines are :class:`InvoiceLine` objects, checked exactly as an invoice's. ``invoice_id``
    names the invoice it corrects, where the provider records one; ``allocations`` set it
    against open invoices of the same contact, which lowers their ``amount_due``.
    """

    id: str | None = None
    business_id: str | None = None
    type: InvoiceType
    number: str | None = None
    reference: str | None = None
    contact_id: str
    issue_date: date
    invoice_id: str | None = None
    currency: str | None = None
    exchange_rate: Decimal | None = None
    status: CreditNoteStatus | None = None
    tax_inclusive: bool = False
    notes: str | None = None
    lines: list[InvoiceLine] = field(default_factory=list)
    net_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    total_amount: Decimal | None = None
    amount_allocated: Decimal | None = None
    amount_remaining: Decimal | None = None
    allocations: list[CreditNoteAllocation] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


@dataclass(kw_only=True)
class Item:
    """A product or a service that invoice and credit note lines can name.

    Prices are per unit, in the business's base currency, net of tax.
    """

    id: str | None = None
    business_id: str | None = None
    type: ItemType
    code: str | None = None
    description: str
    sales_price: Decimal | None = None
    purchase_price: Decimal | None = None
    sales_account_id: str | None = None
    purchase_account_id: str | None = None
    sales_tax_rate_id: str | None = None
    purchase_tax_rate_id: str | None = None
    is_active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: RemoteData | None = None


Model = (
    Contact
    | ContactPerson
    | Invoice
    | Payment
    | JournalEntry
    | LedgerAccount
    | TaxRate
    | Business
    | LedgerEntry
    | TrialBalance
    | CreditNote
    | Item
    | Attachment
)
