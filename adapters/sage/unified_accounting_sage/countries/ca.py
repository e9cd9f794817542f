"""Canada: GST, HST, PST and QST by province, and chart suggestions.

The tax on a sale depends on the province of supply: GST alone (5 %) in Alberta and the
territories, HST in the harmonized provinces, and GST plus a provincial tax (PST, RST or QST)
elsewhere. Sage lists Canadian rates per province (ids such as ``CA_GST``, ``CA_PST_BC``,
``CA_GST_PST_BC``) and takes the province of supply on the invoice as
``tax_address_region_id`` (``CA-QC``); :func:`tax_address_region_id` builds that value.
Chart suggestions follow a common Canadian small-business numbering and are assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from unified_accounting_sage.countries.rules import (
    ConceptSuggestion,
    CountryRules,
    StatutoryRate,
    rates,
)

__all__ = ["CA", "PROVINCES", "Province", "tax_address_region_id"]

GST = Decimal("5")


@dataclass(frozen=True)
class Province:
    """The sales taxes of one province or territory.

    Attributes:
        code: the two-letter code Sage uses as address region (``QC``).
        hst: the harmonized rate, where HST replaces GST.
        provincial: the provincial rate charged beside GST, and its name (PST, RST, QST).
    """

    code: str
    name: str
    hst: Decimal | None = None
    provincial: Decimal | None = None
    provincial_name: str | None = None

    @property
    def total(self) -> Decimal:
        """The combined percentage of a standard-rated sale."""
        if self.hst is not None:
            return self.hst
        return GST + (self.provincial or Decimal("0"))

    @property
    def taxes(self) -> tuple[str, ...]:
        """Names of the taxes charged (``("GST", "QST")``)."""
        if self.hst is not None:
            return ("HST",)
        return ("GST", self.provincial_name) if self.provincial_name else ("GST",)


PROVINCES: Mapping[str, Province] = {
    p.code: p
    for p in (
        Province("AB", "Alberta"),
        Province("BC", "British Columbia", provincial=Decimal("7"), provincial_name="PST"),
        Province("MB", "Manitoba", provincial=Decimal("7"), provincial_name="RST"),
        Province("NB", "New Brunswick", hst=Decimal("15")),
        Province("NL", "Newfoundland and Labrador", hst=Decimal("15")),
        # Nova Scotia's HST fell from 15 % to 14 % on 2025-04-01.
        Province("NS", "Nova Scotia", hst=Decimal("14")),
        Province("NT", "Northwest Territories"),
        Province("NU", "Nunavut"),
        Province("ON", "Ontario", hst=Decimal("13")),
        Province("PE", "Prince Edward Island", hst=Decimal("15")),
        Province("QC", "Quebec", provincial=Decimal("9.975"), provincial_name="QST"),
        Province("SK", "Saskatchewan", provincial=Decimal("6"), provincial_name="PST"),
        Province("YT", "Yukon"),
    )
}


def tax_address_region_id(region: str) -> str:
    """Return Sage's ``tax_address_region_id`` for a province code (``"qc"`` -> ``"CA-QC"``).

    Raises:
        KeyError: not a Canadian province or territory code.
    """
    code = region.strip().upper().removeprefix("CA-")
    if code not in PROVINCES:
        raise KeyError(code)
    return f"CA-{code}"


CA = CountryRules(
    country="CA",
    name="Canada",
    # The standard rate depends on the province; see PROVINCES. These cover the rest.
    rates=rates(
        StatutoryRate("zero", Decimal("0"), ("CA_ZERO",), names=("zero",), id_words=("ZERO",),
                      note="zero-rated supplies (basic groceries, exports)"),
        StatutoryRate("exempt", Decimal("0"), ("CA_EXEMPT",), names=("exempt",),
                      id_words=("EXEMPT",)),
        StatutoryRate("no_tax", None, ("CA_NO_TAX",), names=("no tax", "non-taxable"),
                      id_words=("NO_TAX",)),
    ),
    suggestions=(
        ConceptSuggestion("bank", "1060"),
        ConceptSuggestion("accounts_receivable", "1200"),
        ConceptSuggestion("accounts_payable", "2100"),
        ConceptSuggestion("sales_tax", "2310"),
        ConceptSuggestion("purchase_tax", "2315"),
        ConceptSuggestion("retained_earnings", "3560"),
        ConceptSuggestion("sales", "4000"),
        ConceptSuggestion("subscription_revenue", "4000"),
        ConceptSuggestion("cost_of_sales", "5000"),
    ),
    notes=(
        "The standard code needs the province of supply (region); the invoice then carries "
        "tax_address_region_id 'CA-<province>' through provider_fields.",
    ),
)
