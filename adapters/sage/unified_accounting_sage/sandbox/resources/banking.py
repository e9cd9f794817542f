"""bank_accounts, financial_settings and transactions (one per posted document)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from unified_accounting_sage.sandbox.errors import invalid
from unified_accounting_sage.sandbox.listing import date_from, date_to, ref_is, since
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.messages import money, path_for, to_decimal
from unified_accounting_sage.sandbox.resources.common import (
    delete_record,
    getter,
    linked,
    looked_up,
    touch,
    updater,
)
from unified_accounting_sage.sandbox.resources.lookups import lookup_ref
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.seed import bank_account_record
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate


def adjust_bank_balance(ctx: Ctx, bank_account_id: str, delta: Decimal) -> None:
    """Move a bank account's balance by a payment's amount."""
    record = ctx.get("bank_accounts", bank_account_id)
    if record is not None:
        record["balance"] = money(to_decimal(record["balance"]) + delta)
        touch(ctx, "bank_accounts", record)


def _list_transactions(ctx: Ctx, key: str | None) -> Reply:
    filters = {
        "updated_or_created_since": since(),
        "from_date": date_from(),
        "to_date": date_to(),
        "transaction_type_id": ref_is("transaction_type"),
    }
    return _list(ctx, "transactions", filters)


def _create_bank_account(ctx: Ctx, key: str | None) -> Reply:
    data = ctx.wrapped("bank_account")
    validate("bank_account", data)
    type_ref = looked_up("bank_account_types", data["bank_account_type_id"],
                         "bank_account_type_id")
    assert type_ref is not None
    ledger = _ledger_for(ctx, data)
    details = {k: v for k, v in (data.get("bank_account_details") or {}).items() if v is not None}
    name = details.get("account_name") or type_ref["displayed_as"]
    currency = data.get("currency_id") or ctx.require(
        "financial_settings", "financial_settings")["base_currency"]["id"]
    looked_up("currencies", currency, "currency_id")
    record = bank_account_record(new_id(), type_ref["id"], name, ledger, currency, ctx.stamp,
                                 details)
    _apply_bank(ctx, record, data)
    ctx.store.insert(ctx.business_id, "bank_accounts", record)
    return 201, record


def _ledger_for(ctx: Ctx, data: dict[str, Any]) -> Record:
    if data.get("ledger_account_id") is not None:
        return ctx.require("ledger_accounts", data["ledger_account_id"], "ledger_account_id")
    if data.get("nominal_code") is None:
        raise invalid("nominal_code", "can't be blank")
    accounts = ctx.store.collection(ctx.business_id, "ledger_accounts").ordered()
    if any(a["nominal_code"] == data["nominal_code"] for a in accounts):
        raise invalid("nominal_code", "has already been taken")
    account_id = new_id()
    label = f"Bank ({data['nominal_code']})"
    ledger: Record = {
        "id": account_id, "displayed_as": label, "$path": path_for("ledger_accounts", account_id),
        "created_at": ctx.stamp, "updated_at": ctx.stamp, "name": "Bank",
        "display_name": "Bank", "nominal_code": data["nominal_code"],
        "ledger_account_type": lookup_ref("ledger_account_types", "BANK"),
        "included_in_chart": True, "visible_scopes": ["bank", "reporting"],
        "control_name": None, "is_control_account": False, "display_formatted": label,
    }
    ctx.store.insert(ctx.business_id, "ledger_accounts", ledger)
    return ledger


def _apply_bank(ctx: Ctx, record: Record, data: dict[str, Any]) -> None:
    if data.get("default_payment_method_id") is not None:
        record["default_payment_method"] = looked_up(
            "payment_methods", data["default_payment_method_id"], "default_payment_method_id")
    if data.get("is_active") is not None:
        record["is_active"] = data["is_active"]
    if data.get("bank_account_details"):
        details = {k: v for k, v in data["bank_account_details"].items() if v is not None}
        record["bank_account_details"].update(details)
        record["displayed_as"] = (
            f"{record['bank_account_details']['account_name']} ({record['nominal_code']})"
        )


def _delete_bank_account(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require("bank_accounts", key)
    payments = ctx.store.collection(ctx.business_id, "contact_payments").ordered()
    if any(p["bank_account"]["id"] == record["id"] for p in payments):
        raise invalid("base", "The bank account cannot be deleted because it has transactions")
    delete_record(ctx, "bank_accounts", record)
    return 204, None


def _show_settings(ctx: Ctx, key: str | None) -> Reply:
    return 200, ctx.require("financial_settings", "financial_settings")


def _update_settings(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require("financial_settings", "financial_settings")
    data = ctx.wrapped("financial_settings")
    validate("financial_settings.update", data)
    if data.get("base_currency_id") is not None:
        record["base_currency"] = looked_up("currencies", data["base_currency_id"],
                                            "base_currency_id")
    for name in ("year_end_date", "accounts_start_date", "accounting_type", "tax_number",
                 "multi_currency_enabled", "sales_tax_calculation", "purchase_tax_calculation"):
        if name in data:
            record[name] = data[name]
    touch(ctx, "financial_settings", record)
    return 200, record


def bank_ref(ctx: Ctx, bank_account_id: Any) -> dict[str, str] | None:
    """The reference to a bank account named in a body (404 ``bank_account_id`` if unknown)."""
    return linked(ctx, "bank_accounts", bank_account_id, "bank_account_id")


ROUTES = [
    Route("GET", "/bank_accounts", lambda ctx, key: _list(
        ctx, "bank_accounts", {"updated_or_created_since": since()}, deletable=True)),
    Route("POST", "/bank_accounts", _create_bank_account, wrapper="bank_account"),
    Route("GET", "/bank_accounts/{key}", getter("bank_accounts")),
    Route("PUT", "/bank_accounts/{key}", updater("bank_accounts", "bank_account", _apply_bank),
          wrapper="bank_account"),
    Route("DELETE", "/bank_accounts/{key}", _delete_bank_account),
    Route("GET", "/financial_settings", _show_settings),
    Route("PUT", "/financial_settings", _update_settings, wrapper="financial_settings"),
    Route("GET", "/transactions", _list_transactions),
    Route("GET", "/transactions/{key}", getter("transactions")),
]
