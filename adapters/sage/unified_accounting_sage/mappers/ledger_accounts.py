"""Ledger accounts: unified ``LedgerAccount`` <-> Sage ``/ledger_accounts``.

Classification and type come from ``ledger_account_type`` through
:data:`unified_accounting_sage.countries.chart.LEDGER_ACCOUNT_TYPES`. An account whose Sage type
has no unified counterpart (or is unknown) is kept with type ``other``, and its Sage type
reference is always put in ``remote_data`` (the whole record when ``include_remote``), so the
type is never lost and can be sent back. ``code`` is Sage's integer ``nominal_code`` as text;
``is_active`` is ``included_in_chart``. Sage has no delete for ledger accounts.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from unified_accounting.models import LedgerAccount
from unified_accounting_sage.countries.chart import (
    LEDGER_ACCOUNT_TYPES,
    classify_account_type,
    sage_account_type,
)
from unified_accounting_sage.json_values import parse_bool, ref_id
from unified_accounting_sage.mappers._common import compact, finish, refuse, remote, stamps

__all__ = ["ATTRIBUTES", "WRAPPER_KEY", "to_sage", "to_unified", "wrapper_key"]

WRAPPER_KEY = "ledger_account"

#: Sage fields this mapper reads (the ``attributes`` query of a list).
ATTRIBUTES: tuple[str, ...] = (
    "name",
    "display_name",
    "nominal_code",
    "ledger_account_type",
    "included_in_chart",
    "tax_rate",
    "created_at",
    "updated_at",
)

_MAX_NOMINAL_CODE = 99_999_999


def wrapper_key(account: LedgerAccount | None = None) -> str:
    """Return the key that wraps a ledger account in a write body."""
    return WRAPPER_KEY


def to_unified(
    raw: Mapping[str, Any], *, business_id: str | None = None, include_remote: bool = False
) -> LedgerAccount:
    """Map a Sage ledger account (``GET /ledger_accounts/{id}``) to a ``LedgerAccount``."""
    type_id = ref_id(raw, "ledger_account_type")
    classification, kind = classify_account_type(type_id)
    remote_data = remote(raw, include_remote)
    if kind == "other" and remote_data is None and type_id is not None:
        reference = raw.get("ledger_account_type")
        remote_data = {
            "ledger_account_type": copy.deepcopy(dict(reference))
            if isinstance(reference, Mapping)
            else {"id": type_id}
        }
    code = raw.get("nominal_code")
    return LedgerAccount(
        id=raw.get("id"),
        business_id=business_id,
        code=None if code is None else str(code),
        name=raw.get("name") or raw.get("display_name") or raw.get("displayed_as") or "",
        classification=classification,
        type=kind,
        tax_rate_id=ref_id(raw, "tax_rate"),
        is_active=parse_bool(raw.get("included_in_chart"), True),
        **stamps(raw),
        remote_data=remote_data,
    )


def _nominal_code(code: str | None) -> int | None:
    if code is None:
        return None
    text = code.strip()
    if not text.isdigit() or not 1 <= int(text) <= _MAX_NOMINAL_CODE:
        raise refuse("code", f"Sage nominal codes are whole numbers from 1 to {_MAX_NOMINAL_CODE}")
    return int(text)


def _type_id(account: LedgerAccount, extra: Mapping[str, Any] | None, partial: bool) -> str | None:
    fallback = ref_id(account.remote_data or {}, "ledger_account_type")
    type_id = sage_account_type(account.type, fallback)
    if type_id is None and not partial and "ledger_account_type_id" not in (extra or {}):
        raise refuse("type", f"type {account.type!r} has no single Sage type; give "
                     "ledger_account_type_id in provider_fields")
    expected = LEDGER_ACCOUNT_TYPES.get(type_id or "")
    if expected and account.classification and account.classification != expected[0]:
        raise refuse("classification", f"a {account.type} account is {expected[0]}, "
                     f"not {account.classification}")
    return type_id


def to_sage(
    account: LedgerAccount,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Build the inner body of ``POST /ledger_accounts`` (or ``PUT`` with ``partial``).

    Sage lets API clients create ledger accounts in CA, FR, GB, IE and US only.

    Args:
        account: the account to send; ``name`` fills both ``name`` and ``display_name``.
        provider_fields: extra Sage fields (``display_name``, ``visible_in_sales``,
            ``ledger_account_type_id``, ``gifi_code``, ...).
        partial: an update; Sage's required fields are not enforced.

    Raises:
        ValidationError: a code that is not a Sage nominal code, a type without a Sage
            counterpart, a classification that contradicts the type, or a name too long.
    """
    body = compact(
        {
            "ledger_account_type_id": _type_id(account, provider_fields, partial),
            "included_in_chart": account.is_active,
            "name": account.name or None,
            "display_name": account.name or None,
            "nominal_code": _nominal_code(account.code),
            "tax_rate_id": account.tax_rate_id,
        }
    )
    return finish(WRAPPER_KEY, body, provider_fields, partial)
