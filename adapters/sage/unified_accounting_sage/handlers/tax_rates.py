"""``client.tax_rates``: Sage ``/tax_rates``.

Every business can list and read its rates. Sage creates, changes and deletes rates through
the API only for US businesses; elsewhere those operations raise
``UnsupportedOperationError`` before any write is sent. Writes drop the cached rates used to
resolve tax codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.errors import UnsupportedOperationError
from unified_accounting.models import TaxRate
from unified_accounting_sage.handlers.base import CRUD, SageHandler, check_options, path_of
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.handlers.query import (
    FieldAttributes,
    Filter,
    choice,
    day,
    text,
    timestamp,
)
from unified_accounting_sage.mappers import tax_rates

__all__ = ["TaxRateHandler"]

_USAGES = {"sales": "sales", "purchase": "purchase"}


def _put_body(rate: TaxRate) -> dict[str, Any]:
    """The PUT body: Sage changes a rate's percentage with ``percentage``, not components."""
    body = tax_rates.to_sage(rate, partial=True)
    components = body.pop("component_tax_rate", None)
    if components:
        body["percentage"] = components[0]["percentage"]
    return body


class TaxRateHandler(SageHandler[TaxRate]):
    """The business's tax rates."""

    resource = "tax_rates"
    operations = CRUD
    collection = "tax_rates"
    wrapper = tax_rates.WRAPPER_KEY
    filters = {
        "updated_since": Filter("updated_or_created_since", timestamp),
        "usage": Filter("usage", choice(_USAGES)),
        "region": Filter("address_region_id", text),
        "date": Filter("date", day),
    }
    attributes = FieldAttributes(
        tax_rates.ATTRIBUTES, TaxRate,
        {"rate": ("percentage",), "valid_from": ("percentage", "percentages"),
         "valid_to": ("percentage", "percentages"), "is_active": ("is_visible",),
         "code": ("name", "percentage", "is_visible"), "country": ()},
    )

    def to_model(self, raw: Mapping[str, Any], remote: bool) -> TaxRate:
        """Map one Sage tax rate, classified with the business's country table."""
        return tax_rates.to_unified(raw, business_id=self.business_id, include_remote=remote,
                                    country=self.tenant.country())
    def _us_only(self, operation: str) -> None:
        country = self.tenant.country()
        if country != "US":
            raise UnsupportedOperationError(
                f"Sage {operation}s tax rates through the API only for US businesses "
                f"(this business: {country or 'unknown country'})", provider="sage")

    def _rates_changed(self) -> None:
        self.tenant.forget_reference("tax_rates")

    def create(self, model: TaxRate, **options: Any) -> TaxRate:
        """``POST /tax_rates`` (US only); options: ``provider_fields`` (``agency``, ...)."""
        check_options(options, {"provider_fields"}, "tax_rates.create")
        self._us_only("create")
        body = tax_rates.to_sage(model, provider_fields=options.get("provider_fields"))
        raw = self.send("POST", path_of(self.collection), self.wrapper, body)
        self._rates_changed()
        return self.to_model(raw, self.tenant.include_remote())

    def update(self, id: str, changes: TaxRate | Mapping[str, Any], **options: Any) -> TaxRate:
        """``PUT /tax_rates/{id}`` (US only) with only the changed fields."""
        check_options(options, {"provider_fields"}, "tax_rates.update")
        self._us_only("change")
        body = update_body(
            changes, model=TaxRate, wrapper=self.wrapper, placeholders={"name": ""},
            to_sage=_put_body, provider_fields=options.get("provider_fields"),
        )
        raw = self.send("PUT", path_of(self.collection, id), self.wrapper, body)
        self._rates_changed()
        return self.to_model(raw, self.tenant.include_remote())

    def delete(self, id: str, **options: Any) -> None:
        """``DELETE /tax_rates/{id}`` (US only)."""
        check_options(options, (), "tax_rates.delete")
        self._us_only("delete")
        self.remove(path_of(self.collection, id))
        self._rates_changed()
