"""Every public name of the documented surface imports from the package root."""

from __future__ import annotations

import unified_accounting as ua

MODEL_NAMES = [
    "Contact", "Address", "Invoice", "InvoiceLine", "Payment", "PaymentAllocation",
    "JournalEntry", "JournalLine", "LedgerAccount", "TaxRate", "Business",
    "ContactPerson", "BankDetails", "DeletedRecord",
    "LedgerEntry", "TrialBalance", "TrialBalanceLine",
]
ERROR_NAMES = [
    "AccountingError", "ValidationError", "AuthenticationError", "ReauthorizationRequired",
    "PermissionDeniedError", "NotFoundError", "ConflictError", "RateLimitError",
    "ProviderUnavailableError", "ProviderError", "UnsupportedOperationError",
    "ProviderNotFoundError", "ProviderLoadError", "ConfigurationError", "DeadlineExceededError",
    "StoreUnavailableError",
]
FUNCTION_NAMES = [
    "load", "dump", "validate_json", "validate_model", "connect", "available_providers", "sync",
    "load_mirror",
]
OTHER_NAMES = [
    "Secret", "TokenSet", "Client", "ProxyResponse", "CallOptions", "RetryConfig", "Timeouts",
    "Syncer", "SQLiteMirror",
]


def test_documented_names_are_exported() -> None:
    for name in MODEL_NAMES + ERROR_NAMES + FUNCTION_NAMES + OTHER_NAMES:
        assert name in ua.__all__, name
        assert getattr(ua, name) is not None, name


def test_every_exported_name_exists() -> None:
    assert [name for name in ua.__all__ if not hasattr(ua, name)] == []


def test_errors_form_one_hierarchy() -> None:
    for name in ERROR_NAMES:
        assert issubclass(getattr(ua, name), ua.AccountingError), name


def test_direct_imports_work() -> None:
    from unified_accounting import dump, load, validate_model
    from unified_accounting.money import MINOR_UNITS, parse_money
    from unified_accounting.validation import KINDS, kind_of

    assert all(callable(f) for f in (load, dump, validate_model, kind_of))
    assert MINOR_UNITS["JPY"] == 0
    assert str(parse_money("1", "GBP")) == "1.00"
    assert "journal_entry" in KINDS


def test_provider_contract_names_import() -> None:
    from unified_accounting.provider import (  # noqa: F401
        RESOURCES,
        Capabilities,
        Provider,
        ProviderContext,
        ResourceCapabilities,
        ResourceHandler,
        error_from_response,
        standard_token_set,
    )
    from unified_accounting.testing import ConformanceSamples, ProviderConformance  # noqa: F401

    assert len(RESOURCES) == 12
