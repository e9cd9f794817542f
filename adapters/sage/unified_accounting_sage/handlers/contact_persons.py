"""``client.contact_persons``: Sage ``/contact_persons``.

Sage attaches a person to one of a contact's addresses. Creating one needs the contact: the
person goes on the contact's main address unless ``address_id`` is given, with the contact
person types given as ``type_ids`` (default ``ACCOUNTS`` when the business has it, else its
first type). A person's record does not name its contact; lists by ``contact_id`` fill it in,
and other reads look it up through the person's address.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.models import ContactPerson
from unified_accounting_sage.handlers.base import CRUD, SageHandler, check_options, path_of
from unified_accounting_sage.handlers.changes import update_body
from unified_accounting_sage.handlers.query import FieldAttributes, Filter, text, timestamp
from unified_accounting_sage.json_values import ref_id
from unified_accounting_sage.mappers import contact_persons

__all__ = ["ContactPersonHandler"]

_DEFAULT_TYPE = "ACCOUNTS"


class ContactPersonHandler(SageHandler[ContactPerson]):
    """People at the business's contacts."""

    resource = "contact_persons"
    operations = CRUD | {"list_deleted"}
    collection = "contact_persons"
    wrapper = contact_persons.WRAPPER_KEY
    filters = {
        "contact_id": Filter("contact_id", text),
        "address_id": Filter("address_id", text),
        "updated_since": Filter("updated_or_created_since", timestamp),
    }
    attributes = FieldAttributes(
        contact_persons.ATTRIBUTES, ContactPerson,
        {"contact_id": ("address",), "phone": ("telephone",), "is_main": ("is_main_contact",)},
    )

    def to_model(self, raw: Mapping[str, Any], remote: bool,
                 contact_id: str | None = None) -> ContactPerson:
        """Map one Sage contact person; the contact id is looked up when not known."""
        if contact_id is None and ref_id(raw, "contact") is None:
            contact_id = self._contact_of_address(ref_id(raw, "address"))
        return contact_persons.to_unified(raw, business_id=self.business_id,
                                          include_remote=remote, contact_id=contact_id)

    def _contact_of_address(self, address_id: str | None) -> str | None:
        if address_id is None:
            return None
        try:
            return ref_id(self.raw_get("addresses", address_id), "contact")
        except NotFoundError:
            return None

    def list(self, filters: Mapping[str, Any]) -> Iterator[ContactPerson]:
        """``GET /contact_persons`` (``contact_id``, ``address_id``, ``updated_since``)."""
        remote = self.tenant.include_remote(filters)
        contact_id = filters.get("contact_id")
        known: dict[str, str | None] = {}
        for raw in self.raw_list(self.collection, self.list_params(filters)):
            owner = contact_id
            if owner is None and ref_id(raw, "contact") is None:
                address = ref_id(raw, "address") or ""
                if address not in known:
                    known[address] = self._contact_of_address(address or None)
                owner = known[address]
            yield self.to_model(raw, remote, owner)

    def map_records(self, raws: Sequence[Mapping[str, Any]],
                    filters: Mapping[str, Any]) -> builtins.list[ContactPerson]:
        """Map one page of contact persons, finding the contacts their addresses belong to.

        A Sage contact person names its address, not its contact. Owners are remembered for
        the connection (an address never changes hands); a page with several unknown addresses
        reads ``GET /addresses?attributes=contact`` once instead of one address at a time.
        """
        remote = self.tenant.include_remote(filters)
        contact_id = filters.get("contact_id")
        owners: dict[str, str | None] = self.context.cache.setdefault(
            f"unified_accounting_sage.address_owners.{self.business_id}", {})
        if contact_id is None:
            self._learn_owners(raws, owners)
        return [self.to_model(raw, remote,
                              contact_id or owners.get(ref_id(raw, "address") or ""))
                for raw in raws]

    def _learn_owners(self, raws: Sequence[Mapping[str, Any]],
                      owners: dict[str, str | None]) -> None:
        missing = {ref_id(raw, "address") or "" for raw in raws
                   if ref_id(raw, "contact") is None} - set(owners) - {""}
        if len(missing) > 1:
            for record in self.raw_list("addresses", {"attributes": "contact"}):
                owners[str(record.get("id"))] = ref_id(record, "contact")
        for address in missing - set(owners):
            owners[address] = self._contact_of_address(address)
    def create(self, model: ContactPerson, **options: Any) -> ContactPerson:
        """``POST /contact_persons``; options: ``address_id``, ``type_ids``, ``provider_fields``.

        Raises:
            ValidationError: no ``contact_id`` (and no ``address_id``), or the contact has no
                main address to attach the person to.
        """
        check_options(options, {"address_id", "type_ids", "provider_fields"},
                      "contact_persons.create")
        address_id = options.get("address_id") or self._main_address(model.contact_id)
        body = contact_persons.to_sage(
            model, provider_fields=options.get("provider_fields"), address_id=address_id,
            type_ids=options.get("type_ids") or self._default_types(),
        )
        raw = self.send("POST", path_of(self.collection), self.wrapper, body)
        return self.to_model(raw, self.tenant.include_remote(), model.contact_id)

    def _main_address(self, contact_id: str | None) -> str:
        if not contact_id:
            raise ValidationError({"contact_id": ["required to create a contact person"]},
                                  provider="sage")
        try:
            contact = self.raw_get("contacts", contact_id)
        except NotFoundError:
            raise ValidationError({"contact_id": ["no such contact in this business"]},
                                  provider="sage") from None
        address = ref_id(contact, "main_address")
        if address is None:
            raise ValidationError({"contact_id": ["the contact has no main address to attach "
                                                  "the person to; pass address_id"]},
                                  provider="sage")
        return address

    def _default_types(self) -> tuple[str, ...]:
        ids = tuple(str(item["id"]) for item in self.tenant.reference("contact_person_types")
                    if item.get("id"))
        if _DEFAULT_TYPE in ids:
            return (_DEFAULT_TYPE,)
        return ids[:1]

    def update(self, id: str, changes: ContactPerson | Mapping[str, Any],
               **options: Any) -> ContactPerson:
        """``PUT /contact_persons/{id}`` with only the changed fields."""
        check_options(options, {"provider_fields"}, "contact_persons.update")
        body = update_body(
            changes, model=ContactPerson, wrapper=self.wrapper, placeholders={},
            to_sage=lambda m: contact_persons.to_sage(m, partial=True),
            provider_fields=options.get("provider_fields"),
        )
        raw = self.send("PUT", path_of(self.collection, id), self.wrapper, body)
        owner = changes.contact_id if isinstance(changes, ContactPerson) else None
        return self.to_model(raw, self.tenant.include_remote(), owner)
