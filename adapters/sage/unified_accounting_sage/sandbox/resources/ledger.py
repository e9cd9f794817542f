"""ledger_accounts and tax_rates (tax-rate writes exist for US businesses only)."""

from __future__ import annotations

from typing import Any

from unified_accounting_sage.sandbox.errors import SageError, invalid
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.listing import ref_is, search, since
from unified_accounting_sage.sandbox.messages import to_decimal
from unified_accounting_sage.sandbox.resources.common import (
    delete_record,
    getter,
    linked,
    looked_up,
    touch,
    unique_index,
)
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.seed import ledger_account_record, tax_rate_record
from unified_accounting_sage.sandbox.validation import validate

#: Sage offers POST /ledger_accounts in these countries only.
LEDGER_CREATE_COUNTRIES = ("CA", "FR", "GB", "IE", "US")
_VISIBLE = ("banking", "expenses", "journals", "other_payments", "other_receipts", "reporting",
            "sales")


def _visible_in(value: str) -> Any:
    if value not in _VISIBLE:
        raise ValueError(value)
    return lambda record: bool(record.get(f"visible_in_{value}"))


def _list_accounts(ctx: Ctx, key: str | None) -> Reply:
    filters = {
        "updated_or_created_since": since(),
        "ledger_account_type_id": ref_is("ledger_account_type"),
        "ledger_account_classification_id": ref_is("ledger_account_classification"),
        "visible_in": _visible_in,
        "search": search("name", "display_name", "nominal_code"),
    }
    return _list(ctx, "ledger_accounts", filters)


def _claim_code(ctx: Ctx, record_id: str, code: int, old: int | None) -> None:
    index = unique_index(ctx, "ledger_accounts", "nominal_code")
    owner = index.get(str(code))
    if owner is not None and owner != record_id:
        raise invalid("nominal_code", "has already been taken")
    if old is not None:
        index.pop(str(old), None)
    index[str(code)] = record_id


def _create_account(ctx: Ctx, key: str | None) -> Reply:
    if ctx.country not in LEDGER_CREATE_COUNTRIES:
        raise SageError(403, [("MultiUserAccessDenied",
                               "Ledger accounts cannot be created in this region.", "")])
    data = ctx.wrapped("ledger_account")
    validate("ledger_account", data)
    if data.get("control_name"):
        raise invalid("control_name", "You cannot add ledger accounts with a control name")
    type_ref = looked_up("ledger_account_types", data["ledger_account_type_id"],
                         "ledger_account_type_id")
    assert type_ref is not None  # the schema requires the id
    tax_rate = linked(ctx, "tax_rates", data.get("tax_rate_id"), "tax_rate_id")
    account_id = new_id()
    _claim_code(ctx, account_id, data["nominal_code"], None)
    row = {"code": data["nominal_code"], "name": data["name"], "type": type_ref["id"],
           "display_name": data["display_name"], "tax_rate": tax_rate,
           "included_in_chart": data["included_in_chart"]}
    record = ledger_account_record(account_id, row, ctx.stamp, type_ref["displayed_as"])
    _apply_flags(record, data)
    ctx.store.insert(ctx.business_id, "ledger_accounts", record)
    return 201, record


def _apply_flags(record: dict[str, Any], data: dict[str, Any]) -> None:
    for scope in _VISIBLE:
        if data.get(f"visible_in_{scope}") is not None:
            record[f"visible_in_{scope}"] = data[f"visible_in_{scope}"]
    for name in ("fixed_tax_rate", "included_in_chart"):
        if data.get(name) is not None:
            record[name] = data[name]


def _update_account(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require("ledger_accounts", key)
    data = ctx.wrapped("ledger_account")
    validate("ledger_account.update", data)
    if "control_name" in data and data["control_name"] != record["control_name"]:
        raise invalid("control_name", "You cannot modify the control name")
    changes = _resolved_links(ctx, data)
    if data.get("nominal_code") is not None:
        _claim_code(ctx, record["id"], data["nominal_code"], record["nominal_code"])
        changes["nominal_code"] = data["nominal_code"]
    # Every check above passed before this first change: a refused update changes nothing.
    record.update(changes)
    for name in ("name", "display_name"):
        if data.get(name) is not None:
            record[name] = data[name]
    _apply_flags(record, data)
    record["displayed_as"] = record["display_formatted"] = (
        f"{record['name']} ({record['nominal_code']})"
    )
    touch(ctx, "ledger_accounts", record)
    return 200, record


def _resolved_links(ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    """The type and tax rate references an update body names (404 or 422 if unknown)."""
    links: dict[str, Any] = {}
    if data.get("ledger_account_type_id") is not None:
        links["ledger_account_type"] = looked_up(
            "ledger_account_types", data["ledger_account_type_id"], "ledger_account_type_id")
    if "tax_rate_id" in data:
        links["tax_rate"] = linked(ctx, "tax_rates", data["tax_rate_id"], "tax_rate_id")
    return links


def _usage(value: str) -> Any:
    if value not in ("sales", "purchase"):
        raise ValueError(value)
    return lambda record: True


def _list_rates(ctx: Ctx, key: str | None) -> Reply:
    filters = {"updated_or_created_since": since(), "usage": _usage}
    return _list(ctx, "tax_rates", filters)


def _require_us(ctx: Ctx) -> None:
    if ctx.country != "US":
        raise invalid("base", "Tax rates can only be created or changed in US businesses")


# Sage names the list of components differently on writes (``component_tax_rate``) and on
# reads (``component_tax_rates``); requests use the write name.
_COMPONENTS_IN = "component_tax_rate"


def _rate_row(data: dict[str, Any]) -> dict[str, Any]:
    components = [
        [item["name"], to_decimal(item["percentage"]), item.get("agency")]
        for item in data.get(_COMPONENTS_IN) or []
    ]
    total = sum((item[1] for item in components), to_decimal(data.get("percentage") or 0))
    return {"name": data["name"], "agency": data.get("agency"), "percentage": total,
            "components": components}


def _create_rate(ctx: Ctx, key: str | None) -> Reply:
    _require_us(ctx)
    data = ctx.wrapped("tax_rate")
    validate("tax_rate", data)
    record = tax_rate_record(new_id(), _rate_row(data), ctx.stamp, user_defined=True)
    if data.get("is_visible") is not None:
        record["is_visible"] = data["is_visible"]
    ctx.store.insert(ctx.business_id, "tax_rates", record)
    return 201, record


def _update_rate(ctx: Ctx, key: str | None) -> Reply:
    _require_us(ctx)
    record = ctx.require("tax_rates", key)
    data = ctx.wrapped("tax_rate")
    validate("tax_rate.update", data)
    merged = {"name": record["name"], "agency": record["agency"], **data}
    if _COMPONENTS_IN not in data and "percentage" not in data:
        merged["percentage"] = record["percentage"]
    fresh = tax_rate_record(record["id"], _rate_row(merged), ctx.stamp, user_defined=True)
    fresh["created_at"] = record["created_at"]
    record.update(fresh)
    touch(ctx, "tax_rates", record)
    return 200, record


def _delete_rate(ctx: Ctx, key: str | None) -> Reply:
    _require_us(ctx)
    delete_record(ctx, "tax_rates", ctx.require("tax_rates", key))
    return 204, None


ROUTES = [
    Route("GET", "/ledger_accounts", _list_accounts),
    Route("POST", "/ledger_accounts", _create_account, wrapper="ledger_account"),
    Route("GET", "/ledger_accounts/{key}", getter("ledger_accounts")),
    Route("PUT", "/ledger_accounts/{key}", _update_account, wrapper="ledger_account"),
    Route("GET", "/tax_rates", _list_rates),
    Route("POST", "/tax_rates", _create_rate, wrapper="tax_rate"),
    Route("GET", "/tax_rates/{key}", getter("tax_rates")),
    Route("PUT", "/tax_rates/{key}", _update_rate, wrapper="tax_rate"),
    Route("DELETE", "/tax_rates/{key}", _delete_rate),
]
