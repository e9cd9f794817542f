"""``client.invoices``: Sage ``/sales_invoices`` and ``/purchase_invoices``, chosen by ``type``.

Before an invoice is sent, its contact is read and must be a customer (sales) or a vendor
(purchase); otherwise a ``ValidationError`` is raised and no invoice request is made. A contact
that passed is remembered in the connection's reference cache, per business, so that further
invoices for it cost one request; the entry is dropped when Sage refuses an invoice (the
contact may have changed), when the contact is updated or deleted through this connection,
and when the reference cache expires. Lines may
name a unified ``tax_code`` (resolved through the business's tax rates and the country table)
and an ``account_concept`` (resolved through the connection's account mapping).

Sage ids are unique across both collections; an invoice whose type the handler has not seen
yet is looked up in sales first, then in purchases.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from unified_accounting.errors import AccountingError, NotFoundError, ValidationError
from unified_accounting.models import DeletedRecord, Invoice, InvoiceType
from unified_accounting.provider import ProviderContext, RecordPage
from unified_accounting_sage.handlers.base import (
    CRUD,
    RecordMapper,
    SageHandler,
    check_options,
    path_of,
    rounded_since,
)
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.handlers.line_tax import line_tax_errors, single_rates
from unified_accounting_sage.handlers.query import (
    FieldAttributes,
    Filter,
    choice,
    day,
    text,
    timestamp,
)
from unified_accounting_sage.json_values import ref_ids
from unified_accounting_sage.list_pages import MAX_ITEMS_PER_PAGE, numbered_pages
from unified_accounting_sage.mappers import invoices
from unified_accounting_sage.mappings import AccountMappings, TaxCodes
from unified_accounting_sage.reference_cache import contact_types_key

__all__ = ["InvoiceHandler"]

KINDS: tuple[InvoiceType, ...] = ("sales", "purchase")
_WRITE_OPTIONS = {"provider_fields", "tax_region"}
# Sage sorts invoice lists by these keys; creation order never changes while pages are read.
_PAGE_SORT = "created_at:asc"
_PLACEHOLDER_DATE = date(2000, 1, 1)


def _attributes(kind: InvoiceType) -> FieldAttributes:
    number = "invoice_number" if kind == "sales" else "vendor_reference"
    return FieldAttributes(
        invoices.ATTRIBUTES_BY_TYPE[kind], Invoice,
        {
            "type": (), "number": (number,), "contact_id": ("contact",), "issue_date": ("date",),
            "tax_inclusive": ("invoice_lines",), "lines": ("invoice_lines",),
            "amount_paid": ("total_paid",), "amount_due": ("outstanding_amount",),
        },
        always=("date",),
    )


_ATTRIBUTES = {kind: _attributes(kind) for kind in KINDS}


def _collection(kind: InvoiceType) -> str:
    return f"{kind}_invoices"


def _kind(value: Any) -> InvoiceType:
    if value not in KINDS:
        raise ValidationError({"type": ["use 'sales' or 'purchase'"]}, provider="sage")
    kind: InvoiceType = value
    return kind


class InvoiceHandler(SageHandler[Invoice]):
    """Sales and purchase invoices."""

    resource = "invoices"
    operations = CRUD | {"list_deleted", "release"}
    filters = {
        "updated_since": Filter("updated_or_created_since", timestamp),
        "search": Filter("search", text),
        "contact_id": Filter("contact_id", text),
        "status": Filter("status_id", choice(invoices.STATUS_TO_SAGE)),
        "from_date": Filter("from_date", day),
        "to_date": Filter("to_date", day),
    }
    own_filters = frozenset({"type"})

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        # Invoice id -> sales or purchase, for ids this handler has seen.
        self._kinds: dict[str, InvoiceType] = {}

    def to_model(self, raw: Mapping[str, Any], kind: InvoiceType, remote: bool) -> Invoice:
        """Map one Sage invoice and remember its type."""
        model = invoices.to_unified(raw, business_id=self.business_id, include_remote=remote,
                                    invoice_type=kind)
        if model.id:
            self._kinds[model.id] = kind
        return model

    # -- reading -------------------------------------------------------------------------

    def list(self, filters: Mapping[str, Any]) -> Iterator[Invoice]:
        """``GET /sales_invoices`` then ``GET /purchase_invoices`` (one of them with ``type``).

        Filters: ``type``, ``updated_since``, ``search``, ``contact_id``, ``status`` (unified
        status -> ``status_id``), ``from_date``, ``to_date``.
        """
        kinds = KINDS if filters.get("type") is None else (_kind(filters["type"]),)
        rest = {k: v for k, v in filters.items() if k != "type"}
        remote = self.tenant.include_remote(filters)
        for kind in kinds:
            for raw in self.raw_list(_collection(kind), self._params(rest, kind)):
                yield self.to_model(raw, kind, remote)

    def pages(self, filters: Mapping[str, Any], *, page_size: int,
              start_page: int = 1) -> Iterator[RecordPage[Invoice]]:
        """``GET /sales_invoices`` then ``/purchase_invoices`` by page number, sorted by
        ``created_at``; pages are numbered across both and carry the sum of both totals (see
        :mod:`unified_accounting_sage.list_pages`)."""
        kinds = KINDS if filters.get("type") is None else (_kind(filters["type"]),)
        rest = {k: v for k, v in filters.items() if k != "type"}
        remote = self.tenant.include_remote(filters)
        size = min(page_size, MAX_ITEMS_PER_PAGE)

        def mapper(kind: InvoiceType) -> RecordMapper[Invoice]:
            return lambda raws: [self.to_model(raw, kind, remote) for raw in raws]

        rounded = rounded_since(rest)
        fetches = [
            self.page_fetch(_collection(kind), {**self._params(rounded, kind),
                                                "sort": _PAGE_SORT}, size, mapper(kind))
            for kind in kinds
        ]
        return numbered_pages(fetches, size, start_page)

    def _params(self, filters: Mapping[str, Any], kind: InvoiceType) -> dict[str, str]:
        params = self.list_params(filters)
        params["attributes"] = _ATTRIBUTES[kind].attributes(filters.get("fields"))
        return params

    def _find(self, id: str) -> tuple[InvoiceType, dict[str, Any]]:
        known = self._kinds.get(id)
        missing: NotFoundError | None = None
        for kind in (known,) if known else KINDS:
            try:
                return kind, self.raw_get(_collection(kind), id)
            except NotFoundError as err:
                missing = err
        assert missing is not None
        raise missing

    def _kind_of(self, id: str) -> InvoiceType:
        return self._kinds.get(id) or self._find(id)[0]

    def get(self, id: str) -> Invoice:
        """``GET /sales_invoices/{id}``, or ``/purchase_invoices/{id}``."""
        kind, raw = self._find(id)
        return self.to_model(raw, kind, self.tenant.include_remote())

    # -- writing -------------------------------------------------------------------------

    def _check_contact(self, invoice: Invoice) -> None:
        name = contact_types_key(invoice.contact_id)
        cache = self.tenant.reference_cache
        type_ids = cache.get(self.business_id, name, lambda: self._contact_types(invoice))
        try:
            invoices.check_contact_type(invoice, type_ids)
        except ValidationError:
            # A refusal is not remembered: the contact may be given the role any moment.
            self.tenant.forget_reference(name)
            raise

    def _contact_types(self, invoice: Invoice) -> tuple[str, ...]:
        try:
            contact = self.raw_get("contacts", invoice.contact_id)
        except NotFoundError:
            raise ValidationError({"contact_id": ["no such contact in this business"]},
                                  provider="sage") from None
        return tuple(ref_ids(contact, "contact_type"))

    def _region(self, options: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """Return the tax region and the provider fields, adding ``tax_address_region_id``."""
        extra = dict(options.get("provider_fields") or {})
        region = options.get("tax_region")
        if region:
            code = str(region).strip().upper()
            if "-" not in code:
                code = f"{self.tenant.country() or ''}-{code}"
            extra.setdefault("tax_address_region_id", code)
        return region or extra.get("tax_address_region_id"), extra

    def _to_sage(self, invoice: Invoice, region: str | None, extra: Mapping[str, Any] | None,
                 partial: bool) -> dict[str, Any]:
        tax, accounts = TaxCodes(self.tenant), AccountMappings(self.tenant)
        return invoices.to_sage(
            invoice, provider_fields=extra, partial=partial,
            resolve_tax_code=lambda code: tax.resolve(code, region=region),
            resolve_account=accounts.resolve,
        )

    def _check_line_tax(self, invoice: Invoice, region: str | None) -> None:
        """Refuse lines whose tax disagrees with their rate (see ``handlers.line_tax``)."""
        if all(line.tax_amount is None or line.net_amount is None for line in invoice.lines):
            return
        codes = TaxCodes(self.tenant)
        errors = line_tax_errors(invoice, single_rates(self.tenant.reference("tax_rates")),
                                 lambda code: codes.resolve(code, region=region))
        if errors:
            raise ValidationError(errors, provider="sage")

    def create(self, model: Invoice, **options: Any) -> Invoice:
        """``POST /sales_invoices`` or ``/purchase_invoices`` with an ``idempotency_id``.

        Options: ``provider_fields`` (Sage fields merged into the body), ``tax_region`` (the
        province or state of supply, e.g. ``"QC"``; used to resolve tax codes and sent as
        ``tax_address_region_id``).

        Raises:
            ValidationError: the contact is missing or has the wrong type (nothing is sent),
                a tax code or account concept cannot be resolved, a line's ``tax_amount``
                disagrees with its rate (``lines[i].tax_amount``, given and computed), or
                Sage refuses the body.
        """
        check_options(options, _WRITE_OPTIONS, "invoices.create")
        self._check_contact(model)
        region, extra = self._region(options)
        self._check_line_tax(model, region)
        body = self._to_sage(model, region, extra, partial=False)
        wrapper = invoices.wrapper_key(model)
        try:
            raw = self.send("POST", path_of(_collection(model.type)), wrapper, body)
        except AccountingError:
            # The cached contact types may be stale (a type mismatch answer among others).
            self.tenant.forget_reference(contact_types_key(model.contact_id))
            raise
        return self.to_model(raw, model.type, self.tenant.include_remote())

    def update(self, id: str, changes: Invoice | Mapping[str, Any], **options: Any) -> Invoice:
        """``PUT /sales_invoices/{id}`` or ``/purchase_invoices/{id}`` with the changes.

        Changed ``lines`` must be ``InvoiceLine`` objects; they replace Sage's lines.
        """
        check_options(options, _WRITE_OPTIONS, "invoices.update")
        if isinstance(changes, Invoice):
            kind = changes.type
        else:
            kind = _kind(changes["type"]) if "type" in changes else self._kind_of(id)
        region, extra = self._region(options)
        keep_flag = isinstance(changes, Invoice) or "tax_inclusive" in changes

        def build(model: Invoice) -> dict[str, Any]:
            self._check_line_tax(model, region)
            body = self._to_sage(model, region, None, partial=True)
            if not keep_flag:
                # The skeleton's default must not overwrite how Sage prices the lines.
                for line in body.get("invoice_lines", []):
                    line.pop("unit_price_includes_tax", None)
            return body

        body = update_body(
            changes, model=Invoice, wrapper=invoices.WRAPPER_KEYS[kind],
            placeholders={"type": kind, "contact_id": "", "issue_date": _PLACEHOLDER_DATE},
            to_sage=build, provider_fields=extra,
        )
        raw = self.send("PUT", path_of(_collection(kind), id), invoices.WRAPPER_KEYS[kind], body)
        return self.to_model(raw, kind, self.tenant.include_remote())

    def delete(self, id: str, **options: Any) -> None:
        """Void a sales invoice (``DELETE /sales_invoices/{id}?void_reason=...``) or delete a
        purchase invoice (``DELETE /purchase_invoices/{id}``).

        Options: ``void_reason`` (Sage requires one unless the sales invoice is a draft).
        """
        check_options(options, {"void_reason"}, "invoices.delete")
        kind = self._kind_of(id)
        reason = options.get("void_reason")
        params = {"void_reason": reason} if kind == "sales" and reason else None
        self.remove(path_of(_collection(kind), id), params)

    def release(self, id: str) -> Invoice:
        """Turn a draft into a final invoice (``POST /{sales|purchase}_invoices/{id}/release``).

        Sage numbers the invoice then; the write is serialized with the business's other
        numbered documents.
        """
        kind = self._kind_of(id)
        answer = self.transport.request("POST", path_of(_collection(kind), id, "release")).json()
        if isinstance(answer, dict) and answer.get("date"):
            return self.to_model(answer, kind, self.tenant.include_remote())
        return self.get(id)

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        """``deleted_since`` on sales, then on purchase invoices (voided sales invoices are
        not deleted: they stay, with status ``void``)."""
        return itertools.chain.from_iterable(
            self.raw_deleted(_collection(kind), since) for kind in KINDS)
