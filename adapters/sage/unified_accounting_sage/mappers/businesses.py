"""Businesses: unified ``Business`` <-> Sage ``/businesses``.

The user-accounts service answers ``/businesses`` without the accounting data: the base
currency lives in ``/financial_settings`` and which business is the lead one comes from
``/businesses/lead``; the provider passes both in. Only the name can be changed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.models import Business
from unified_accounting_sage.json_values import ref_id
from unified_accounting_sage.mappers._common import compact, finish, remote, stamps

__all__ = ["ATTRIBUTES", "WRAPPER_KEY", "to_sage", "to_unified", "wrapper_key"]

WRAPPER_KEY = "business"

#: Sage fields this mapper reads.
ATTRIBUTES: tuple[str, ...] = ("name", "country", "created_at", "updated_at")


def wrapper_key(business: Business | None = None) -> str:
    """Return the key that wraps a business in a write body."""
    return WRAPPER_KEY


def to_unified(
    raw: Mapping[str, Any],
    *,
    business_id: str | None = None,
    include_remote: bool = False,
    is_lead: bool = False,
    base_currency: str | None = None,
) -> Business:
    """Map a Sage business (``GET /businesses/{id}``) to a ``Business``.

    Args:
        raw: the Sage record.
        business_id: unused (a business is its own id); accepted for a uniform signature.
        include_remote: keep a copy of ``raw`` in ``remote_data``.
        is_lead: whether ``/businesses/lead`` named this business.
        base_currency: the ``base_currency`` id of the business's ``/financial_settings``.
    """
    return Business(
        id=raw.get("id"),
        name=raw.get("name") or raw.get("displayed_as") or "",
        country=ref_id(raw, "country"),
        base_currency=base_currency,
        is_lead=is_lead,
        **stamps(raw),
        remote_data=remote(raw, include_remote),
    )


def to_sage(
    business: Business,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = True,
) -> dict[str, Any]:
    """Build the inner body of ``PUT /businesses/{id}`` (address fields via provider_fields).

    Raises:
        ValidationError: a string is too long for Sage.
    """
    return finish(WRAPPER_KEY, compact({"name": business.name or None}), provider_fields, partial)
