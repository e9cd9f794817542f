"""The countries this package has tables for."""

from __future__ import annotations

from collections.abc import Mapping

from unified_accounting_sage.countries.ca import CA
from unified_accounting_sage.countries.de import DE
from unified_accounting_sage.countries.es import ES
from unified_accounting_sage.countries.fr import FR
from unified_accounting_sage.countries.gb import GB
from unified_accounting_sage.countries.ie import IE
from unified_accounting_sage.countries.rules import CountryRules
from unified_accounting_sage.countries.us import US

__all__ = ["COUNTRIES"]

#: ISO alpha-2 code -> the country's tax and chart tables.
COUNTRIES: Mapping[str, CountryRules] = {
    rules.country: rules for rules in (GB, IE, US, CA, FR, ES, DE)
}
