"""Seed data: the test user, one business per country, tax rates, charts and bank accounts.

Country data lives in ``<country>.json`` beside this module and lookups in ``lookups.json``.
Ids of seeded business records are derived from the seed, so they are stable across restarts.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from unified_accounting_sage.sandbox.messages import money, path_for, ref
from unified_accounting_sage.sandbox.oauth import derived_secret
from unified_accounting_sage.sandbox.store import Record, Store

GLOBAL = "_global"
BUSINESSES = "businesses"
_TYPE_SCOPES = {
    "SALES": ["sales", "reporting", "journals"],
    "OTHER_INCOME": ["sales", "other_receipt", "reporting", "journals"],
    "DIRECT_EXPENSES": ["purchasing", "other_payment", "reporting", "journals"],
    "OVERHEADS": ["purchasing", "other_payment", "reporting", "journals"],
    "BANK": ["bank", "reporting"],
}


@cache
def country_data(country: str) -> dict[str, Any]:
    """The seed table of one country (money and rates read as Decimal)."""
    text = files(__package__).joinpath(f"{country.lower()}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return data


@cache
def lookups() -> dict[str, list[list[str]]]:
    """Global lookup tables: currencies, countries, contact types, statuses, ..."""
    text = files(__package__).joinpath("lookups.json").read_text("utf-8")
    data: dict[str, list[list[str]]] = json.loads(text)
    return data


def lookup_name(table: str, item_id: str) -> str | None:
    """The display name of a lookup id, or None when unknown."""
    for row in lookups()[table]:
        if row[0] == item_id:
            return row[1]
    return None


def currency_ref(code: str) -> dict[str, str]:
    """A currency reference, displayed as ``Pound Sterling (GBP)``."""
    return ref("currencies", code, f"{lookup_name('currencies', code) or code} ({code})")


def percent_label(value: Decimal) -> str:
    """``20`` -> ``"20.00"``, ``9.975`` -> ``"9.975"``: at least two decimals."""
    exponent = value.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:.{places}f}"


def seed_ids(seed: int, country: str) -> tuple[str, str]:
    """The user id and the business id of one country, derived from the seed."""
    return derived_secret(seed, "user", 32), derived_secret(seed, f"business:{country}", 32)


def seed_business(store: Store, seed: int, country: str, stamp: str,
                  business_id: str | None = None) -> Record:
    """Create one business and its tax rates, chart of accounts, bank accounts and settings.

    ``business_id`` gives the user a further business in ``country`` (the first one's id is
    derived from the seed).
    """
    data = country_data(country)
    business_id = business_id or seed_ids(seed, country)[1]
    business = _business_record(business_id, data, stamp)
    store.insert(GLOBAL, BUSINESSES, business)
    rates = {r["id"]: _tax_rate(seed, country, r, stamp) for r in data["tax_rates"]}
    for record in rates.values():
        store.insert(business_id, "tax_rates", record)
    accounts = {}
    for row in data["chart"]:
        record = _ledger_account(seed, country, row, stamp)
        accounts[row["code"]] = store.insert(business_id, "ledger_accounts", record)
    defaults = data["defaults"]
    for kind, type_id, name in (("bank", "CHECKING", "Current"), ("cash", "CASH_IN_HAND", "Cash")):
        ledger = accounts[defaults[kind]]
        record = _bank_account(seed, country, kind, type_id, name, ledger, data, stamp)
        store.insert(business_id, "bank_accounts", record)
    store.insert(business_id, "financial_settings", _settings(data, stamp))
    return business


def _business_record(business_id: str, data: dict[str, Any], stamp: str) -> Record:
    country = data["country"]
    return {
        "id": business_id,
        "displayed_as": data["name"],
        "$path": path_for(BUSINESSES, business_id),
        "name": data["name"],
        "address_line_1": "1 Sandbox Street",
        "address_line_2": None,
        "city": data["city"],
        "postal_code": data["postal_code"],
        "region": data.get("region"),
        "country": {"id": country, "displayed_as": lookup_name("countries", country)},
        "telephone": None,
        "mobile": None,
        "website": None,
        "is_demo": False,
        "ni_based": False,
        "subscriptions": [
            {"id": "ACCOUNTING", "displayed_as": "Accounting", "active": True,
             "status": "active", "created_at": stamp, "updated_at": stamp}
        ],
        "created_at": stamp,
        "updated_at": stamp,
    }


def _record_id(seed: int, country: str, kind: str, key: object) -> str:
    return derived_secret(seed, f"{country}:{kind}:{key}", 32)


def tax_rate_record(
    rate_id: str, row: dict[str, Any], stamp: str, *, user_defined: bool
) -> Record:
    """A tax rate as Sage returns it, from a seed row or a US create body."""
    percentage = Decimal(row.get("percentage") or 0)
    label = row["name"] if row.get("no_percentage_label") else (
        f"{row['name']} {percent_label(percentage)}%"
    )
    components = [
        {"name": name, "percentage": money(Decimal(pct)), "agency": agency}
        for name, pct, agency in row.get("components", [])
    ]
    return {
        "id": rate_id,
        "displayed_as": label,
        "$path": path_for("tax_rates", rate_id),
        "created_at": stamp,
        "updated_at": stamp,
        "name": row["name"],
        "agency": row.get("agency"),
        "percentage": money(percentage),
        "percentages": [{"percentage": money(percentage), "from_date": "2000-01-01",
                         "to_date": None}],
        "is_visible": True,
        "retailer": False,
        "editable": user_defined,
        "deletable": user_defined,
        "is_combined_rate": len(components) > 1,
        "component_tax_rates": components,
    }


def _tax_rate(seed: int, country: str, row: dict[str, Any], stamp: str) -> Record:
    # US rates are created by users in Sage, so they carry record ids rather than codes.
    user_defined = str(row["id"]).startswith("user:")
    rate_id = _record_id(seed, country, "tax", row["id"]) if user_defined else row["id"]
    return tax_rate_record(rate_id, row, stamp, user_defined=user_defined)


def ledger_account_record(
    account_id: str, row: dict[str, Any], stamp: str, type_name: str
) -> Record:
    """A ledger account as Sage returns it."""
    scopes = _TYPE_SCOPES.get(row["type"], ["journals", "reporting"])
    label = f"{row['name']} ({row['code']})"
    record: Record = {
        "id": account_id,
        "displayed_as": label,
        "$path": path_for("ledger_accounts", account_id),
        "created_at": stamp,
        "updated_at": stamp,
        "ledger_account_type": ref("ledger_account_types", row["type"], type_name),
        "included_in_chart": row.get("included_in_chart", True),
        "name": row["name"],
        "display_name": row.get("display_name") or row["name"],
        "visible_scopes": scopes,
        "nominal_code": row["code"],
        "ledger_account_classification": None,
        "tax_rate": row.get("tax_rate"),
        "fixed_tax_rate": False,
        "control_name": row.get("control"),
        "is_control_account": bool(row.get("control")),
        "display_formatted": label,
    }
    for scope in ("banking", "expenses", "journals", "other_payments", "other_receipts",
                  "reporting", "sales"):
        record[f"visible_in_{scope}"] = _visible(scope, scopes)
    return record


def _visible(scope: str, scopes: list[str]) -> bool:
    aliases = {"banking": "bank", "expenses": "purchasing", "other_payments": "other_payment",
               "other_receipts": "other_receipt"}
    return aliases.get(scope, scope) in scopes


def _ledger_account(seed: int, country: str, row: dict[str, Any], stamp: str) -> Record:
    account_id = _record_id(seed, country, "ledger", row["code"])
    type_name = lookup_name("ledger_account_types", row["type"]) or row["type"]
    return ledger_account_record(account_id, row, stamp, type_name)


def bank_account_record(
    account_id: str,
    type_id: str,
    name: str,
    ledger: Record,
    currency: str,
    stamp: str,
    details: dict[str, Any] | None = None,
) -> Record:
    """A bank account as Sage returns it, e.g. displayed as ``Current (1200)``."""
    type_name = lookup_name("bank_account_types", type_id) or type_id
    bank_details = {"account_name": name, "account_number": None, "sort_code": None,
                    "bic": None, "iban": None, **(details or {})}
    return {
        "id": account_id,
        "displayed_as": f"{bank_details['account_name']} ({ledger['nominal_code']})",
        "$path": path_for("bank_accounts", account_id),
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
        "bank_account_details": bank_details,
        "ledger_account": ref("ledger_accounts", ledger["id"], ledger["displayed_as"]),
        "bank_account_type": ref("bank_account_types", type_id, type_name),
        "balance": "0.0",
        "nominal_code": ledger["nominal_code"],
        "editable": True,
        "deletable": True,
        "default_payment_method": ref("payment_methods", "BANK_TRANSFER", "Bank Transfer"),
        "is_active": True,
        "currency": currency_ref(currency),
    }


def _bank_account(
    seed: int, country: str, kind: str, type_id: str, name: str, ledger: Record,
    data: dict[str, Any], stamp: str,
) -> Record:
    account_id = _record_id(seed, country, "bank", kind)
    return bank_account_record(account_id, type_id, name, ledger, data["currency"], stamp)


def _settings(data: dict[str, Any], stamp: str) -> Record:
    scheme = data.get("tax_scheme")
    return {
        "id": "financial_settings",
        "displayed_as": "Financial Settings",
        "$path": "/financial_settings",
        "year_end_date": "2025-12-31",
        "year_end_lockdown_date": None,
        "accounts_start_date": "2025-01-01",
        "accounting_type": "accrual",
        "base_currency": currency_ref(data["currency"]),
        "multi_currency_enabled": False,
        "use_live_exchange_rates": False,
        "tax_scheme": {"id": scheme, "displayed_as": scheme.title()} if scheme else None,
        "tax_number": data.get("tax_number"),
        "general_tax_number": None,
        "sales_tax_calculation": "invoice",
        "purchase_tax_calculation": "invoice",
        "postponed_accounting": False,
        "destination_vat": False,
        "updated_at": stamp,
    }


def user_record(user_id: str, stamp: str, locale: str) -> Record:
    """The test user returned by ``/user``."""
    return {
        "id": user_id,
        "displayed_as": "Sandbox User",
        "$path": "/user",
        "first_name": "Sandbox",
        "last_name": "User",
        "initials": "SU",
        "email": "sandbox.user@example.com",
        "locale": locale,
        "created_at": stamp,
        "updated_at": stamp,
    }

