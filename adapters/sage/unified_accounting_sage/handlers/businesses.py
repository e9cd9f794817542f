"""``client.businesses``: the user's Sage businesses (``/businesses``, sent without
``X-Business``), and ``lead()``.

``is_lead`` comes from ``/businesses/lead``, read once per list. ``base_currency`` lives in
the business's ``/financial_settings``; ``get`` and ``lead`` read it (one request routed to
that business), lists leave it empty to stay at one request per page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unified_accounting.errors import NotFoundError, PermissionDeniedError
from unified_accounting.models import Business
from unified_accounting.provider import RecordPage, ResourceHandler
from unified_accounting_sage.business_routing import BusinessChange
from unified_accounting_sage.handlers.base import SageHandler, check_options, path_of
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.json_values import ref_id
from unified_accounting_sage.mappers import businesses
from unified_accounting_sage.response_hook import report_change

__all__ = ["BusinessHandler"]


class BusinessHandler(SageHandler[Business]):
    """The businesses the connected user can reach."""

    resource = "businesses"
    operations = frozenset({"list", "get", "update", "lead"})
    collection = "businesses"
    wrapper = businesses.WRAPPER_KEY
    # ``/businesses`` takes no ``attributes``, so ``fields=`` cannot narrow it.
    list_options = frozenset({"include_remote_data"})

    def to_model(self, raw: Mapping[str, Any], remote: bool, *, lead: str | None,
                 currency: str | None = None) -> Business:
        """Map one Sage business."""
        return businesses.to_unified(raw, include_remote=remote,
                                     is_lead=raw.get("id") == lead, base_currency=currency)

    def list(self, filters: Mapping[str, Any]) -> Iterator[Business]:
        """``GET /businesses`` (all on one page), then ``GET /businesses/lead``."""
        remote = self.tenant.include_remote(filters)
        lead: str | None = None
        for index, raw in enumerate(self.raw_list(self.collection, {})):
            if index == 0:
                lead = self._lead_id()
            yield self.to_model(raw, remote, lead=lead)

    def pages(self, filters: Mapping[str, Any], *, page_size: int,
              start_page: int = 1) -> Iterator[RecordPage[Business]]:
        """``list`` grouped into pages: ``/businesses`` answers everything on one page."""
        return ResourceHandler.pages(self, filters, page_size=page_size, start_page=start_page)

    def numbered(self, filters: Mapping[str, Any], *, page_size: int) -> None:
        """``/businesses`` has no numbered pages: ``list(parallel=...)`` reads it as a list."""

    def _lead_id(self) -> str | None:
        return self._lead_record().get("id")

    def _lead_record(self) -> dict[str, Any]:
        raw = self.raw_get(self.collection, "lead")
        self._remember_lead(raw.get("id"))
        return raw

    def _remember_lead(self, lead: Any) -> None:
        if not isinstance(lead, str) or not lead:
            return
        state = self.tenant.state
        with state.lock:
            previous, state.lead_business_id = state.lead_business_id, lead
        if previous is not None and previous != lead:
            report_change(self.tenant.shared, BusinessChange(
                "lead_changed", previous, lead, "/businesses/lead", self.context.connection))

    def _currency(self, business_id: str) -> str | None:
        try:
            settings = self.transport.request("GET", "/financial_settings",
                                              business_id=business_id).json()
        except (PermissionDeniedError, NotFoundError):
            return None
        return ref_id(settings, "base_currency") if isinstance(settings, dict) else None

    def get(self, id: str) -> Business:
        """``GET /businesses/{id}`` and its ``/financial_settings``."""
        raw = self.raw_get(self.collection, id)
        lead = self.tenant.state.lead_business_id
        return self.to_model(raw, self.tenant.include_remote(), lead=lead,
                             currency=self._currency(str(raw.get("id") or id)))

    def lead(self) -> Business:
        """``GET /businesses/lead``: the user's lead business, remembered for the connection.

        A lead business that differs from the one remembered is reported like any other
        business change (warning and ``on_business_change``).
        """
        raw = self._lead_record()
        return self.to_model(raw, self.tenant.include_remote(), lead=raw.get("id"),
                             currency=self._currency(str(raw.get("id"))))

    def update(self, id: str, changes: Business | Mapping[str, Any], **options: Any) -> Business:
        """``PUT /businesses/{id}`` (the name; address fields through ``provider_fields``)."""
        check_options(options, {"provider_fields"}, "businesses.update")
        body = update_body(
            changes, model=Business, wrapper=self.wrapper, placeholders={"name": ""},
            to_sage=lambda m: businesses.to_sage(m, partial=True),
            provider_fields=options.get("provider_fields"),
        )
        raw = self.send("PUT", path_of(self.collection, id), self.wrapper, body)
        self.tenant.reference_cache.invalidate(str(raw.get("id") or id), "business")
        return self.to_model(raw, self.tenant.include_remote(),
                             lead=self.tenant.state.lead_business_id)
