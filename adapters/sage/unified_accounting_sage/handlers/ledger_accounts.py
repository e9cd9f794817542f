"""``client.ledger_accounts``: Sage ``/ledger_accounts`` (no delete in Sage).

Writes drop the cached chart of accounts, so account mappings are validated against the
chart as it now is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.models import LedgerAccount
from unified_accounting_sage.countries import sage_account_type
from unified_accounting_sage.handlers.base import SageHandler, check_options, path_of
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.handlers.query import FieldAttributes, Filter, text, timestamp
from unified_accounting_sage.mappers import ledger_accounts

__all__ = ["LedgerAccountHandler"]


def _type_id(value: Any) -> str:
    type_id = sage_account_type(value) if isinstance(value, str) else None
    if type_id is None:
        raise TypeError("expected a unified ledger account type with a Sage counterpart")
    return type_id


class LedgerAccountHandler(SageHandler[LedgerAccount]):
    """The chart of accounts."""

    resource = "ledger_accounts"
    operations = frozenset({"list", "get", "create", "update"})
    collection = "ledger_accounts"
    wrapper = ledger_accounts.WRAPPER_KEY
    filters = {
        "updated_since": Filter("updated_or_created_since", timestamp),
        "search": Filter("search", text),
        "type": Filter("ledger_account_type_id", _type_id),
        "visible_in": Filter("visible_in", text),
    }
    attributes = FieldAttributes(
        ledger_accounts.ATTRIBUTES, LedgerAccount,
        {"code": ("nominal_code",), "name": ("name", "display_name"),
         "classification": ("ledger_account_type",), "type": ("ledger_account_type",),
         "tax_rate_id": ("tax_rate",), "is_active": ("included_in_chart",)},
    )

    def to_model(self, raw: Mapping[str, Any], remote: bool) -> LedgerAccount:
        """Map one Sage ledger account."""
        return ledger_accounts.to_unified(raw, business_id=self.business_id,
                                          include_remote=remote)
    def _chart_changed(self) -> None:
        self.tenant.forget_reference("ledger_accounts")

    def create(self, model: LedgerAccount, **options: Any) -> LedgerAccount:
        """``POST /ledger_accounts`` (Sage allows it in CA, FR, GB, IE and US)."""
        check_options(options, {"provider_fields"}, "ledger_accounts.create")
        body = ledger_accounts.to_sage(model, provider_fields=options.get("provider_fields"))
        raw = self.send("POST", path_of(self.collection), self.wrapper, body)
        self._chart_changed()
        return self.to_model(raw, self.tenant.include_remote())

    def update(self, id: str, changes: LedgerAccount | Mapping[str, Any],
               **options: Any) -> LedgerAccount:
        """``PUT /ledger_accounts/{id}`` with only the changed fields."""
        check_options(options, {"provider_fields"}, "ledger_accounts.update")
        body = update_body(
            changes, model=LedgerAccount, wrapper=self.wrapper, placeholders={"name": ""},
            to_sage=lambda m: ledger_accounts.to_sage(m, partial=True),
            provider_fields=options.get("provider_fields"),
        )
        raw = self.send("PUT", path_of(self.collection, id), self.wrapper, body)
        self._chart_changed()
        return self.to_model(raw, self.tenant.include_remote())
