"""Tax rates: unified ``TaxRate`` <-> Sage ``/tax_rates``.

``rate`` is Sage's current ``percentage``; ``valid_from``/``valid_to`` come from the entry of
``percentages`` that carries it. ``code`` is the unified code when the country's table names
the rate unambiguously (see :func:`unified_accounting_sage.countries.classify_tax_rate`).
``is_active`` is ``is_visible``. Sage creates and changes tax rates through the API only in
the US, where a rate is a name, an agency and component rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from unified_accounting.models import TaxRate
from unified_accounting_sage.countries.registry import COUNTRIES
from unified_accounting_sage.countries.tax import classify_tax_rate
from unified_accounting_sage.json_values import (
    format_money,
    parse_bool,
    parse_date,
    parse_money,
)
from unified_accounting_sage.mappers._common import compact, finish, objects, refuse, remote, stamps

__all__ = ["ATTRIBUTES", "WRAPPER_KEY", "to_sage", "to_unified", "wrapper_key"]

WRAPPER_KEY = "tax_rate"

#: Sage fields this mapper reads (the ``attributes`` query of a list).
ATTRIBUTES: tuple[str, ...] = (
    "name",
    "agency",
    "percentage",
    "percentages",
    "is_visible",
    "is_combined_rate",
    "created_at",
    "updated_at",
)


def wrapper_key(rate: TaxRate | None = None) -> str:
    """Return the key that wraps a tax rate in a write body."""
    return WRAPPER_KEY


def _country(raw: Mapping[str, Any], country: str | None) -> str | None:
    if country:
        return country.upper()
    prefix = str(raw.get("id") or "")[:3]
    # Sage's published ids start with the country (GB_STANDARD, CA_GST).
    return prefix[:2] if prefix[2:] == "_" and prefix[:2] in COUNTRIES else None


def _validity(raw: Mapping[str, Any]) -> tuple[date | None, date | None]:
    current = parse_money(raw.get("percentage"))
    periods = [
        (parse_date(item.get("from_date")), parse_date(item.get("to_date")))
        for item in objects(raw, "percentages")
        if parse_money(item.get("percentage")) == current
    ]
    if not periods:
        return None, None
    # The latest period with the current percentage is the one in force.
    return max(periods, key=lambda period: period[0] or date.min)


def to_unified(
    raw: Mapping[str, Any],
    *,
    business_id: str | None = None,
    include_remote: bool = False,
    country: str | None = None,
) -> TaxRate:
    """Map a Sage tax rate (``GET /tax_rates/{id}``) to a ``TaxRate``.

    Args:
        raw: the Sage record.
        business_id: the business it belongs to.
        include_remote: keep a copy of ``raw`` in ``remote_data``.
        country: the business's country; read from the id prefix (``GB_``) when not given.
    """
    where = _country(raw, country)
    valid_from, valid_to = _validity(raw)
    return TaxRate(
        id=raw.get("id"),
        business_id=business_id,
        name=raw.get("name") or raw.get("displayed_as") or "",
        code=classify_tax_rate(where, raw),
        rate=parse_money(raw.get("percentage")),
        country=where,
        valid_from=valid_from,
        valid_to=valid_to,
        is_active=parse_bool(raw.get("is_visible"), True),
        **stamps(raw),
        remote_data=remote(raw, include_remote),
    )


def to_sage(
    rate: TaxRate,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Build the inner body of ``POST /tax_rates`` (US only) as one component rate.

    Args:
        rate: the rate to create; ``rate`` becomes the single component's percentage.
        provider_fields: extra Sage fields (``agency``, several ``component_tax_rate``).
        partial: an update; Sage's required fields are not enforced.

    Raises:
        ValidationError: the rate belongs to a country other than the US.
    """
    if rate.country and rate.country.upper() != "US":
        raise refuse("country", "Sage creates and changes tax rates through the API only in "
                     "the US")
    component = compact({"name": rate.name or None, "percentage": format_money(rate.rate)})
    body = compact(
        {
            "name": rate.name or None,
            "is_visible": rate.is_active,
            "component_tax_rate": [component] if rate.rate is not None else None,
        }
    )
    return finish(WRAPPER_KEY, body, provider_fields, partial)
