"""Ireland: VAT rates and chart suggestions.

Sage's Irish tax rate ids are not published, so rates are recognised by percentage and
English names; ``IE_*`` ids are tried first but only taken when the percentage matches too.
The chart suggestions reuse Sage's UK/IE nominal code layout; they are assumptions for Irish
businesses and must be reviewed against the tenant's chart.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from unified_accounting_sage.countries.gb import UK_SUGGESTIONS
from unified_accounting_sage.countries.rules import CountryRules, StatutoryRate, rates

__all__ = ["IE"]

IE = CountryRules(
    country="IE",
    name="Ireland",
    rates=rates(
        StatutoryRate("standard", Decimal("23"), ("IE_STANDARD",), names=("standard",)),
        StatutoryRate("reduced", Decimal("13.5"), ("IE_LOWER_1", "IE_REDUCED"),
                      names=("reduced", "lower"), note="fuel, building services, repairs"),
        StatutoryRate("second_reduced", Decimal("9"), ("IE_LOWER_2", "IE_SECOND_REDUCED"),
                      names=("second reduced", "reduced", "lower"),
                      note="newspapers, sporting facilities, some hospitality"),
        StatutoryRate("super_reduced", Decimal("4.8"), ("IE_LIVESTOCK",),
                      names=("livestock",), note="livestock"),
        StatutoryRate("zero", Decimal("0"), ("IE_ZERO",), names=("zero",), id_words=("ZERO",)),
        StatutoryRate("exempt", Decimal("0"), ("IE_EXEMPT",), names=("exempt",),
                      id_words=("EXEMPT",)),
        StatutoryRate("no_tax", None, ("IE_NO_TAX",), names=("no vat", "outside the scope"),
                      id_words=("NO_TAX",)),
    ),
    suggestions=tuple(replace(item, confirmed=False) for item in UK_SUGGESTIONS),
    notes=("Tax rate ids are not published by Sage for Ireland; matched by percentage and name.",),
)
