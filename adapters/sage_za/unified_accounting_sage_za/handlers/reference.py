"""Tax rates, ledger accounts and businesses: the reference data of a company."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from unified_accounting.errors import ProviderUnavailableError, ValidationError
from unified_accounting.models import Business, DeletedRecord, LedgerAccount, TaxRate
from unified_accounting.provider import RecordPage
from unified_accounting_sage_za.country import category_for_type, classify_category, tax_code_of
from unified_accounting_sage_za.handlers.base import ZAHandler, merged
from unified_accounting_sage_za.wire import as_decimal, parse_id, parse_stamp

__all__ = ["BusinessesHandler", "LedgerAccountsHandler", "TaxRatesHandler"]


def _stamps(raw: Mapping[str, Any]) -> dict[str, datetime | None]:
    created = parse_stamp(raw.get("Created"))
    return {"created_at": created, "updated_at": parse_stamp(raw.get("Modified")) or created}


class _SimpleHandler(ZAHandler[Any]):
    """A resource backed by one controller with integer ids."""

    def to_model(self, raw: Mapping[str, Any], remote: bool = False) -> Any:
        """Map one record (each subclass)."""
        raise NotImplementedError

    def body(self, model: Any, current: Mapping[str, Any] | None) -> dict[str, Any]:
        """The Save body of a model (each subclass)."""
        raise NotImplementedError

    def list(self, filters: Mapping[str, Any]) -> Iterator[Any]:
        remote = bool(filters.get("include_remote_data"))
        return (self.to_model(raw, remote) for raw in self.listed(self.controller, filters))

    def pages(self, filters: Mapping[str, Any], *, page_size: int,
              start_page: int = 1) -> Iterator[RecordPage[Any]]:
        remote = bool(filters.get("include_remote_data"))
        return self.pages_of_one(self.controller, filters, page_size, start_page,
                                 lambda raw: self.to_model(raw, remote))

    def get(self, id: str) -> Any:
        return self.to_model(self.raw_get(self.controller, parse_id(id)[1]))

    def create(self, model: Any, **options: Any) -> Any:
        """``POST {controller}/Save``, sent once.

        Raises:
            ProviderUnavailableError: not ``retryable`` when the answer was lost (a dropped
                connection, a timeout, a 500): master data has no field to carry a reference,
                so whether Sage stored the record cannot be looked up, and sending it again
                could make a second one. A 503 (refused before handling) stays retryable.
        """
        try:
            answer = self.transport.request("POST", f"/{self.controller}/Save",
                                            json=self.body(model, None))
        except ProviderUnavailableError as exc:
            if exc.status == 503:  # refused before handling: sending it again is safe
                raise
            raise ProviderUnavailableError(
                f"the answer to a new {self.controller} was lost ({exc.message}); it may have "
                f"been stored, and v2 gives it no reference to look it up by: check the "
                f"company's {self.resource.replace('_', ' ')} before creating it again",
                provider="sage_za", status=exc.status, request_id=exc.request_id,
                retryable=False) from exc
        raw = self.record(answer.json())
        self.snapshot.seen(self.controller, [int(raw["ID"])])
        return self.to_model(raw)

    def update(self, id: str, changes: Any, **options: Any) -> Any:
        current_raw = self.raw_get(self.controller, parse_id(id)[1])
        wanted = merged(self.to_model(current_raw), changes)
        return self.to_model(self.save_existing(self.controller, self.body(wanted, current_raw)))

    def delete(self, id: str, **options: Any) -> None:
        self.remove(self.controller, parse_id(id)[1])

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        for _ in self.listed(self.controller, {}):
            pass
        yield from self.snapshot.records(self.controller, since, self.context.business_id)


class TaxRatesHandler(_SimpleHandler):
    """``TaxType/*``: ZA VAT rates; the unified code comes from the tax type's name."""

    resource = "tax_rates"
    controller = "TaxType"

    def to_model(self, raw: Mapping[str, Any], remote: bool = False) -> TaxRate:
        return TaxRate(id=str(raw["ID"]), business_id=self.context.business_id,
                       name=str(raw.get("Name") or ""), code=tax_code_of(raw.get("Name")),
                       rate=as_decimal(raw.get("Percentage")), country="ZA",
                       is_active=bool(raw.get("Active", True)), **_stamps(raw),
                       remote_data=dict(raw) if remote else None)

    def body(self, model: TaxRate, current: Mapping[str, Any] | None) -> dict[str, Any]:
        if model.rate is None:
            raise ValidationError({"rate": ["v2 tax types need a percentage"]},
                                  provider="sage_za")
        return {**(current or {}), "Name": model.name, "Percentage": model.rate,
                "Active": model.is_active}


class LedgerAccountsHandler(_SimpleHandler):
    """``Account/*``: the chart including the system (control) accounts; v2 accounts have
    no code, and their type comes from their category."""

    resource = "ledger_accounts"
    controller = "Account"
    list_method = "GetWithSystemAccounts"

    def to_model(self, raw: Mapping[str, Any], remote: bool = False) -> LedgerAccount:
        found = raw.get("Category")
        category: Mapping[str, Any] = found if isinstance(found, dict) else {}
        classification, kind = classify_category(category.get("Description"))
        return LedgerAccount(
            id=str(raw["ID"]), business_id=self.context.business_id, code=None,
            name=str(raw.get("Name") or ""), classification=classification, type=kind,
            tax_rate_id=str(raw["DefaultTaxTypeId"]) if raw.get("DefaultTaxTypeId") else None,
            is_active=bool(raw.get("Active", True)), **_stamps(raw),
            remote_data=dict(raw) if remote else None)

    def body(self, model: LedgerAccount, current: Mapping[str, Any] | None) -> dict[str, Any]:
        category = self._category(model)
        return {**(current or {}), "Name": model.name, "Active": model.is_active,
                "Category": {"ID": category["ID"]},
                "DefaultTaxTypeId": int(model.tax_rate_id) if model.tax_rate_id else None}

    def _category(self, model: LedgerAccount) -> Mapping[str, Any]:
        categories = self.context.cache.get("sage_za.categories")
        if not isinstance(categories, list):
            categories = list(self.raw_list("AccountCategory"))
            self.context.cache["sage_za.categories"] = categories
        found = category_for_type(model.type, model.classification, categories)
        if found is None:
            raise ValidationError({"type": [
                "v2 files accounts by category; give a type or classification that a ZA "
                "category has (revenue, cost_of_sales, expense, current_asset, ...)"]},
                provider="sage_za")
        return found


class BusinessesHandler(_SimpleHandler):
    """``Company/Get``: the companies the login reaches (v2 cannot create one)."""

    resource = "businesses"
    controller = "Company"

    def to_model(self, raw: Mapping[str, Any], remote: bool = False) -> Business:
        return Business(id=str(raw["ID"]), name=str(raw.get("Name") or ""), country="ZA",
                        base_currency="ZAR", is_lead=False, **_stamps(raw),
                        remote_data=dict(raw) if remote else None)
