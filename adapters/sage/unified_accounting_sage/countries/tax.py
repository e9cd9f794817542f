"""Resolve a unified tax code to the tenant's own Sage tax rate id.

Tax rate ids differ per country and, outside the UK and Canada, are not published, so the
resolver reads the business's ``/tax_rates`` records and matches them against the country's
statutory table, in this order:

1. an explicit mapping given by the caller (``{"standard": "<id>"}``; Canada may key by
   province, ``{"standard:QC": "<id>"}``), checked to exist;
2. a Sage id of the rate (ids Sage publishes are trusted; others need the percentage too);
3. the statutory percentage, told apart by the rate's name when several rates share it; 0 %
   rates (zero, exempt, no tax) are only ever matched by name or id words.

Exactly one candidate must remain; otherwise a :class:`TaxCodeError` lists what was found. A
code is never guessed. Hidden rates (``is_visible: false``) are not matched, only mapped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import TaxCode
from unified_accounting_sage.countries.ca import PROVINCES, Province
from unified_accounting_sage.countries.registry import COUNTRIES
from unified_accounting_sage.countries.rules import CountryRules, StatutoryRate
from unified_accounting_sage.json_values import parse_money

__all__ = ["TaxCodeError", "classify_tax_rate", "resolve_tax_rate"]

Rate = Mapping[str, Any]
_ZERO = Decimal("0")
# Sage ids that Sage itself documents for Canada.
_CA_CONFIRMED = frozenset({"CA_GST", "CA_GST_PST_BC"})
# Tax names in English and French (TPS/TVH/TVQ are GST/HST/QST in Quebec's usage).
_GST_WORDS = ("gst", "tps")
_HST_WORDS = ("hst", "tvh")
_OTHER_TAXES = ("pst", "hst", "qst", "rst", "tvq", "tvh")
_PROVINCIAL_WORDS = {"PST": ("pst",), "RST": ("rst", "pst"), "QST": ("qst", "tvq")}


class TaxCodeError(ValidationError):
    """A unified tax code could not be resolved to exactly one of the tenant's tax rates.

    ``errors`` is ``{"tax_code": [message]}``; ``candidates`` lists the ids that matched when
    there were several.
    """

    def __init__(self, message: str, *, country: str, code: str, region: str | None = None,
                 candidates: Sequence[str] = ()) -> None:
        super().__init__({"tax_code": [message]}, message=message, provider="sage")
        self.country = country
        self.code = code
        self.region = region
        self.candidates = tuple(candidates)


def _norm(text: object) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _text(rate: Rate) -> str:
    return f"{_norm(rate.get('name'))} {_norm(rate.get('displayed_as'))} {_norm(rate.get('id'))}"


def _pct(rate: Rate) -> Decimal | None:
    return parse_money(rate.get("percentage"))


def _named(rate: Rate, words: Iterable[str]) -> bool:
    text = _text(rate)
    return any(word in text for word in words)


def _id_has(rate: Rate, words: Iterable[str]) -> bool:
    rid = str(rate.get("id") or "").upper()
    return any(word in rid for word in words)


def _describe(rate: Rate) -> str:
    label = rate.get("name") or rate.get("displayed_as") or ""
    return f"{rate.get('id')} ({label})" if label else str(rate.get("id"))


def _single(candidates: list[Rate], what: str, country: str, code: str,
            region: str | None) -> str:
    if len(candidates) == 1:
        return str(candidates[0]["id"])
    ids = [str(rate.get("id")) for rate in candidates]
    if not candidates:
        message = f"no tax rate for {what} in this business; map {code!r} explicitly"
    else:
        found = ", ".join(_describe(rate) for rate in candidates[:6])
        message = f"several tax rates could be {what}: {found}; map {code!r} explicitly"
    raise TaxCodeError(message, country=country, code=code, region=region, candidates=ids)


def _from_mapping(mapping: Mapping[str, str], code: str, region: str | None,
                  known: set[str], country: str) -> str | None:
    province = (region or "").strip().upper().removeprefix("CA-")
    keys = [f"{code}:{province}"] if province else []
    for key in [*keys, code]:
        if key in mapping:
            rate_id = mapping[key]
            if rate_id not in known:
                raise TaxCodeError(f"{key!r} is mapped to tax rate {rate_id!r}, which this "
                                   "business does not have", country=country, code=code,
                                   region=region)
            return rate_id
    return None


def _match_rule(rule: StatutoryRate, usable: list[Rate]) -> list[Rate]:
    for rate in usable:
        if rate.get("id") in rule.ids and (rule.ids_confirmed or _pct(rate) == rule.percentage):
            return [rate]
    if rule.percentage is None or rule.percentage == _ZERO:
        return [rate for rate in usable if (_pct(rate) or _ZERO) == _ZERO
                and (_named(rate, rule.names) or _id_has(rate, rule.id_words))]
    same = [rate for rate in usable if _pct(rate) == rule.percentage]
    named = [rate for rate in same if _named(rate, rule.names)]
    return named if len(same) > 1 and named else same


def _mentions(rate: Rate, province: str) -> bool:
    return re.search(rf"(^|[^a-z]){province.lower()}([^a-z]|$)", _text(rate)) is not None


def _ca_ids(province: Province) -> tuple[str, ...]:
    code = province.code
    if province.hst is not None:
        return (f"CA_HST_{code}", "CA_HST")
    if province.provincial_name is None:
        return ("CA_GST",)
    return (f"CA_GST_{province.provincial_name}_{code}", f"CA_GST_PST_{code}")


def _charges(rate: Rate, province: Province) -> bool:
    """Whether the rate's name or id shows exactly the province's taxes."""
    text = _text(rate)
    if province.hst is not None:
        return any(word in text for word in _HST_WORDS)
    has_gst = any(word in text for word in _GST_WORDS)
    if province.provincial_name is None:
        return has_gst and not any(tax in text for tax in _OTHER_TAXES)
    words = _PROVINCIAL_WORDS[province.provincial_name]
    return has_gst and any(word in text for word in words)


def _match_ca_standard(province: Province, usable: list[Rate]) -> list[Rate]:
    for rate in usable:
        rid = rate.get("id")
        if rid in _ca_ids(province) and (rid in _CA_CONFIRMED or _pct(rate) == province.total):
            return [rate]
    found = [r for r in usable if _pct(r) == province.total and _charges(r, province)]
    mentioned = [rate for rate in found if _mentions(rate, province.code)]
    # Two provinces can share a combined percentage (BC and MB); a PST rate must name its own.
    if province.provincial_name in ("PST", "RST"):
        return mentioned
    return mentioned if len(found) > 1 and mentioned else found


def _ca_standard(usable: list[Rate], region: str | None, code: str) -> str:
    province = PROVINCES.get((region or "").strip().upper().removeprefix("CA-"))
    if province is None:
        known = ", ".join(PROVINCES)
        raise TaxCodeError(f"Canada's standard rate depends on the province of supply; give "
                           f"region as one of {known}", country="CA", code=code, region=region)
    what = f"{' + '.join(province.taxes)} {province.total}% in {province.name}"
    return _single(_match_ca_standard(province, usable), what, "CA", code, province.code)


def _us(usable: list[Rate], code: str, name: str | None, agency: str | None) -> str:
    if name is None and agency is None:
        raise TaxCodeError("US tax rates are defined by each business; give an explicit "
                           "mapping or a tax rate name/agency to match", country="US", code=code)
    found = [
        rate for rate in usable
        if (name is None or _norm(rate.get("name")) == _norm(name))
        and (agency is None or _norm(rate.get("agency")) == _norm(agency))
    ]
    wanted = " / ".join(part for part in (name, agency) if part)
    return _single(found, f"{code} named {wanted!r}", "US", code, None)


def resolve_tax_rate(
    country: str,
    tax_rates: Iterable[Rate],
    code: str,
    *,
    region: str | None = None,
    mapping: Mapping[str, str] | None = None,
    name: str | None = None,
    agency: str | None = None,
) -> str:
    """Return the id of the tenant's tax rate for a unified tax code.

    Args:
        country: the business's country (ISO alpha-2: GB, IE, US, CA, FR, ES, DE).
        tax_rates: the business's ``/tax_rates`` records (Sage JSON).
        code: standard, reduced, second_reduced, super_reduced, zero, exempt or no_tax.
        region: the province of supply in Canada (``QC``); needed for ``standard`` there.
        mapping: explicit code -> tax rate id choices, which win over matching.
        name: US only: the exact name of the tenant's rate.
        agency: US only: the exact agency of the tenant's rate.

    Returns:
        The Sage tax rate id.

    Raises:
        TaxCodeError: the country has no such rate, nothing matches, several rates match, or
            a mapped id does not exist.
    """
    country = country.strip().upper()
    records = [rate for rate in tax_rates if isinstance(rate, Mapping) and rate.get("id")]
    if mapping:
        known = {str(rate["id"]) for rate in records}
        mapped = _from_mapping(mapping, code, region, known, country)
        if mapped is not None:
            return mapped
    usable = [rate for rate in records if rate.get("is_visible") is not False]
    if country == "US":
        return _us(usable, code, name, agency)
    rules = COUNTRIES.get(country)
    if rules is None:
        raise TaxCodeError(f"no tax table for country {country!r}; map {code!r} explicitly",
                           country=country, code=code)
    if country == "CA" and code == "standard":
        return _ca_standard(usable, region, code)
    rule = rules.rates.get(code)
    if rule is None:
        raise TaxCodeError(f"{rules.name} has no {code!r} rate", country=country, code=code)
    what = f"{code} ({rule.percentage}%)" if rule.percentage else code
    return _single(_match_rule(rule, usable), what, country, code, region)


def _classify_ca(rate: Rate) -> TaxCode | None:
    for province in PROVINCES.values():
        if _match_ca_standard(province, [rate]):
            return "standard"
    return None


def classify_tax_rate(country: str | None, rate: Rate) -> TaxCode | None:
    """Name the unified code of one tenant tax rate, when the country's table says so.

    For labelling records read from Sage (``TaxRate.code``), not for choosing a rate.

    Returns:
        The code, or ``None`` when the rate fits no statutory entry unambiguously.
    """
    rules: CountryRules | None = COUNTRIES.get((country or "").upper())
    if rules is None:
        return None
    codes = {rule.code for rule in rules.rates.values() if _match_rule(rule, [rate])}
    if len(codes) == 1:
        return codes.pop()
    if not codes and rules.country == "CA":
        return _classify_ca(rate)
    return None
