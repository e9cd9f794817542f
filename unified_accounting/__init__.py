"""unified-accounting: one provider-neutral API for your customers' accounting systems.

The package root is lazy: ``import unified_accounting`` loads almost nothing, and each public
name imports its defining module the first time it is used (see :data:`_IMPORTS`). Modules of
the library import from the defining modules, never from this root.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from unified_accounting.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from unified_accounting import webhooks
    from unified_accounting.client import Client
    from unified_accounting.connection import connect
    from unified_accounting.credentials import (
        Secret,
        TokenSet,
    )
    from unified_accounting.errors import (
        AccountingError,
        AuthenticationError,
        ConfigurationError,
        ConflictError,
        DeadlineExceededError,
        NotFoundError,
        PermissionDeniedError,
        ProviderError,
        ProviderLoadError,
        ProviderNotFoundError,
        ProviderUnavailableError,
        RateLimitError,
        ReauthorizationRequired,
        StoreUnavailableError,
        UnsupportedOperationError,
        ValidationError,
    )
    from unified_accounting.http import (
        CallOptions,
        ProxyResponse,
        RetryConfig,
        Timeouts,
    )
    from unified_accounting.json_validation import validate_json
    from unified_accounting.models import (
        Address,
        Attachment,
        BankDetails,
        Business,
        Contact,
        ContactPerson,
        CreditNote,
        CreditNoteAllocation,
        DeletedRecord,
        Invoice,
        InvoiceLine,
        Item,
        JournalEntry,
        JournalLine,
        LedgerAccount,
        LedgerEntry,
        Payment,
        PaymentAllocation,
        TaxRate,
        TrialBalance,
        TrialBalanceLine,
    )
    from unified_accounting.oauth import (
        AuthorizationRequest,
        OAuthStateError,
        begin_authorization,
        complete_authorization,
        revoke,
    )
    from unified_accounting.outbox.items import OutboxRef
    from unified_accounting.plugins import available_providers
    from unified_accounting.syncing import (
        SQLiteMirror,
        Syncer,
        load_mirror,
        sync,
    )
    from unified_accounting.tokens import (
        ConnectionInfo,
        RedisTokenStore,
        SQLiteTokenStore,
        TokenManager,
        TokenStore,
    )
    from unified_accounting.validation import (
        dump,
        load,
        validate_model,
    )

# A library never configures logging; it only makes sure nothing is printed by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_IMPORTS: dict[str, str] = {
    "AccountingError": "unified_accounting.errors",
    "Address": "unified_accounting.models",
    "AuthenticationError": "unified_accounting.errors",
    "AuthorizationRequest": "unified_accounting.oauth",
    "BankDetails": "unified_accounting.models",
    "Business": "unified_accounting.models",
    "CallOptions": "unified_accounting.http",
    "Client": "unified_accounting.client",
    "ConfigurationError": "unified_accounting.errors",
    "ConflictError": "unified_accounting.errors",
    "ConnectionInfo": "unified_accounting.tokens",
    "Contact": "unified_accounting.models",
    "ContactPerson": "unified_accounting.models",
    "DeadlineExceededError": "unified_accounting.errors",
    "DeletedRecord": "unified_accounting.models",
    "Invoice": "unified_accounting.models",
    "InvoiceLine": "unified_accounting.models",
    "JournalEntry": "unified_accounting.models",
    "JournalLine": "unified_accounting.models",
    "LedgerAccount": "unified_accounting.models",
    "LedgerEntry": "unified_accounting.models",
    "NotFoundError": "unified_accounting.errors",
    "OAuthStateError": "unified_accounting.oauth",
    "OutboxRef": "unified_accounting.outbox.items",
    "Payment": "unified_accounting.models",
    "PaymentAllocation": "unified_accounting.models",
    "PermissionDeniedError": "unified_accounting.errors",
    "ProviderError": "unified_accounting.errors",
    "ProviderLoadError": "unified_accounting.errors",
    "ProviderNotFoundError": "unified_accounting.errors",
    "ProviderUnavailableError": "unified_accounting.errors",
    "ProxyResponse": "unified_accounting.http",
    "RateLimitError": "unified_accounting.errors",
    "ReauthorizationRequired": "unified_accounting.errors",
    "RedisTokenStore": "unified_accounting.tokens",
    "RetryConfig": "unified_accounting.http",
    "SQLiteMirror": "unified_accounting.syncing",
    "SQLiteTokenStore": "unified_accounting.tokens",
    "Secret": "unified_accounting.credentials",
    "StoreUnavailableError": "unified_accounting.errors",
    "Syncer": "unified_accounting.syncing",
    "TaxRate": "unified_accounting.models",
    "Timeouts": "unified_accounting.http",
    "TokenManager": "unified_accounting.tokens",
    "TokenSet": "unified_accounting.credentials",
    "TokenStore": "unified_accounting.tokens",
    "TrialBalance": "unified_accounting.models",
    "TrialBalanceLine": "unified_accounting.models",
    "UnsupportedOperationError": "unified_accounting.errors",
    "ValidationError": "unified_accounting.errors",
    "available_providers": "unified_accounting.plugins",
    "begin_authorization": "unified_accounting.oauth",
    "complete_authorization": "unified_accounting.oauth",
    "connect": "unified_accounting.connection",
    "dump": "unified_accounting.validation",
    "load": "unified_accounting.validation",
    "load_mirror": "unified_accounting.syncing",
    "revoke": "unified_accounting.oauth",
    "sync": "unified_accounting.syncing",
    "validate_json": "unified_accounting.json_validation",
    "validate_model": "unified_accounting.validation",
    "webhooks": "unified_accounting.webhooks",
    "CreditNote": "unified_accounting.models",
    "CreditNoteAllocation": "unified_accounting.models",
    "Item": "unified_accounting.models",
    "Attachment": "unified_accounting.models",
}

__all__ = [
    "AccountingError",
    "Address",
    "Attachment",
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
    "CreditNote",
    "CreditNoteAllocation",
    "DeadlineExceededError",
    "DeletedRecord",
    "Invoice",
    "InvoiceLine",
    "Item",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "LedgerEntry",
    "NotFoundError",
    "OAuthStateError",
    "OutboxRef",
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
    "StoreUnavailableError",
    "Syncer",
    "TaxRate",
    "Timeouts",
    "TokenManager",
    "TokenSet",
    "TokenStore",
    "TrialBalance",
    "TrialBalanceLine",
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
    "validate_json",
    "validate_model",
    "webhooks",
]


__getattr__, __dir__ = lazy_exports(globals(), _IMPORTS)
