"""Contacts: unified ``Contact`` <-> Sage ``/contacts``.

* ``is_customer`` / ``is_supplier`` <-> ``contact_type_ids`` ``CUSTOMER`` / ``VENDOR``.
* The billing address <-> ``main_address``; the shipping address <-> ``delivery_address``.
  Sage keeps one of each on a contact; further addresses live under ``/addresses``.
* ``email`` and ``phone`` travel through ``main_contact_person``, because Sage's contact
  write body has no email of its own; Sage echoes the main person's email as ``email``.
* Only the main contact person can be sent with a contact; the others are created through
  ``/contact_persons`` once the contact exists.
* Credit terms: ``credit_limit`` and ``credit_days``; Sage's ``credit_terms`` enum and other
  country fields go through ``provider_fields``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import Address, AddressType, BankDetails, Contact, ContactPerson
from unified_accounting_sage.json_values import (
    format_money,
    parse_bool,
    parse_money,
    ref_id,
    ref_ids,
)
from unified_accounting_sage.mappers import contact_persons
from unified_accounting_sage.mappers._common import (
    compact,
    finish,
    refuse,
    remote,
    rename_paths,
    stamps,
)

__all__ = ["ATTRIBUTES", "WRAPPER_KEY", "to_sage", "to_unified", "wrapper_key"]

WRAPPER_KEY = "contact"

CUSTOMER = "CUSTOMER"
VENDOR = "VENDOR"

#: Sage fields this mapper reads (the ``attributes`` query of a list).
ATTRIBUTES: tuple[str, ...] = (
    "name",
    "reference",
    "contact_types",
    "email",
    "tax_number",
    "currency",
    "credit_limit",
    "credit_days",
    "notes",
    "main_address",
    "delivery_address",
    "main_contact_person",
    "bank_account_details",
    "default_sales_ledger_account",
    "default_purchase_ledger_account",
    "default_sales_tax_rate",
    "is_active",
    "created_at",
    "updated_at",
)

# Address fields: unified name -> Sage name.
_ADDRESS_FIELDS = {
    "line1": "address_line_1",
    "line2": "address_line_2",
    "city": "city",
    "region": "region",
    "postal_code": "postal_code",
}
# Address role in Sage -> unified address type.
_ADDRESS_ROLES: dict[str, AddressType] = {"main_address": "billing", "delivery_address": "shipping"}
_BANK_FIELDS = ("account_name", "account_number", "sort_code", "iban", "bic")


def wrapper_key(contact: Contact | None = None) -> str:
    """Return the key that wraps a contact in a write body."""
    return WRAPPER_KEY


def _address_to_unified(raw: object, kind: AddressType) -> Address | None:
    if not isinstance(raw, dict | Mapping):
        return None
    values = {ours: raw.get(theirs) for ours, theirs in _ADDRESS_FIELDS.items()}
    country = ref_id(raw, "country")
    if not any(values.values()) and country is None:
        return None
    return Address(type=kind, country=country, **values)


def _bank_to_unified(raw: object) -> BankDetails | None:
    if not isinstance(raw, dict | Mapping) or not any(raw.get(name) for name in _BANK_FIELDS):
        return None
    return BankDetails(**{name: raw.get(name) for name in _BANK_FIELDS})


def to_unified(
    raw: Mapping[str, Any], *, business_id: str | None = None, include_remote: bool = False
) -> Contact:
    """Map a Sage contact (``GET /contacts/{id}``) to a ``Contact``.

    Args:
        raw: the Sage record (money as strings or numbers; unknown fields ignored).
        business_id: the business it belongs to.
        include_remote: keep a copy of ``raw`` in ``remote_data``.
    """
    types = set(ref_ids(raw, "contact_type"))
    addresses = [
        address
        for role, kind in _ADDRESS_ROLES.items()
        if (address := _address_to_unified(raw.get(role), kind)) is not None
    ]
    persons: list[ContactPerson] = []
    main = raw.get("main_contact_person")
    if isinstance(main, dict | Mapping) and main:
        person = contact_persons.to_unified(main, business_id=business_id, contact_id=raw.get("id"))
        person.is_main = True
        persons.append(person)
    return Contact(
        id=raw.get("id"),
        business_id=business_id,
        name=raw.get("name") or "",
        is_customer=CUSTOMER in types,
        is_supplier=VENDOR in types,
        reference=raw.get("reference"),
        email=raw.get("email") or (persons[0].email if persons else None),
        phone=persons[0].phone if persons else None,
        tax_number=raw.get("tax_number"),
        currency=ref_id(raw, "currency"),
        credit_limit=parse_money(raw.get("credit_limit")),
        credit_days=raw.get("credit_days"),
        notes=raw.get("notes"),
        addresses=addresses,
        contact_persons=persons,
        bank_details=_bank_to_unified(raw.get("bank_account_details")),
        default_sales_account_id=ref_id(raw, "default_sales_ledger_account"),
        default_purchase_account_id=ref_id(raw, "default_purchase_ledger_account"),
        default_tax_rate_id=ref_id(raw, "default_sales_tax_rate"),
        is_active=parse_bool(raw.get("is_active"), True),
        **stamps(raw),
        remote_data=remote(raw, include_remote),
    )


def _type_ids(contact: Contact) -> list[str]:
    return [kind for flag, kind in ((contact.is_customer, CUSTOMER), (contact.is_supplier, VENDOR))
            if flag]


def _addresses_to_sage(contact: Contact) -> tuple[dict[str, Any], dict[str, str]]:
    """Return ({role: body}, {role path: positional path}) for the contact's addresses."""
    roles = {kind: role for role, kind in _ADDRESS_ROLES.items()}
    bodies: dict[str, Any] = {}
    positions: dict[str, str] = {}
    for index, address in enumerate(contact.addresses):
        role = roles.get(address.type)
        if role is None:
            raise refuse(f"addresses[{index}].type", "Sage keeps only a billing and a shipping "
                         "address on a contact; add others through /addresses")
        if role in bodies:
            raise refuse(f"addresses[{index}].type", f"a second {address.type} address; Sage "
                         "keeps one per contact")
        values = {theirs: getattr(address, ours) for ours, theirs in _ADDRESS_FIELDS.items()}
        bodies[role] = compact({**values, "country_id": address.country})
        positions[f"addresses[{address.type}]"] = f"addresses[{index}]"
    return bodies, positions


def _main_person(contact: Contact) -> tuple[int | None, ContactPerson | None]:
    persons = contact.contact_persons
    mains = [i for i, person in enumerate(persons) if person.is_main]
    if len(mains) > 1:
        raise refuse(f"contact_persons[{mains[1]}].is_main", "only one main contact person")
    chosen = mains[0] if mains else (0 if len(persons) == 1 else None)
    others = [i for i in range(len(persons)) if i != chosen]
    if others:
        raise refuse(f"contact_persons[{others[0]}]", "only the main contact person is sent with a "
                     "contact; create the others through contact_persons")
    return chosen, None if chosen is None else persons[chosen]


def _person_to_sage(contact: Contact, person: ContactPerson | None) -> dict[str, Any] | None:
    body = contact_persons.person_body(person) if person is not None else {}
    for field, sage in (("email", "email"), ("phone", "telephone")):
        ours = getattr(contact, field)
        if ours is None:
            continue
        if body.get(sage) not in (None, ours):
            raise refuse(field, f"differs from the main contact person's {field}; Sage keeps "
                         "one, on the main contact person")
        body[sage] = ours
    if not body:
        return None
    body["is_main_contact"] = True
    return body


def _bank_to_sage(details: BankDetails | None) -> dict[str, Any] | None:
    if details is None:
        return None
    return compact({name: getattr(details, name) for name in _BANK_FIELDS}) or None


def to_sage(
    contact: Contact,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Build the inner body of ``POST /contacts`` (or ``PUT /contacts/{id}`` with ``partial``).

    Args:
        contact: the contact to send.
        provider_fields: extra Sage fields merged into the body (e.g. ``credit_terms``,
            ``tax_treatment``, ``aux_reference``).
        partial: an update; a contact that is neither customer nor supplier then leaves the
            types as they are instead of being refused.

    Returns:
        The body to wrap under ``"contact"``.

    Raises:
        ValidationError: the contact cannot be expressed in Sage (no type, extra addresses or
            persons, conflicting emails) or a string is too long; paths are unified.
    """
    types = _type_ids(contact)
    if not types and not partial:
        raise refuse("is_customer", "a Sage contact must be a customer, a supplier or both")
    addresses, renames = _addresses_to_sage(contact)
    person_index, person = _main_person(contact)
    if person_index is not None:
        renames["contact_persons[main]"] = f"contact_persons[{person_index}]"
    body = compact(
        {
            "name": contact.name,
            "contact_type_ids": types or None,
            "reference": contact.reference,
            "tax_number": contact.tax_number,
            "notes": contact.notes,
            "currency_id": contact.currency,
            "credit_limit": format_money(contact.credit_limit),
            "credit_days": contact.credit_days,
            "default_sales_ledger_account_id": contact.default_sales_account_id,
            "default_purchase_ledger_account_id": contact.default_purchase_account_id,
            "default_sales_tax_rate_id": contact.default_tax_rate_id,
            **addresses,
            "main_contact_person": _person_to_sage(contact, person),
            "bank_account_details": _bank_to_sage(contact.bank_details),
        }
    )
    try:
        return finish(WRAPPER_KEY, body, provider_fields, partial)
    except ValidationError as err:
        raise rename_paths(err, renames) from None
