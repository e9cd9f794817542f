"""France: TVA rates and Plan Comptable Général suggestions.

The unified codes follow the EU ordering: ``reduced`` is the higher reduced rate (10 %,
"taux intermédiaire"), ``second_reduced`` the lower one (5.5 %, "taux réduit") and
``super_reduced`` 2.1 % ("taux particulier"). Sage's French ids are not published; rates are
recognised by percentage and French names. Chart suggestions are PCG account roots, matched
as prefixes (706 matches 706000); they are assumptions to review.
"""

from __future__ import annotations

from decimal import Decimal

from unified_accounting_sage.countries._types import (
    ConceptSuggestion,
    CountryRules,
    StatutoryRate,
    rates,
)

__all__ = ["FR"]


def _pcg(concept: str, root: str) -> ConceptSuggestion:
    return ConceptSuggestion(concept, root, prefix=True)


FR = CountryRules(
    country="FR",
    name="France",
    rates=rates(
        StatutoryRate("standard", Decimal("20"), ("FR_STANDARD",), names=("normal",)),
        StatutoryRate("reduced", Decimal("10"), ("FR_INTERMEDIATE",), names=("intermediaire",),
                      note="restaurants, passenger transport, renovation"),
        StatutoryRate("second_reduced", Decimal("5.5"), ("FR_REDUCED",), names=("reduit",),
                      note="food, books, energy"),
        StatutoryRate("super_reduced", Decimal("2.1"), ("FR_SUPER_REDUCED",),
                      names=("particulier", "super reduit"), note="medicines, press"),
        StatutoryRate("zero", Decimal("0"), ("FR_ZERO",), names=("zero",), id_words=("ZERO",)),
        StatutoryRate("exempt", Decimal("0"), ("FR_EXEMPT",), names=("exonere", "exempt"),
                      id_words=("EXEMPT",)),
        StatutoryRate("no_tax", None, ("FR_NO_TAX",),
                      names=("non soumis", "hors champ", "sans tva", "pas de tva"),
                      id_words=("NO_TAX",)),
    ),
    suggestions=(
        _pcg("sales", "707"),
        _pcg("subscription_revenue", "706"),
        _pcg("sales_discount", "709"),
        _pcg("cost_of_sales", "607"),
        _pcg("purchase_discount", "609"),
        _pcg("accounts_receivable", "411"),
        _pcg("prepayments", "486"),
        _pcg("bank", "512"),
        _pcg("accounts_payable", "401"),
        _pcg("accruals", "408"),
        _pcg("sales_tax", "44571"),
        _pcg("purchase_tax", "44566"),
        _pcg("retained_earnings", "110"),
        _pcg("wages", "641"),
        _pcg("bank_charges", "627"),
        _pcg("bad_debts", "654"),
        _pcg("suspense", "471"),
    ),
    notes=("Journals may need a journal_code (provider_fields) in France.",),
)
