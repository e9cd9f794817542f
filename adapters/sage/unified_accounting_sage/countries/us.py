"""United States: sales tax rates are defined by each business.

Sage US businesses create their own tax rates (a name, an agency and component rates), so
there are no statutory ids or percentages to match: a unified code is resolved only through an
explicit mapping or an exact name/agency match. Chart suggestions follow a common small-business
numbering and are assumptions to review.
"""

from __future__ import annotations

from unified_accounting_sage.countries.rules import ConceptSuggestion, CountryRules

__all__ = ["US"]

US = CountryRules(
    country="US",
    name="United States",
    rates={},
    suggestions=(
        ConceptSuggestion("bank", "1010"),
        ConceptSuggestion("accounts_receivable", "1200"),
        ConceptSuggestion("accounts_payable", "2000"),
        ConceptSuggestion("sales_tax", "2200"),
        ConceptSuggestion("retained_earnings", "3900"),
        ConceptSuggestion("sales", "4000"),
        ConceptSuggestion("subscription_revenue", "4000"),
        ConceptSuggestion("cost_of_sales", "5000"),
    ),
    notes=(
        "Tax rates are user-defined: give an explicit code -> tax rate id mapping, or a tax "
        "rate name and/or agency to match exactly.",
        "Tax rates can be created through the API in the US only (POST /tax_rates).",
    ),
)
