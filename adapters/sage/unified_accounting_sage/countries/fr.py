"""France: TVA rates and Plan Comptable Général suggestions.

The unified codes follow the EU ordering: ``reduced`` is the higher reduced rate (10 %,
"taux intermédiaire"), ``second_reduced`` the lower one (5.5 %, "taux réduit") and
``super_reduced`` 2.1 % ("taux particulier"). Sage's French ids are not published; rates are
recognised by percentage and French names. Chart suggestions are PCG account roots, matched
as prefixes (706 matches 706000); they are assumptions to review.
"""

from __future__ import annotations

from decimal import Decimal

from unified_accounting_sage.countries.rules import (
    CountryRules,
    StatutoryRate,
    account_roots,
    rates,
)

__all__ = ["FR"]


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
    suggestions=account_roots(
        {
            "sales": "707",
            "subscription_revenue": "706",
            "sales_discount": "709",
            "cost_of_sales": "607",
            "purchase_discount": "609",
            "accounts_receivable": "411",
            "prepayments": "486",
            "bank": "512",
            "accounts_payable": "401",
            "accruals": "408",
            "sales_tax": "44571",
            "purchase_tax": "44566",
            "retained_earnings": "110",
            "wages": "641",
            "bank_charges": "627",
            "bad_debts": "654",
            "suspense": "471",
        }
    ),
    notes=("Journals may need a journal_code (provider_fields) in France.",),
)
