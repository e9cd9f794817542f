"""South Africa: VAT codes of the tax types, and the chart of accounts of a new company.

Tax types are recognised by their names in a new ZA VAT company ("Standard Rate",
"Standard Rate (Capital Goods)", "Zero Rated", "Exempt"; matched without regard to case).
A tax type with any other name keeps no unified code: a code is never guessed from a
percentage, since a 0 % type may be zero-rated, exempt or out of scope.

Accounts carry no code or type in v2, only a category; the category names of a new company
give the unified classification and type. ``suggest_account_mapping`` proposes, for each
product concept, the account of a new ZA company that usually takes it; it is a proposal for
review, never applied by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from unified_accounting.models import Classification, LedgerAccountType, TaxCode

__all__ = [
    "CATEGORY_TYPES",
    "CONCEPT_ACCOUNTS",
    "STANDARD_RATE",
    "TAX_NAMES",
    "category_for_type",
    "classify_category",
    "suggest_account_mapping",
    "tax_code_of",
]

STANDARD_RATE = "15"
"""The ZA VAT standard rate since 1 April 2018 (14 % before)."""

#: Tax type name (lower case) -> unified code.
TAX_NAMES: Mapping[str, TaxCode] = {
    "standard rate": "standard",
    "standard rate (capital goods)": "standard",
    "zero rated": "zero",
    "exempt": "exempt",
    "no vat": "no_tax",
}

#: Account category description (lower case) -> (classification, type).
CATEGORY_TYPES: Mapping[str, tuple[Classification, LedgerAccountType]] = {
    "sales": ("revenue", "revenue"),
    "other income": ("revenue", "other_income"),
    "cost of sales": ("expense", "cost_of_sales"),
    "expenses": ("expense", "expense"),
    "current assets": ("asset", "current_asset"),
    "non-current assets": ("asset", "fixed_asset"),
    "current liabilities": ("liability", "current_liability"),
    "non-current liabilities": ("liability", "long_term_liability"),
    "owners equity": ("equity", "equity"),
}

#: Product concept -> the account name of a new ZA company that usually takes it.
CONCEPT_ACCOUNTS: Mapping[str, str] = {
    "sales": "Sales",
    "subscription_revenue": "Sales",
    "service_revenue": "Services Rendered",
    "interest_income": "Interest Received",
    "cost_of_sales": "Cost of Sales",
    "advertising": "Advertising and Promotions",
    "bank_charges": "Bank Charges",
    "software": "Computer Expenses",
    "rent": "Rent Paid",
    "salaries": "Salaries and Wages",
    "telephone": "Telephone and Internet",
    "paye": "PAYE Payable",
    "vat": "VAT Control",
    "accounts_receivable": "Customer Control",
    "accounts_payable": "Supplier Control",
}


def tax_code_of(name: str | None) -> TaxCode | None:
    """The unified code of a tax type, by its name; None when the name is not a known one."""
    return TAX_NAMES.get((name or "").strip().lower())


def classify_category(description: str | None) -> tuple[Classification | None,
                                                         LedgerAccountType | None]:
    """Classification and type of an account from its category's description."""
    found = CATEGORY_TYPES.get((description or "").strip().lower())
    return found if found else (None, None)


def category_for_type(kind: str | None, classification: str | None,
                      categories: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The account category of a unified type (or, without one, of a classification)."""
    for category in categories:
        mapped = CATEGORY_TYPES.get(str(category.get("Description") or "").strip().lower())
        if mapped and ((kind and mapped[1] == kind) or
                       (not kind and classification and mapped[0] == classification)):
            return category
    return None


def suggest_account_mapping(accounts: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Concept -> account id, for the concepts whose usual account the chart has (by name)."""
    by_name = {str(a.get("Name") or "").strip().lower(): str(a["ID"]) for a in accounts}
    return {concept: by_name[name.lower()] for concept, name in CONCEPT_ACCOUNTS.items()
            if name.lower() in by_name}
