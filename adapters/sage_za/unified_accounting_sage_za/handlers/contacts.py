"""Contacts: v2 ``Customer`` and ``Supplier`` records as unified contacts.

Ids: ``C123`` is customer 123, ``S45`` supplier 45, and ``C123-S45`` one unified contact
that is both (two Sage records linked through ``TextField2``, each naming the other).
``TextField1`` carries the unified ``reference`` (v2 has no contact code) and ``TextField3``
the adapter's unique key, by which a create whose answer was lost is found again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import Address, Contact, DeletedRecord
from unified_accounting_sage_za.handlers.base import ZAHandler, merged
from unified_accounting_sage_za.wire import as_decimal, parse_id, parse_stamp, prefixed

__all__ = ["ContactsHandler", "contact_from", "party_body"]

LINK_FIELD = "TextField2"
KEY_FIELD = "TextField3"
_PARTIES = {"C": "Customer", "S": "Supplier"}
_ADDRESS_KINDS = {"billing": "Postal", "shipping": "Delivery"}


def _address_lines(address: Address) -> list[str]:
    return [address.line1 or "", address.line2 or "", address.city or "",
            address.region or "", address.postal_code or ""]


def party_body(contact: Contact, key: str,
               current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Save body of one party record (an update starts from the stored record)."""
    body: dict[str, Any] = dict(current or {})
    body.update({
        "Name": contact.name, "Email": contact.email or "", "Telephone": contact.phone or "",
        "TaxReference": contact.tax_number or "", "Active": contact.is_active,
        "CreditLimit": contact.credit_limit, "TextField1": contact.reference or "",
        KEY_FIELD: body.get(KEY_FIELD) or key,
        "DefaultTaxTypeId": int(contact.default_tax_rate_id) if contact.default_tax_rate_id
        else None,
        "ContactName": contact.contact_persons[0].name if contact.contact_persons else
        body.get("ContactName") or "",
    })
    for kind, prefix in _ADDRESS_KINDS.items():
        address = next((a for a in contact.addresses if a.type == kind), None)
        lines = _address_lines(address) if address else [""] * 5
        for index, line in enumerate(lines, start=1):
            body[f"{prefix}Address0{index}"] = line
    return body


def _addresses(raw: Mapping[str, Any]) -> list[Address]:
    found = []
    for kind, prefix in _ADDRESS_KINDS.items():
        lines = [str(raw.get(f"{prefix}Address0{n}") or "") or None for n in range(1, 6)]
        if any(lines):
            found.append(Address(type=kind, line1=lines[0], line2=lines[1], city=lines[2],  # type: ignore[arg-type]
                                 region=lines[3], postal_code=lines[4], country="ZA"))
    return found


def contact_from(raw: Mapping[str, Any], unified_id: str, *, customer: bool, supplier: bool,
                 business_id: str | None, remote: bool = False) -> Contact:
    """A unified contact from a Customer or Supplier record."""
    created = parse_stamp(raw.get("Created"))
    return Contact(
        id=unified_id, business_id=business_id, name=str(raw.get("Name") or ""),
        is_customer=customer, is_supplier=supplier,
        reference=raw.get("TextField1") or None, email=raw.get("Email") or None,
        phone=raw.get("Telephone") or None, tax_number=raw.get("TaxReference") or None,
        currency="ZAR", credit_limit=as_decimal(raw.get("CreditLimit")),
        addresses=_addresses(raw), is_active=bool(raw.get("Active", True)),
        default_tax_rate_id=str(raw["DefaultTaxTypeId"]) if raw.get("DefaultTaxTypeId")
        else None,
        created_at=created, updated_at=parse_stamp(raw.get("Modified")) or created,
        remote_data=dict(raw) if remote else None,
    )


def _parts(unified_id: str) -> dict[str, int]:
    """``C123-S45`` -> ``{"C": 123, "S": 45}``."""
    parts: dict[str, int] = {}
    for piece in str(unified_id).split("-", 1):
        prefix, sage_id = parse_id(piece, ("C", "S"))
        parts[prefix] = sage_id
    return parts


class ContactsHandler(ZAHandler[Contact]):
    """``Customer/*`` and ``Supplier/*`` (see the module docstring)."""

    resource = "contacts"

    def _unified(self, raw: Mapping[str, Any], prefix: str, filters: Mapping[str, Any]) -> Contact:
        link = str(raw.get(LINK_FIELD) or "")
        own = prefixed(prefix, raw["ID"])
        other = "S" if prefix == "C" else "C"
        linked = link.startswith(other) and link[1:].isdigit()
        unified = (f"{own}-{link}" if prefix == "C" else f"{link}-{own}") if linked else own
        roles = {prefix, other} if linked else {prefix}
        return contact_from(raw, unified, customer="C" in roles, supplier="S" in roles,
                            business_id=self.context.business_id,
                            remote=bool(filters.get("include_remote_data")))

    def list(self, filters: Mapping[str, Any]) -> Iterator[Contact]:
        """``GET Customer/Get`` then ``GET Supplier/Get`` (linked suppliers come with their
        customer)."""
        for prefix, controller in _PARTIES.items():
            for raw in self.listed(controller, filters):
                if prefix == "S" and str(raw.get(LINK_FIELD) or "").startswith("C"):
                    continue
                yield self._unified(raw, prefix, filters)

    def get(self, id: str) -> Contact:
        """``GET Customer/Get/{id}`` (or ``Supplier/Get/{id}``)."""
        parts = _parts(id)
        prefix = "C" if "C" in parts else "S"
        raw = self.raw_get(_PARTIES[prefix], parts[prefix])
        return self._unified(raw, prefix, {})

    def create(self, model: Contact, **options: Any) -> Contact:
        """``POST Customer/Save`` and/or ``Supplier/Save`` (both, linked, for a contact that
        is customer and supplier; a contact with neither role becomes a customer)."""
        key = self.reference_for("UA")
        roles = [p for p, wanted in (("C", model.is_customer), ("S", model.is_supplier))
                 if wanted] or ["C"]
        saved = {prefix: self.save_new(_PARTIES[prefix], party_body(model, key),
                                       key_field=KEY_FIELD, key=key) for prefix in roles}
        if len(saved) == 2:
            saved = self._link(saved["C"], saved["S"])
        prefix = roles[0]
        self.snapshot.seen(_PARTIES[prefix], [int(saved[prefix]["ID"])])
        return self._unified(saved[prefix], prefix, {})

    def _link(self, customer: dict[str, Any],
              supplier: dict[str, Any]) -> dict[str, dict[str, Any]]:
        customer = self.save_existing("Customer", {**customer,
                                                   LINK_FIELD: prefixed("S", supplier["ID"])})
        supplier = self.save_existing("Supplier", {**supplier,
                                                   LINK_FIELD: prefixed("C", customer["ID"])})
        return {"C": customer, "S": supplier}

    def update(self, id: str, changes: Contact | Mapping[str, Any], **options: Any) -> Contact:
        """``GET`` each record, apply the changes, ``POST .../Save`` with its ``ID``."""
        parts = _parts(id)
        current = self.get(id)
        wanted = merged(current, changes)
        if (wanted.is_customer, wanted.is_supplier) != (current.is_customer, current.is_supplier):
            raise ValidationError({"is_customer": [
                "v2 keeps customers and suppliers apart; create a new contact for a new role"]},
                provider="sage_za")
        first: dict[str, Any] | None = None
        for prefix, sage_id in parts.items():
            raw = self.raw_get(_PARTIES[prefix], sage_id)
            stored = self.save_existing(_PARTIES[prefix], party_body(wanted, "", raw))
            first = first or stored
        return self.get(id) if first is None else self._unified_after(first, parts)

    def _unified_after(self, raw: dict[str, Any], parts: Mapping[str, int]) -> Contact:
        prefix = "C" if "C" in parts else "S"
        return self._unified(raw, prefix, {})

    def delete(self, id: str, **options: Any) -> None:
        """``DELETE Customer/Delete/{id}`` (and the linked supplier); 409 when in use."""
        for prefix, sage_id in _parts(id).items():
            self.remove(_PARTIES[prefix], sage_id)

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        """Ids that vanished from a full re-list of customers and suppliers."""
        for prefix, controller in _PARTIES.items():
            for _ in self.listed(controller, {}):
                pass
            yield from self.snapshot.records(controller, since, self.context.business_id, prefix)
