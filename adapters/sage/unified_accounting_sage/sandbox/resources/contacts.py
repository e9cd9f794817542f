"""contacts, addresses and contact_persons."""

from __future__ import annotations

from typing import Any

from unified_accounting_sage.sandbox.errors import invalid
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.listing import ref_list_has, search, since
from unified_accounting_sage.sandbox.messages import money, path_for, ref, ref_of, to_decimal
from unified_accounting_sage.sandbox.resources.common import (
    delete_record,
    getter,
    linked,
    looked_up,
    lookup_list,
    pick,
    touch,
    unique_index,
    updater,
)
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.seed import currency_ref
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate

CONTACT_TYPES = ("CUSTOMER", "VENDOR")
_PLAIN = ("name", "reference", "tax_number", "notes", "locale", "credit_days", "credit_terms",
          "credit_terms_and_conditions", "source_guid", "aux_reference", "registered_number",
          "auxiliary_account", "tax_treatment")
_ADDRESS_FIELDS = ("address_line_1", "address_line_2", "city", "postal_code", "region", "name")
_PERSON_FIELDS = ("name", "job_title", "telephone", "mobile", "email", "fax",
                  "is_main_contact", "is_preferred_contact")
_LINKS = (
    ("default_sales_ledger_account", "ledger_accounts"),
    ("default_purchase_ledger_account", "ledger_accounts"),
    ("default_sales_tax_rate", "tax_rates"),
)


def new_contact(ctx: Ctx, data: dict[str, Any]) -> Record:
    """Validate a create body and store the new contact (also used by bulk seeding).

    Raises:
        SageError: 422 for invalid fields or a duplicate reference, 404 for unknown ids.
    """
    if not ctx.trusted:
        validate("contact", data)
    record: Record = {
        "id": new_id(), "created_at": ctx.stamp, "updated_at": ctx.stamp, "deleted_at": None,
        "links": [], "balance": "0.0", "credit_limit": "0.0", "credit_days": None,
        "currency": currency_ref(_base_currency(ctx)), "email": None, "deletable": True,
        "system": False, "is_active": True, "main_address": None, "delivery_address": None,
        "main_contact_person": None, "bank_account_details": None,
    }
    for name in (*_PLAIN, *(field for field, _ in _LINKS)):
        record.setdefault(name, None)
    record["$path"] = path_for("contacts", record["id"])
    _apply(ctx, record, data)
    ctx.store.insert(ctx.business_id, "contacts", record)
    return record


def _base_currency(ctx: Ctx) -> str:
    settings = ctx.require("financial_settings", "financial_settings")
    return str(settings["base_currency"]["id"])


def _apply(ctx: Ctx, record: Record, data: dict[str, Any]) -> None:
    resolved = _resolve(ctx, record, data)  # everything that can fail, before any change
    record.update(resolved)
    if "reference" in data:
        _claim_reference(ctx, record, data["reference"])
    if data.get("credit_limit") is not None:
        record["credit_limit"] = money(to_decimal(data["credit_limit"]))
    if data.get("bank_account_details") is not None:
        record["bank_account_details"] = {**(record["bank_account_details"] or {}),
                                          **data["bank_account_details"]}
    pick(data, record, _PLAIN)
    reference = record.get("reference")
    record["displayed_as"] = f"{record['name']} ({reference})" if reference else record["name"]
    for kind in ("main_address", "delivery_address"):
        if data.get(kind) is not None:
            record[kind] = _upsert_address(ctx, record, data[kind], kind)
    if data.get("main_contact_person") is not None:
        record["main_contact_person"] = _upsert_main_person(ctx, record,
                                                            data["main_contact_person"])
        record["email"] = record["main_contact_person"].get("email")


def _resolve(ctx: Ctx, record: Record, data: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    if "contact_type_ids" in data:
        ids = data["contact_type_ids"]
        if not ids or any(item not in CONTACT_TYPES for item in ids):
            raise invalid("contact_type_ids", "It has to be either CUSTOMER or VENDOR")
        resolved["contact_types"] = lookup_list("contact_types", ids, "contact_type_ids")
    reference = data.get("reference")
    owner = unique_index(ctx, "contacts", "reference").get(str(reference).lower())
    if reference is not None and owner not in (None, record["id"]):
        raise invalid("reference", "has already been taken")
    for field, collection in _LINKS:
        if f"{field}_id" in data:
            resolved[field] = linked(ctx, collection, data[f"{field}_id"], f"{field}_id")
    if data.get("currency_id") is not None:
        resolved["currency"] = looked_up("currencies", data["currency_id"], "currency_id")
    for kind in ("main_address", "delivery_address"):
        for name, table in (("country_id", "countries"), ("address_type_id", "address_types")):
            looked_up(table, (data.get(kind) or {}).get(name), f"{kind}.{name}")
    person = data.get("main_contact_person") or {}
    lookup_list("contact_person_types", person.get("contact_person_type_ids") or [],
                "main_contact_person.contact_person_type_ids")
    return resolved


def _claim_reference(ctx: Ctx, record: Record, reference: str | None) -> None:
    index = unique_index(ctx, "contacts", "reference")
    old = record.get("reference")
    if old is not None:
        index.pop(str(old).lower(), None)
    if reference is not None:
        index[reference.lower()] = record["id"]


def _upsert_address(ctx: Ctx, contact: Record, data: dict[str, Any], kind: str) -> Record:
    existing = contact.get(kind)
    address = ctx.get("addresses", existing["id"]) if existing else None
    if address is None:
        address_id = new_id()
        address = {
            "id": address_id, "$path": path_for("addresses", address_id),
            "created_at": ctx.stamp, "deleted_at": None, "bank_account": None,
            "contact": ref("contacts", contact["id"], ""),
            "is_main_address": kind == "main_address",
            "country": None, "country_group": None, **dict.fromkeys(_ADDRESS_FIELDS),
            "address_type": looked_up("address_types",
                                      "ACCOUNTS" if kind == "main_address" else "DELIVERY", ""),
        }
        ctx.store.insert(ctx.business_id, "addresses", address)
    pick(data, address, _ADDRESS_FIELDS)
    if data.get("country_id") is not None:
        address["country"] = looked_up("countries", data["country_id"], f"{kind}.country_id")
    if data.get("address_type_id") is not None:
        address["address_type"] = looked_up("address_types", data["address_type_id"],
                                            f"{kind}.address_type_id")
    address["contact"] = {**address["contact"], "displayed_as": contact.get("displayed_as")}
    parts = [address.get(name) for name in ("address_line_1", "city", "postal_code")]
    address["displayed_as"] = ", ".join(str(part) for part in parts if part)
    touch(ctx, "addresses", address)
    return dict(address)


def _upsert_main_person(ctx: Ctx, contact: Record, data: dict[str, Any]) -> Record:
    if contact.get("main_address") is None:
        contact["main_address"] = _upsert_address(ctx, contact, {}, "main_address")
    existing = contact.get("main_contact_person")
    person = ctx.get("contact_persons", existing["id"]) if existing else None
    body = {"is_main_contact": True, "contact_person_type_ids": ["ACCOUNTS"], **data}
    if person is None:
        body.setdefault("name", contact["name"][:50])
        person = _new_person(ctx, contact["main_address"]["id"], body)
    else:
        _apply_person(ctx, person, body)
    return dict(person)


def _new_person(ctx: Ctx, address_id: str, data: dict[str, Any]) -> Record:
    address = ctx.require("addresses", address_id, "address_id")
    person_id = new_id()
    person: Record = {
        "id": person_id, "$path": path_for("contact_persons", person_id),
        "created_at": ctx.stamp, "deleted_at": None, "contact_person_types": [],
        "address": ref_of("addresses", address), **dict.fromkeys(_PERSON_FIELDS),
    }
    ctx.store.insert(ctx.business_id, "contact_persons", person)
    _apply_person(ctx, person, data)
    return person


def _apply_person(ctx: Ctx, person: Record, data: dict[str, Any]) -> None:
    # Both lookups before any change, so a refused body leaves the person as it was.
    types = lookup_list("contact_person_types", data["contact_person_type_ids"],
                        "contact_person_type_ids") if "contact_person_type_ids" in data else None
    address = ctx.require("addresses", data["address_id"], "address_id") if (
        data.get("address_id") is not None) else None
    if types is not None:
        person["contact_person_types"] = types
    if address is not None:
        person["address"] = ref_of("addresses", address)
    pick(data, person, _PERSON_FIELDS)
    person["displayed_as"] = person["name"]
    touch(ctx, "contact_persons", person)


def contact_in_use(ctx: Ctx, contact_id: str) -> bool:
    """Whether any invoice, credit note or payment of this business names the contact."""
    for collection in ("sales_invoices", "purchase_invoices", "contact_payments",
                       "sales_credit_notes", "purchase_credit_notes"):
        for record in ctx.store.collection(ctx.business_id, collection).ordered():
            if record["contact"]["id"] == contact_id:
                return True
    return False


def _create(ctx: Ctx, key: str | None) -> Reply:
    return 201, new_contact(ctx, ctx.wrapped("contact"))


def _delete(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require("contacts", key)
    if contact_in_use(ctx, record["id"]):
        raise invalid("base", "The contact cannot be deleted because it has transactions")
    if record.get("reference"):
        unique_index(ctx, "contacts", "reference").pop(str(record["reference"]).lower(), None)
    for kind in ("main_address", "delivery_address"):
        address = ctx.get("addresses", record[kind]["id"]) if record.get(kind) else None
        if address is not None:
            _delete_address(ctx, address)
    delete_record(ctx, "contacts", record)
    return 204, None


def _delete_address(ctx: Ctx, address: Record) -> None:
    people = ctx.store.collection(ctx.business_id, "contact_persons").ordered()
    for person in [p for p in people if p["address"]["id"] == address["id"]]:
        delete_record(ctx, "contact_persons", person)
    delete_record(ctx, "addresses", address)


def _list_contacts(ctx: Ctx, key: str | None) -> Reply:
    filters = {
        "updated_or_created_since": since(),
        "contact_type_id": ref_list_has("contact_types"),
        "search": search("name", "reference", "main_contact_person.name"),
        "email": search("email"),
    }
    return _list(ctx, "contacts", filters, deletable=True)


def _person_filters(ctx: Ctx) -> dict[str, Any]:
    def by_contact(value: str) -> Any:
        addresses = ctx.store.collection(ctx.business_id, "addresses").ordered()
        wanted = {a["id"] for a in addresses if a["contact"]["id"] == value}
        return lambda record: record["address"]["id"] in wanted

    return {"updated_or_created_since": since(), "address_id": lambda v: lambda r:
            r["address"]["id"] == v, "contact_id": by_contact}


def _list_persons(ctx: Ctx, key: str | None) -> Reply:
    return _list(ctx, "contact_persons", _person_filters(ctx), deletable=True)


def _create_person(ctx: Ctx, key: str | None) -> Reply:
    data = ctx.wrapped("contact_person")
    validate("contact_person", data)
    return 201, _new_person(ctx, data["address_id"], data)


def _update_person(ctx: Ctx, key: str | None) -> Reply:
    person = ctx.require("contact_persons", key)
    data = ctx.wrapped("contact_person")
    validate("contact_person.update", data)
    _apply_person(ctx, person, data)
    return 200, person


def _delete_person(ctx: Ctx, key: str | None) -> Reply:
    delete_record(ctx, "contact_persons", ctx.require("contact_persons", key))
    return 204, None


ROUTES = [
    Route("GET", "/contacts", _list_contacts),
    Route("POST", "/contacts", _create, wrapper="contact"),
    Route("GET", "/contacts/{key}", getter("contacts")),
    Route("PUT", "/contacts/{key}", updater("contacts", "contact", _apply), wrapper="contact"),
    Route("DELETE", "/contacts/{key}", _delete),
    Route("GET", "/addresses", lambda ctx, key: _list(ctx, "addresses", {
        "updated_or_created_since": since()}, deletable=True)),
    Route("GET", "/addresses/{key}", getter("addresses")),
    Route("GET", "/contact_persons", _list_persons),
    Route("POST", "/contact_persons", _create_person, wrapper="contact_person"),
    Route("GET", "/contact_persons/{key}", getter("contact_persons")),
    Route("PUT", "/contact_persons/{key}", _update_person, wrapper="contact_person"),
    Route("DELETE", "/contact_persons/{key}", _delete_person),
]
