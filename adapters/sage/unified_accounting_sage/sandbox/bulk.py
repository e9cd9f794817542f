"""Fast in-process creation of many records, for benchmarks and large tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from unified_accounting_sage.sandbox.errors import not_found
from unified_accounting_sage.sandbox.resources import contacts, invoices, journals, payments
from unified_accounting_sage.sandbox.routing import Ctx
from unified_accounting_sage.sandbox.seed import country_data

_CREATORS: dict[str, Callable[[Ctx, dict[str, Any]], dict[str, Any]]] = {
    "contacts": contacts.new_contact,
    "sales_invoices": lambda ctx, body: invoices.new_invoice(ctx, invoices.SALES, body),
    "purchase_invoices": lambda ctx, body: invoices.new_invoice(ctx, invoices.PURCHASE, body),
    "contact_payments": payments.new_payment,
    "journals": journals.new_journal,
}


def create_many(ctx: Ctx, resource: str, bodies: Sequence[Mapping[str, Any]]) -> list[str]:
    """Create records from unwrapped bodies; returns their ids.

    Raises:
        ValueError: an unsupported resource.
        SageError: an invalid body.
    """
    creator = _CREATORS.get(resource)
    if creator is None:
        raise ValueError(f"bulk creation supports {sorted(_CREATORS)}, not {resource!r}")
    return [str(creator(ctx, dict(body))["id"]) for body in bodies]


def contacts_bodies(count: int, contact_type: str, start: int) -> list[dict[str, Any]]:
    """Bodies of numbered contacts."""
    return [
        {"name": f"Bulk Contact {n}", "contact_type_ids": [contact_type],
         "reference": f"B{n:08d}", "main_contact_person": {"email": f"c{n}@example.com"}}
        for n in range(start, start + count)
    ]


def make_contacts(ctx: Ctx, count: int, contact_type: str) -> list[str]:
    """Create ``count`` numbered contacts."""
    key = f"bulk-contacts:{ctx.business_id}"
    start = int(ctx.store.meta(key, 1))
    ctx.store.set_meta(key, start + count)
    ctx.trusted = True  # our own bodies: skip the (slow) schema pass
    return create_many(ctx, "contacts", contacts_bodies(count, contact_type, start))


def ledger_id(ctx: Ctx, nominal_code: int) -> str:
    """The id of a ledger account by nominal code.

    Raises:
        SageError: 404 when the business has no such account.
    """
    for record in ctx.store.collection(ctx.business_id, "ledger_accounts").ordered():
        if record["nominal_code"] == nominal_code:
            return str(record["id"])
    raise not_found("nominal_code")


def bank_id(ctx: Ctx) -> str:
    """The id of the first (default) bank account."""
    return str(ctx.store.collection(ctx.business_id, "bank_accounts").ordered()[0]["id"])


def make_invoices(
    ctx: Ctx, count: int, lines: int, contact_ids: list[str] | None, kind: str
) -> list[str]:
    """Create ``count`` invoices of ``lines`` lines for the given (or new) contacts."""
    data = country_data(ctx.country)
    sales = kind == "sales"
    if not contact_ids:
        contact_ids = make_contacts(ctx, 1, "CUSTOMER" if sales else "VENDOR")
    ledger = ledger_id(ctx, data["defaults"]["sales" if sales else "purchase"])
    rate = data.get("default_sales_tax_rate")
    line = {"description": "Consulting", "ledger_account_id": ledger, "quantity": "2",
            "unit_price": "125.50", "tax_rate_id": rate}
    bodies = [
        {"contact_id": contact_ids[n % len(contact_ids)], "date": "2025-03-01",
         "due_date": "2025-03-31", "reference": f"BULK-{n}",
         "invoice_lines": [dict(line) for _ in range(lines)]}
        for n in range(count)
    ]
    ctx.trusted = True
    return create_many(ctx, "sales_invoices" if sales else "purchase_invoices", bodies)

