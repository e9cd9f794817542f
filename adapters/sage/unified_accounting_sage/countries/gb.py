"""United Kingdom: VAT rates and the Sage Accounting UK chart of accounts.

Sage publishes the UK tax rate ids, so they are matched by id. The nominal codes below are
Sage's documented control accounts and defaults for UK businesses.
"""

from __future__ import annotations

from decimal import Decimal

from unified_accounting_sage.countries.rules import (
    ConceptSuggestion,
    CountryRules,
    StatutoryRate,
    rates,
)

__all__ = ["GB", "UK_SUGGESTIONS"]

#: Sage Accounting's UK chart; ``confirmed`` marks codes Sage documents.
UK_SUGGESTIONS: tuple[ConceptSuggestion, ...] = (
    ConceptSuggestion("sales", "4000", confirmed=True),
    ConceptSuggestion("subscription_revenue", "4000"),
    ConceptSuggestion("sales_discount", "4009", confirmed=True),
    ConceptSuggestion("cost_of_sales", "5000", confirmed=True),
    ConceptSuggestion("purchase_discount", "5009", confirmed=True),
    ConceptSuggestion("accounts_receivable", "1100", confirmed=True),
    ConceptSuggestion("prepayments", "1103", confirmed=True),
    ConceptSuggestion("bank", "1200", confirmed=True),
    ConceptSuggestion("accounts_payable", "2100", confirmed=True),
    ConceptSuggestion("accruals", "2109", confirmed=True),
    ConceptSuggestion("sales_tax", "2200", confirmed=True),
    ConceptSuggestion("purchase_tax", "2201", confirmed=True),
    ConceptSuggestion("retained_earnings", "3200", confirmed=True),
    ConceptSuggestion("wages", "7000"),
    ConceptSuggestion("bank_charges", "7900", confirmed=True),
    ConceptSuggestion("bad_debts", "8100", confirmed=True),
    ConceptSuggestion("suspense", "9999", confirmed=True),
)

GB = CountryRules(
    country="GB",
    name="United Kingdom",
    rates=rates(
        StatutoryRate("standard", Decimal("20"), ("GB_STANDARD",), True, ("standard",)),
        StatutoryRate("reduced", Decimal("5"), ("GB_LOWER",), True, ("lower", "reduced"),
                      note="domestic fuel and power, child car seats and similar"),
        StatutoryRate("zero", Decimal("0"), ("GB_ZERO",), True, ("zero",), ("ZERO",)),
        StatutoryRate("exempt", Decimal("0"), ("GB_EXEMPT",), True, ("exempt",), ("EXEMPT",)),
        StatutoryRate("no_tax", None, ("GB_NO_TAX",), True, ("no vat", "outside the scope"),
                      ("NO_TAX",), note="outside the scope of VAT"),
    ),
    suggestions=UK_SUGGESTIONS,
    notes=(
        "Tax rate ids GB_STANDARD, GB_LOWER, GB_ZERO, GB_EXEMPT and GB_NO_TAX are Sage's own.",
        "Domestic reverse charge is set per invoice with provider_fields "
        "{'vat_reverse_charge': True}.",
    ),
)
