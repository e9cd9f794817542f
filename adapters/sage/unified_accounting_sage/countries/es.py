"""Spain: IVA rates and Plan General de Contabilidad suggestions.

Spain has no second reduced rate today. Recargo de equivalencia and IRPF withholding are set
through ``provider_fields`` (contact ``tax_calculation``, invoice ``withholding_tax_rate``).
Sage's Spanish ids are not published; rates are recognised by percentage and Spanish names.
Chart suggestions are PGC account roots matched as prefixes; they are assumptions to review.
Sage does not allow creating ledger accounts through the API in Spain.
"""

from __future__ import annotations

from decimal import Decimal

from unified_accounting_sage.countries.rules import (
    CountryRules,
    StatutoryRate,
    account_roots,
    rates,
)

__all__ = ["ES"]


ES = CountryRules(
    country="ES",
    name="Spain",
    rates=rates(
        StatutoryRate("standard", Decimal("21"), ("ES_STANDARD",), names=("general",)),
        StatutoryRate("reduced", Decimal("10"), ("ES_REDUCED",), names=("reducido",),
                      note="hospitality, passenger transport, some food"),
        StatutoryRate("super_reduced", Decimal("4"), ("ES_SUPER_REDUCED",),
                      names=("superreducido", "super reducido"),
                      note="basic food, books, medicines"),
        StatutoryRate("zero", Decimal("0"), ("ES_ZERO",), names=("cero", "zero"),
                      id_words=("ZERO",)),
        StatutoryRate("exempt", Decimal("0"), ("ES_EXEMPT",), names=("exento",),
                      id_words=("EXEMPT",)),
        StatutoryRate("no_tax", None, ("ES_NO_TAX",), names=("no sujeto", "sin iva"),
                      id_words=("NO_TAX",)),
    ),
    suggestions=account_roots(
        {
            "sales": "700",
            "subscription_revenue": "705",
            "sales_discount": "706",
            "cost_of_sales": "600",
            "purchase_discount": "606",
            "accounts_receivable": "430",
            "prepayments": "480",
            "bank": "572",
            "accounts_payable": "400",
            "sales_tax": "477",
            "purchase_tax": "472",
            "retained_earnings": "120",
            "wages": "640",
            "bank_charges": "626",
            "bad_debts": "650",
            "suspense": "555",
        }
    ),
    notes=("The Canary Islands, Ceuta and Melilla use IGIC/IPSI, not IVA; not covered.",),
)
