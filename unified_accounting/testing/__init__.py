"""Testing support for provider packages: the conformance suite every provider passes.

Needs ``pytest`` (install the ``test`` extra).
"""

from __future__ import annotations

from unified_accounting.testing.conformance import (
    RESOURCE_MODELS,
    ConformanceSamples,
    ProviderConformance,
)

__all__ = ["RESOURCE_MODELS", "ConformanceSamples", "ProviderConformance"]
