"""Every public name of shared/DESIGN.md that exists so far imports from the package root."""

from __future__ import annotations

import unified_accounting as ua

MODEL_NAMES = [
    "Contact", "Address", "Invoice", "InvoiceLine", "Payment", "PaymentAllocation",
    "JournalEntry", "JournalLine", "LedgerAccount", "TaxRate", "Business",
    "ContactPerson", "BankDetails", "DeletedRecord",
]
ERROR_NAMES = [
    "AccountingError", "ValidationError", "AuthenticationError", "ReauthorizationRequired",
    "PermissionDeniedError", "NotFoundError", "ConflictError", "RateLimitError",
    "ProviderUnavailableError", "ProviderError",
]
FUNCTION_NAMES = ["load", "dump", "validate_model"]
CREDENTIAL_NAMES = ["Secret", "TokenSet"]


def test_model_error_and_function_names_are_exported() -> None:
    for name in MODEL_NAMES + ERROR_NAMES + FUNCTION_NAMES + CREDENTIAL_NAMES:
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
