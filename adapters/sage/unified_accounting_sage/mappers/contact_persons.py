"""Contact persons: unified ``ContactPerson`` <-> Sage ``/contact_persons``.

Sage attaches a person to one of the contact's addresses, not to the contact, and needs at
least one contact person type; the provider passes the address id (usually the contact's main
address) and the type ids it read from ``/contact_person_types``. A person's response has no
contact reference, so the provider also passes the contact id it listed by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from unified_accounting.models import ContactPerson
from unified_accounting_sage.json_values import parse_bool, ref_id
from unified_accounting_sage.mappers._common import compact, finish, remote, stamps

__all__ = ["ATTRIBUTES", "WRAPPER_KEY", "person_body", "to_sage", "to_unified", "wrapper_key"]

WRAPPER_KEY = "contact_person"

#: Sage fields this mapper reads (the ``attributes`` query of a list).
ATTRIBUTES: tuple[str, ...] = (
    "name",
    "job_title",
    "telephone",
    "mobile",
    "email",
    "is_main_contact",
    "address",
    "contact_person_types",
    "created_at",
    "updated_at",
)


def wrapper_key(person: ContactPerson | None = None) -> str:
    """Return the key that wraps a contact person in a write body."""
    return WRAPPER_KEY


def to_unified(
    raw: Mapping[str, Any],
    *,
    business_id: str | None = None,
    include_remote: bool = False,
    contact_id: str | None = None,
) -> ContactPerson:
    """Map a Sage contact person (``GET /contact_persons/{id}``) to a ``ContactPerson``.

    Args:
        raw: the Sage record.
        business_id: the business it belongs to.
        include_remote: keep a copy of ``raw`` in ``remote_data``.
        contact_id: the contact the person was listed for (Sage's record does not say).
    """
    return ContactPerson(
        id=raw.get("id"),
        business_id=business_id,
        contact_id=ref_id(raw, "contact") or contact_id,
        name=raw.get("name"),
        email=raw.get("email"),
        phone=raw.get("telephone"),
        mobile=raw.get("mobile"),
        job_title=raw.get("job_title"),
        is_main=parse_bool(raw.get("is_main_contact"), False),
        **stamps(raw),
        remote_data=remote(raw, include_remote),
    )


def person_body(person: ContactPerson) -> dict[str, Any]:
    """Return the Sage fields of a person, as used both alone and inside a contact."""
    return compact(
        {
            "name": person.name,
            "job_title": person.job_title,
            "telephone": person.phone,
            "mobile": person.mobile,
            "email": person.email,
            "is_main_contact": person.is_main,
        }
    )


def to_sage(
    person: ContactPerson,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = False,
    address_id: str | None = None,
    type_ids: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Build the inner body of ``POST /contact_persons`` (or ``PUT`` with ``partial=True``).

    Args:
        person: the person to send.
        provider_fields: extra Sage fields merged into the body.
        partial: an update; Sage's required fields are not enforced.
        address_id: the Sage address the person belongs to (required on create).
        type_ids: contact person type ids (required on create).

    Returns:
        The body to wrap under ``"contact_person"``.

    Raises:
        ValidationError: a required field is missing or a string is too long for Sage.
    """
    body = person_body(person)
    if address_id is not None:
        body["address_id"] = address_id
    if type_ids:
        body["contact_person_type_ids"] = list(type_ids)
    return finish(WRAPPER_KEY, body, provider_fields, partial)
