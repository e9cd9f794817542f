"""The shapes of the per-country tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from unified_accounting.models import TaxCode

__all__ = ["ConceptSuggestion", "CountryRules", "StatutoryRate", "account_roots", "rates"]


@dataclass(frozen=True)
class StatutoryRate:
    """One statutory rate of a country and the ways a tenant's Sage rate can be recognised.

    Attributes:
        code: the unified tax code.
        percentage: the statutory percentage (``None`` where no percentage applies).
        ids: Sage tax rate ids of this rate.
        ids_confirmed: the ids are published by Sage; a rate with such an id is taken as it is,
            even if its percentage has since changed by law. Unconfirmed ids are only taken
            when the percentage also matches.
        names: words (lower case, without accents) that name the rate in the tenant's
            language; used to tell rates of one percentage apart, and 0 % rates always.
        id_words: upper-case fragments of a Sage id that name the rate (``EXEMPT``).
        note: what the rate covers, for the documentation.
    """

    code: TaxCode
    percentage: Decimal | None
    ids: tuple[str, ...] = ()
    ids_confirmed: bool = False
    names: tuple[str, ...] = ()
    id_words: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ConceptSuggestion:
    """A default ledger account for a product concept in one country's usual chart.

    Attributes:
        concept: the concept name (``sales``, ``bank``, ...).
        code: the nominal code, or the leading digits of one when ``prefix`` is set.
        prefix: match every account whose nominal code starts with ``code`` (hierarchical
            charts such as the French PCG and the Spanish PGC).
        confirmed: the code is published by Sage for this country; otherwise it is an
            assumption taken from the country's usual chart and must be reviewed.
    """

    concept: str
    code: str
    prefix: bool = False
    confirmed: bool = False


@dataclass(frozen=True)
class CountryRules:
    """Everything this package knows about one country."""

    country: str
    name: str
    rates: Mapping[str, StatutoryRate]
    suggestions: tuple[ConceptSuggestion, ...] = ()
    notes: tuple[str, ...] = ()


def rates(*entries: StatutoryRate) -> dict[str, StatutoryRate]:
    """Index statutory rates by code."""
    return {entry.code: entry for entry in entries}


def account_roots(roots: Mapping[str, str]) -> tuple[ConceptSuggestion, ...]:
    """Suggestions for a hierarchical chart (the French PCG, the Spanish PGC).

    Args:
        roots: concept -> the leading digits of its accounts, matched as a prefix.
    """
    return tuple(ConceptSuggestion(concept, root, prefix=True) for concept, root in roots.items())
