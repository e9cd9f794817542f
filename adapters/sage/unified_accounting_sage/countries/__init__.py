"""Per-country tax tables, tax code resolution and chart-of-accounts helpers.

Countries covered: GB, IE, US, CA (by province, incl. Quebec), FR, ES, DE.
"""

from __future__ import annotations

from unified_accounting_sage.countries.ca import PROVINCES, Province, tax_address_region_id
from unified_accounting_sage.countries.chart import (
    CONCEPT_CLASSIFICATIONS,
    LEDGER_ACCOUNT_TYPES,
    AccountMapping,
    AccountSuggestion,
    classify_account_type,
    sage_account_type,
    suggest_account_mapping,
)
from unified_accounting_sage.countries.registry import COUNTRIES
from unified_accounting_sage.countries.rules import ConceptSuggestion, CountryRules, StatutoryRate
from unified_accounting_sage.countries.tax import TaxCodeError, classify_tax_rate, resolve_tax_rate

__all__ = [
    "CONCEPT_CLASSIFICATIONS",
    "COUNTRIES",
    "LEDGER_ACCOUNT_TYPES",
    "PROVINCES",
    "AccountMapping",
    "AccountSuggestion",
    "ConceptSuggestion",
    "CountryRules",
    "Province",
    "StatutoryRate",
    "TaxCodeError",
    "classify_account_type",
    "classify_tax_rate",
    "resolve_tax_rate",
    "sage_account_type",
    "suggest_account_mapping",
    "tax_address_region_id",
]
