from __future__ import annotations

import unified_accounting as ua

DOCUMENTED = [
    "connect", "available_providers", "Client", "ProxyResponse", "CallOptions", "RetryConfig",
    "Timeouts", "AccountingError", "ValidationError", "AuthenticationError",
    "ReauthorizationRequired", "PermissionDeniedError", "NotFoundError", "ConflictError",
    "RateLimitError", "ProviderUnavailableError", "ProviderError", "UnsupportedOperationError",
    "ProviderNotFoundError", "ProviderLoadError", "ConfigurationError",
]


def test_documented_names_are_exported() -> None:
    for name in DOCUMENTED:
        assert name in ua.__all__, name
        assert getattr(ua, name) is not None


def test_every_exported_name_exists() -> None:
    missing = [name for name in ua.__all__ if not hasattr(ua, name)]
    assert missing == []


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

    assert len(RESOURCES) == 8
