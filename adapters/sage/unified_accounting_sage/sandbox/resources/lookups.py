"""Read-only lookup lists: contact types, currencies, countries, statuses and the like."""

from __future__ import annotations

from functools import cache

from unified_accounting_sage.sandbox.errors import not_found
from unified_accounting_sage.sandbox.listing import envelope
from unified_accounting_sage.sandbox.messages import ref
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route
from unified_accounting_sage.sandbox.seed import currency_ref, lookups
from unified_accounting_sage.sandbox.store import Record

TABLES = (
    "contact_types",
    "contact_person_types",
    "address_types",
    "currencies",
    "countries",
    "ledger_account_types",
    "payment_methods",
    "artefact_statuses",
    "bank_account_types",
    "transaction_types",
    "catalog_item_types",
)


@cache
def table(name: str) -> tuple[Record, ...]:
    """The records of one lookup table."""
    if name == "currencies":
        return tuple(currency_ref(code) for code, _ in lookups()[name])
    return tuple(ref(name, item_id, label) for item_id, label in lookups()[name])


def lookup_ref(name: str, item_id: str) -> dict[str, str] | None:
    """The reference of one lookup item, or None when the id is unknown."""
    for record in table(name):
        if record["id"] == item_id:
            return dict(record)
    return None


def _list(name: str) -> Route:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        return 200, envelope(ctx, name, table(name))

    return Route("GET", f"/{name}", handler)


def _get(name: str) -> Route:
    def handler(ctx: Ctx, key: str | None) -> Reply:
        found = lookup_ref(name, key or "")
        if found is None:
            raise not_found()
        return 200, found

    return Route("GET", f"/{name}/{{key}}", handler)


ROUTES = [route for name in TABLES for route in (_list(name), _get(name))]
