"""``client.contacts``: Sage ``/contacts``, with ``upsert`` that never creates duplicates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from unified_accounting.errors import ConflictError, ValidationError
from unified_accounting.models import Contact
from unified_accounting_sage.handlers.base import CRUD, SageHandler, check_options, path_of
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.handlers.query import FieldAttributes, Filter, choice, text, timestamp
from unified_accounting_sage.mappers import contacts

__all__ = ["ContactHandler"]

_CONTACT_TYPES = {"customer": contacts.CUSTOMER, "supplier": contacts.VENDOR}
_MATCH_FILTERS = {"reference": "search", "email": "email"}
_SHOWN_MATCHES = 5


class ContactHandler(SageHandler[Contact]):
    """Contacts (customers and suppliers) of the connection's business."""

    resource = "contacts"
    operations = CRUD | {"list_deleted", "upsert"}
    collection = "contacts"
    wrapper = contacts.WRAPPER_KEY
    filters = {
        "updated_since": Filter("updated_or_created_since", timestamp),
        "search": Filter("search", text),
        "contact_type": Filter("contact_type_id", choice(_CONTACT_TYPES)),
        "email": Filter("email", text),
    }
    attributes = FieldAttributes(
        contacts.ATTRIBUTES, Contact,
        {
            "is_customer": ("contact_types",),
            "is_supplier": ("contact_types",),
            "email": ("email", "main_contact_person"),
            "phone": ("main_contact_person",),
            "addresses": ("main_address", "delivery_address"),
            "contact_persons": ("main_contact_person",),
            "bank_details": ("bank_account_details",),
            "default_sales_account_id": ("default_sales_ledger_account",),
            "default_purchase_account_id": ("default_purchase_ledger_account",),
            "default_tax_rate_id": ("default_sales_tax_rate",),
        },
    )

    def to_model(self, raw: Mapping[str, Any], remote: bool) -> Contact:
        """Map one Sage contact for this connection."""
        return contacts.to_unified(raw, business_id=self.business_id, include_remote=remote)

    def create(self, model: Contact, **options: Any) -> Contact:
        """``POST /contacts`` with an ``idempotency_id``; options: ``provider_fields``."""
        check_options(options, {"provider_fields"}, "contacts.create")
        body = contacts.to_sage(model, provider_fields=options.get("provider_fields"))
        raw = self.send("POST", path_of(self.collection), self.wrapper, body)
        return self.to_model(raw, self.tenant.include_remote())

    def update(self, id: str, changes: Contact | Mapping[str, Any], **options: Any) -> Contact:
        """``PUT /contacts/{id}`` with only the changed fields; options: ``provider_fields``."""
        check_options(options, {"provider_fields"}, "contacts.update")
        body = update_body(
            changes, model=Contact, wrapper=self.wrapper, placeholders={"name": ""},
            to_sage=lambda m: contacts.to_sage(m, partial=True),
            provider_fields=options.get("provider_fields"),
        )
        raw = self.send("PUT", path_of(self.collection, id), self.wrapper, body)
        return self.to_model(raw, self.tenant.include_remote())

    def upsert(self, contact: Contact, match_on: Literal["reference", "email"] = "reference",
               **options: Any) -> Contact:
        """Update the contact that has the same reference (or email), else create it.

        Re-running or retrying an upsert therefore never creates a second contact. The lookup
        is ``GET /contacts?search=<reference>`` (exact match kept) or ``?email=<email>``.

        Args:
            contact: the contact as it should be.
            match_on: ``"reference"`` or ``"email"``.
            **options: ``provider_fields``.

        Raises:
            ValidationError: the contact has no value to match on.
            ConflictError: several contacts match.
        """
        check_options(options, {"provider_fields"}, "contacts.upsert")
        found = self._matches(contact, match_on)
        if len(found) > 1:
            shown = ", ".join(found[:_SHOWN_MATCHES])
            raise ConflictError(f"{len(found)} Sage contacts have this {match_on}: {shown}",
                                provider="sage")
        if found:
            return self.update(found[0], contact, **options)
        return self.create(contact, **options)

    def _matches(self, contact: Contact, match_on: str) -> tuple[str, ...]:
        if match_on not in _MATCH_FILTERS:
            raise ValidationError({"match_on": ["use 'reference' or 'email'"]}, provider="sage")
        wanted = getattr(contact, match_on)
        if not wanted:
            raise ValidationError({match_on: [f"required to upsert by {match_on}"]},
                                  provider="sage")
        params = {_MATCH_FILTERS[match_on]: wanted, "attributes": match_on}
        # Sage's search is a substring match on several fields; keep exact matches only.
        return tuple(
            str(raw["id"]) for raw in self.raw_list(self.collection, params)
            if str(raw.get(match_on) or "").casefold() == str(wanted).casefold()
        )
