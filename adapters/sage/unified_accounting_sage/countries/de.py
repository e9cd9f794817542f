"""Germany: Umsatzsteuer rates and SKR03 suggestions.

Sage's German ids are not published; rates are recognised by percentage and German names.
Sage's newest API description no longer lists Germany for most endpoints; these tables serve
existing German businesses. The chart suggestions assume the DATEV SKR03 chart (SKR04 uses
other numbers); they are assumptions to review. Leading zeros of SKR codes are dropped,
because Sage nominal codes are integers.
"""

from __future__ import annotations

from decimal import Decimal

from unified_accounting_sage.countries.rules import (
    ConceptSuggestion,
    CountryRules,
    StatutoryRate,
    rates,
)

__all__ = ["DE"]

DE = CountryRules(
    country="DE",
    name="Germany",
    rates=rates(
        StatutoryRate("standard", Decimal("19"), ("DE_STANDARD",),
                      names=("normal", "regel", "standard")),
        StatutoryRate("reduced", Decimal("7"), ("DE_REDUCED",),
                      names=("ermassigt", "reduziert"), note="food, books, public transport"),
        StatutoryRate("zero", Decimal("0"), ("DE_ZERO",), names=("nullsatz", "zero"),
                      id_words=("ZERO",), note="e.g. small solar installations"),
        StatutoryRate("exempt", Decimal("0"), ("DE_EXEMPT",), names=("steuerfrei", "befreit"),
                      id_words=("EXEMPT",)),
        StatutoryRate("no_tax", None, ("DE_NO_TAX",), names=("nicht steuerbar", "ohne"),
                      id_words=("NO_TAX",)),
    ),
    suggestions=(
        ConceptSuggestion("sales", "8400"),
        ConceptSuggestion("subscription_revenue", "8400"),
        ConceptSuggestion("cost_of_sales", "3400"),
        ConceptSuggestion("accounts_receivable", "1400"),
        ConceptSuggestion("prepayments", "980"),
        ConceptSuggestion("bank", "1200"),
        ConceptSuggestion("accounts_payable", "1600"),
        ConceptSuggestion("sales_tax", "1776"),
        ConceptSuggestion("purchase_tax", "1576"),
        ConceptSuggestion("retained_earnings", "860"),
        ConceptSuggestion("wages", "4120"),
        ConceptSuggestion("bank_charges", "4970"),
        ConceptSuggestion("bad_debts", "2400"),
    ),
    notes=("Delivery date (Leistungsdatum) goes through provider_fields "
           "{'delivery_performance_date': ...}.",),
)
