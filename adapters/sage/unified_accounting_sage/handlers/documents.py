"""What invoices and credit notes share: sales and purchase documents with lines.

Before a document is sent, its contact is read and must be a customer (sales) or a vendor
(purchase); otherwise a ``ValidationError`` is raised and no request for the document is
made. A contact that passed is remembered in the connection's reference cache, per
business, so that further documents for it cost one request; the entry is dropped when Sage
refuses a document (the contact may have changed), when the contact is updated or deleted
through this connection, and when the reference cache expires. Lines may name a unified
``tax_code`` (resolved through the business's tax rates and the country table), an
``account_concept`` (resolved through the connection's account mapping) and an ``item_id``
(sent as a product or a service, whichever the item is; its type is cached like a contact's).
A line that gives both net and tax must have the tax of the rate it resolves to
(:mod:`unified_accounting_sage.handlers.line_tax`), checked before a create or an update.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, TypeVar

from unified_accounting.errors import AccountingError, NotFoundError, ValidationError
from unified_accounting.models import CreditNote, Invoice, ItemType
from unified_accounting_sage.handlers.base import CRUD, check_options, path_of
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.handlers.line_tax import line_tax_errors, single_rates
from unified_accounting_sage.handlers.query import Filter, day, text, timestamp
from unified_accounting_sage.handlers.split import SplitHandler
from unified_accounting_sage.json_values import ref_ids
from unified_accounting_sage.mappers import invoices
from unified_accounting_sage.mappers.items import COLLECTIONS as ITEM_COLLECTIONS
from unified_accounting_sage.mappings import AccountMappings, TaxCodes
from unified_accounting_sage.reference_cache import contact_types_key

__all__ = ["DOCUMENT_FILTERS", "DocumentHandler", "Resolvers", "item_kind_key"]

D = TypeVar("D", Invoice, CreditNote)
Resolvers = dict[str, Any]
"""Keyword arguments of a mapper's ``to_sage``: ``resolve_tax_code``, ``resolve_account``,
``resolve_item``."""

_WRITE_OPTIONS = {"provider_fields", "tax_region"}
_PLACEHOLDER_DATE = date(2000, 1, 1)

#: The list filters every document collection takes (``status`` is each resource's own).
DOCUMENT_FILTERS: Mapping[str, Filter] = {
    "updated_since": Filter("updated_or_created_since", timestamp),
    "search": Filter("search", text),
    "contact_id": Filter("contact_id", text),
    "from_date": Filter("from_date", day),
    "to_date": Filter("to_date", day),
}


def item_kind_key(item_id: str) -> str:
    """The reference cache name of one item's type (checked before document lines)."""
    return f"item_kind/{item_id}"


class DocumentHandler(SplitHandler[D]):
    """Base of the invoice and credit note handlers (see the module docstring).

    Class attributes:
        model: the unified model class.
        wrappers: unified type -> the Sage write wrapper key.
        lines_key: where Sage keeps the lines (``invoice_lines``).
    """

    operations: ClassVar[frozenset[str]] = CRUD | {"list_deleted", "release"}
    model: ClassVar[type[Any]]
    wrappers: ClassVar[Mapping[Any, str]] = {}
    lines_key: ClassVar[str] = "invoice_lines"

    def to_sage_body(self, model: D, resolvers: Resolvers, extra: Mapping[str, Any] | None,
                     partial: bool) -> dict[str, Any]:
        """Map a document to the inner body of a write (each subclass names its mapper)."""
        raise NotImplementedError

    # -- checks before a write -----------------------------------------------------------

    def check_contact(self, document: D) -> None:
        """Refuse a contact of the wrong type (cached per business; see the module)."""
        name = contact_types_key(document.contact_id)
        cache = self.tenant.reference_cache
        type_ids = cache.get(self.business_id, name, lambda: self._contact_types(document))
        try:
            invoices.check_contact_type(document, type_ids)
        except ValidationError:
            # A refusal is not remembered: the contact may be given the role any moment.
            self.tenant.forget_reference(name)
            raise

    def _contact_types(self, document: D) -> tuple[str, ...]:
        try:
            contact = self.raw_get("contacts", document.contact_id)
        except NotFoundError:
            raise ValidationError({"contact_id": ["no such contact in this business"]},
                                  provider="sage") from None
        return tuple(ref_ids(contact, "contact_type"))

    def item_kind(self, item_id: str) -> ItemType:
        """Return whether an item is a product or a service (``GET /products/{id}``, then
        ``/services/{id}``; cached per business).

        Raises:
            ValidationError: neither collection has the item.
        """
        def load() -> ItemType:
            for kind, collection in ITEM_COLLECTIONS.items():
                try:
                    self.raw_get(collection, item_id)
                except NotFoundError:
                    continue
                return kind
            raise ValidationError({"item_id": ["no such product or service in this business"]},
                                  provider="sage")

        found: ItemType = self.tenant.reference_cache.get(
            self.business_id, item_kind_key(item_id), load)
        return found

    def region(self, options: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """Return the tax region and the provider fields, adding ``tax_address_region_id``."""
        extra = dict(options.get("provider_fields") or {})
        region = options.get("tax_region")
        if region:
            code = str(region).strip().upper()
            if "-" not in code:
                code = f"{self.tenant.country() or ''}-{code}"
            extra.setdefault("tax_address_region_id", code)
        return region or extra.get("tax_address_region_id"), extra

    def check_line_tax(self, document: D, region: str | None) -> None:
        """Refuse lines whose tax disagrees with their rate (see ``handlers.line_tax``)."""
        if all(line.tax_amount is None or line.net_amount is None for line in document.lines):
            return
        codes = TaxCodes(self.tenant)
        errors = line_tax_errors(document, single_rates(self.tenant.reference("tax_rates")),
                                 lambda code: codes.resolve(code, region=region))
        if errors:
            raise ValidationError(errors, provider="sage")

    def resolvers(self, region: str | None) -> Resolvers:
        """The tax code, account concept and item resolvers of a write."""
        tax, accounts = TaxCodes(self.tenant), AccountMappings(self.tenant)
        return {"resolve_tax_code": lambda code: tax.resolve(code, region=region),
                "resolve_account": accounts.resolve, "resolve_item": self.item_kind}

    # -- writing -------------------------------------------------------------------------

    def create(self, model: D, **options: Any) -> D:
        """``POST /{collection}`` of the document's type, with an ``idempotency_id``.

        Options: ``provider_fields`` (Sage fields merged into the body), ``tax_region`` (the
        province or state of supply, e.g. ``"QC"``; used to resolve tax codes and sent as
        ``tax_address_region_id``).

        Raises:
            ValidationError: the contact is missing or has the wrong type (nothing is sent),
                a tax code, account concept or item cannot be resolved, a line's
                ``tax_amount`` disagrees with its rate (``lines[i].tax_amount``, given and
                computed), or Sage refuses the body.
        """
        check_options(options, _WRITE_OPTIONS, f"{self.resource}.create")
        self.check_contact(model)
        region, extra = self.region(options)
        self.check_line_tax(model, region)
        body = self.to_sage_body(model, self.resolvers(region), extra, False)
        try:
            raw = self.send("POST", path_of(self.collections[model.type]),
                            self.wrappers[model.type], body)
        except AccountingError:
            # The cached contact types may be stale (a type mismatch answer among others).
            self.tenant.forget_reference(contact_types_key(model.contact_id))
            raise
        return self.to_model(raw, model.type, self.tenant.include_remote())

    def update(self, id: str, changes: D | Mapping[str, Any], **options: Any) -> D:
        """``PUT /{collection}/{id}`` with the changes.

        Changed ``lines`` must be ``InvoiceLine`` objects; they replace Sage's lines.
        """
        check_options(options, _WRITE_OPTIONS, f"{self.resource}.update")
        if isinstance(changes, Mapping):
            kind = self.kind(changes["type"]) if "type" in changes else self.kind_of(id)
            keep_flag = "tax_inclusive" in changes
        else:
            kind, keep_flag = changes.type, True
        region, extra = self.region(options)
        resolvers = self.resolvers(region)

        def build(model: D) -> dict[str, Any]:
            self.check_line_tax(model, region)
            body = self.to_sage_body(model, resolvers, None, True)
            if not keep_flag:
                # The skeleton's default must not overwrite how Sage prices the lines.
                for line in body.get(self.lines_key, []):
                    line.pop("unit_price_includes_tax", None)
            return body

        body = update_body(
            changes, model=self.model, wrapper=self.wrappers[kind],
            placeholders={"type": kind, "contact_id": "", "issue_date": _PLACEHOLDER_DATE},
            to_sage=build, provider_fields=extra,
        )
        raw = self.send("PUT", path_of(self.collections[kind], id), self.wrappers[kind], body)
        return self.to_model(raw, kind, self.tenant.include_remote())

    def delete(self, id: str, **options: Any) -> None:
        """Void a sales document (``DELETE /sales_...?void_reason=...``) or delete a purchase
        document (``DELETE /purchase_.../{id}``).

        Options: ``void_reason`` (Sage requires one unless the sales document is a draft).
        """
        check_options(options, {"void_reason"}, f"{self.resource}.delete")
        kind = self.kind_of(id)
        reason = options.get("void_reason")
        params = {"void_reason": reason} if kind == "sales" and reason else None
        self.remove(path_of(self.collections[kind], id), params)

    def release(self, id: str) -> D:
        """Turn a draft into a final document (``POST /{collection}/{id}/release``).

        Sage numbers the document then; the write is serialized with the business's other
        numbered documents.
        """
        kind = self.kind_of(id)
        answer = self.transport.request(
            "POST", path_of(self.collections[kind], id, "release")).json()
        if isinstance(answer, dict) and answer.get("date"):
            return self.to_model(answer, kind, self.tenant.include_remote())
        return self.get(id)
