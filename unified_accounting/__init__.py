"""unified-accounting: one provider-neutral API for your customers' accounting systems."""

from __future__ import annotations

import logging

from unified_accounting.client import Client
from unified_accounting.connection import connect
from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.errors import (
    AccountingError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderLoadError,
    ProviderNotFoundError,
    ProviderUnavailableError,
    RateLimitError,
    ReauthorizationRequired,
    UnsupportedOperationError,
    ValidationError,
)
from unified_accounting.http import CallOptions, ProxyResponse, RetryConfig, Timeouts
from unified_accounting.models import (
    Address,
    BankDetails,
    Business,
    Contact,
    ContactPerson,
    DeletedRecord,
    Invoice,
    InvoiceLine,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Payment,
    PaymentAllocation,
    TaxRate,
)
from unified_accounting.oauth import (
    AuthorizationRequest,
    OAuthStateError,
    begin_authorization,
    complete_authorization,
    revoke,
)
from unified_accounting.plugins import available_providers
from unified_accounting.syncing import SQLiteMirror, Syncer, load_mirror, sync
from unified_accounting.tokens import (
    ConnectionInfo,
    RedisTokenStore,
    SQLiteTokenStore,
    TokenManager,
    TokenStore,
)
from unified_accounting.validation import dump, load, validate_model

# A library never configures logging; it only makes sure nothing is printed by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"

__all__ = [
    "AccountingError",
    "Address",
    "AuthenticationError",
    "AuthorizationRequest",
    "BankDetails",
    "Business",
    "CallOptions",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "ConnectionInfo",
    "Contact",
    "ContactPerson",
    "DeletedRecord",
    "Invoice",
    "InvoiceLine",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "NotFoundError",
    "OAuthStateError",
    "Payment",
    "PaymentAllocation",
    "PermissionDeniedError",
    "ProviderError",
    "ProviderLoadError",
    "ProviderNotFoundError",
    "ProviderUnavailableError",
    "ProxyResponse",
    "RateLimitError",
    "ReauthorizationRequired",
    "RedisTokenStore",
    "RetryConfig",
    "SQLiteMirror",
    "SQLiteTokenStore",
    "Secret",
    "Syncer",
    "TaxRate",
    "Timeouts",
    "TokenManager",
    "TokenSet",
    "TokenStore",
    "UnsupportedOperationError",
    "ValidationError",
    "__version__",
    "available_providers",
    "begin_authorization",
    "complete_authorization",
    "connect",
    "dump",
    "load",
    "load_mirror",
    "revoke",
    "sync",
    "validate_model",
]
