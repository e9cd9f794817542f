"""contact_payments: receipts and payments whose allocations settle invoices."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from unified_accounting_sage.sandbox.amounts import payment_status
from unified_accounting_sage.sandbox.errors import invalid
from unified_accounting_sage.sandbox.ledger_rules import (
    ControlAccounts,
    Discount,
    Posting,
    customer_receipt,
    customer_refund,
    supplier_payment,
    supplier_refund,
)
from unified_accounting_sage.sandbox.listing import date_from, date_to, ref_is, since
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.messages import money, path_for, ref_of, to_decimal
from unified_accounting_sage.sandbox.resources.banking import adjust_bank_balance, bank_ref
from unified_accounting_sage.sandbox.resources.common import (
    delete_record,
    getter,
    looked_up,
    touch,
)
from unified_accounting_sage.sandbox.resources.invoices import adjust_balance, status_ref
from unified_accounting_sage.sandbox.resources.ledger_entries import (
    bank_ledger_id,
    control_accounts,
    post_transaction,
    update_transaction,
)
from unified_accounting_sage.sandbox.resources.lookups import lookup_ref
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate

#: transaction type -> (contact type, invoices it may settle, sign of the bank movement)
PAYMENT_TYPES: dict[str, tuple[str, str | None, int]] = {
    "CUSTOMER_RECEIPT": ("CUSTOMER", "sales_invoices", 1),
    "VENDOR_PAYMENT": ("VENDOR", "purchase_invoices", -1),
    "CUSTOMER_REFUND": ("CUSTOMER", None, -1),
    "VENDOR_REFUND": ("VENDOR", None, 1),
}


def _check_allocations(
    ctx: Ctx, data: dict[str, Any], contact: Record, collection: str | None
) -> list[tuple[Record, Decimal, Decimal]]:
    allocations: list[tuple[Record, Decimal, Decimal]] = []
    pending: dict[str, Decimal] = {}
    for index, item in enumerate(data.get("allocated_artefacts") or []):
        source = f"allocated_artefacts.{index}"
        if collection is None:
            raise invalid(source, "Refunds cannot be allocated to invoices here")
        invoice = ctx.require(collection, item["artefact_id"], f"{source}.artefact_id")
        amount, discount = to_decimal(item["amount"]), to_decimal(item.get("discount") or 0)
        if invoice["contact"]["id"] != contact["id"]:
            raise invalid(f"{source}.artefact_id", "belongs to another contact")
        if invoice["status"]["id"] in ("DRAFT", "VOID"):
            raise invalid(f"{source}.artefact_id", "A draft or void invoice cannot be paid")
        used = pending.get(invoice["id"], Decimal(0)) + amount + discount
        if amount <= 0 or used > to_decimal(invoice["outstanding_amount"]):
            raise invalid(f"{source}.amount", "exceeds the outstanding amount of the invoice")
        pending[invoice["id"]] = used
        allocations.append((invoice, amount, discount))
    if sum((a for _, a, _ in allocations), Decimal(0)) > to_decimal(data["total_amount"]):
        raise invalid("total_amount", "is less than the amount allocated")
    return allocations


def new_payment(ctx: Ctx, data: dict[str, Any]) -> Record:
    """Validate a create body, store the payment and settle the invoices it allocates.

    Raises:
        SageError: 422 for invalid fields, wrong contact type or over-allocation; 404 for
            unknown ids.
    """
    validate("contact_payment", data)
    type_id = data["transaction_type_id"]
    if type_id not in PAYMENT_TYPES:
        raise invalid("transaction_type_id", "is not included in the list")
    contact_type, collection, sign = PAYMENT_TYPES[type_id]
    contact = ctx.require("contacts", data["contact_id"], "contact_id")
    if all(item["id"] != contact_type for item in contact["contact_types"]):
        raise invalid("contact_id", f"The contact must be a {contact_type.lower()}")
    bank = bank_ref(ctx, data["bank_account_id"])
    method = looked_up("payment_methods", data.get("payment_method_id"), "payment_method_id")
    allocations = _check_allocations(ctx, data, contact, collection)
    total = to_decimal(data["total_amount"])
    record_id = new_id()
    record: Record = {
        "id": record_id, "$path": path_for("contact_payments", record_id),
        "displayed_as": data.get("reference") or data["date"],
        "created_at": ctx.stamp, "updated_at": ctx.stamp, "deleted_at": None, "links": [],
        "transaction_type": lookup_ref("transaction_types", type_id),
        "payment_method": method, "contact": ref_of("contacts", contact), "bank_account": bank,
        "currency": ctx.require("financial_settings", "financial_settings")["base_currency"],
        "date": data["date"], "reference": data.get("reference"),
        "net_amount": money(to_decimal(data.get("net_amount") or total)),
        "tax_amount": money(to_decimal(data.get("tax_amount") or 0)),
        "total_amount": money(total), "exchange_rate": "1.0", "editable": True,
        "allocated_artefacts": [], "payment_on_account": None,
    }
    for invoice, amount, discount in allocations:
        _allocate(ctx, collection or "", record, invoice, amount, discount)
    record["transaction"] = post_transaction(ctx, type_id, "contact_payments", record,
                                             postings(ctx, record), total=total)
    assert bank is not None
    adjust_bank_balance(ctx, bank["id"], sign * total)
    adjust_balance(ctx, contact["id"], _on_account(record))
    ctx.store.insert(ctx.business_id, "contact_payments", record)
    return record


def _on_account(payment: Record) -> Decimal:
    """How a payment moves its contact's balance beyond what its allocations settle.

    A receipt or payment lowers it by the money not allocated to an invoice (a payment on
    account); a refund raises it by the whole amount.
    """
    total = to_decimal(payment["total_amount"])
    if PAYMENT_TYPES[payment["transaction_type"]["id"]][1] is None:
        return total
    allocated = sum((to_decimal(a["amount"]) for a in payment["allocated_artefacts"]),
                    Decimal(0))
    return allocated - total


def _discounts(ctx: Ctx, payment: Record, account: str | None) -> list[Discount]:
    """The settlement discounts of a payment's allocations; without a discount account in
    the chart, each is booked to the first ledger account of the invoice it settles."""
    collection = PAYMENT_TYPES[payment["transaction_type"]["id"]][1] or ""
    found = []
    for item in payment["allocated_artefacts"]:
        amount = to_decimal(item["discount"])
        if not amount:
            continue
        booked_to = account
        if booked_to is None:
            invoice = ctx.require(collection, item["artefact"]["id"])
            booked_to = str(invoice["invoice_lines"][0]["ledger_account"]["id"])
        found.append(Discount(amount, booked_to))
    return found


def postings(ctx: Ctx, payment: Record) -> list[Posting]:
    """The double entry of a stored payment: the bank against debtors or creditors."""
    accounts = control_accounts(ctx)
    bank = bank_ledger_id(ctx, payment["bank_account"]["id"])
    total, label = to_decimal(payment["total_amount"]), payment["displayed_as"]
    type_id = payment["transaction_type"]["id"]
    if type_id in _REFUNDS:
        return _REFUNDS[type_id](accounts, bank, total, label)
    receipt = type_id == "CUSTOMER_RECEIPT"
    discounts = _discounts(ctx, payment, accounts.sales_discount if receipt
                           else accounts.purchase_discount)
    rule = customer_receipt if receipt else supplier_payment
    return rule(accounts, bank, total, discounts, label)


_REFUNDS: dict[str, Callable[[ControlAccounts, str, Decimal, str | None], list[Posting]]] = {
    "CUSTOMER_REFUND": customer_refund,
    "VENDOR_REFUND": supplier_refund,
}


def _allocate(
    ctx: Ctx, collection: str, payment: Record, invoice: Record, amount: Decimal,
    discount: Decimal,
) -> None:
    allocation_id = new_id()
    payment["allocated_artefacts"].append({
        "id": allocation_id, "artefact": ref_of(collection, invoice),
        "amount": money(amount), "discount": money(discount),
    })
    invoice["payments_allocations"].append({
        "id": allocation_id, "date": payment["date"], "reference": payment["reference"],
        "type": payment["transaction_type"], "amount": money(amount),
        "discount": money(discount), "contact_payment": ref_of("contact_payments", payment),
    })
    _settle(ctx, collection, invoice, amount, discount, payment["date"])


def _settle(
    ctx: Ctx, collection: str, invoice: Record, amount: Decimal, discount: Decimal,
    paid_on: str | None,
) -> None:
    outstanding = to_decimal(invoice["outstanding_amount"]) - amount - discount
    invoice["outstanding_amount"] = money(outstanding)
    invoice["total_paid"] = money(to_decimal(invoice["total_paid"]) + amount)
    invoice["status"] = status_ref(payment_status(to_decimal(invoice["total_amount"]),
                                                  outstanding))
    if paid_on is not None:
        invoice["last_paid"] = paid_on
    invoice["editable"] = invoice["status"]["id"] == "UNPAID"
    adjust_balance(ctx, invoice["contact"]["id"], -(amount + discount))
    touch(ctx, collection, invoice)


def _delete(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require("contact_payments", key)
    type_id = record["transaction_type"]["id"]
    _, collection, sign = PAYMENT_TYPES[type_id]
    for item in record["allocated_artefacts"]:
        invoice = ctx.get(collection or "", item["artefact"]["id"])
        if invoice is None:
            continue
        invoice["payments_allocations"] = [
            a for a in invoice["payments_allocations"] if a["id"] != item["id"]]
        amount, discount = to_decimal(item["amount"]), to_decimal(item["discount"])
        _settle(ctx, collection or "", invoice, -amount, -discount, None)
    adjust_bank_balance(ctx, record["bank_account"]["id"],
                        -sign * to_decimal(record["total_amount"]))
    adjust_balance(ctx, record["contact"]["id"], -_on_account(record))
    update_transaction(ctx, record["transaction"], deleted=True)
    delete_record(ctx, "contact_payments", record)
    return 204, None


def _update(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require("contact_payments", key)
    data = ctx.wrapped("contact_payment")
    validate("contact_payment.update", data)
    for name in ("allocated_artefacts", "total_amount", "contact_id", "bank_account_id"):
        if name in data:
            raise invalid(name, "cannot be changed; delete the payment and create a new one")
    if "payment_method_id" in data:
        record["payment_method"] = looked_up("payment_methods", data["payment_method_id"],
                                             "payment_method_id")
    for name in ("reference", "date"):
        if data.get(name) is not None:
            record[name] = data[name]
    update_transaction(ctx, record["transaction"], date=record["date"])
    touch(ctx, "contact_payments", record)
    return 200, record


def _list_payments(ctx: Ctx, key: str | None) -> Reply:
    filters = {
        "updated_or_created_since": since(),
        "contact_id": ref_is("contact"),
        "bank_account_id": ref_is("bank_account"),
        "transaction_type_id": ref_is("transaction_type"),
        "from_date": date_from(),
        "to_date": date_to(),
    }
    return _list(ctx, "contact_payments", filters, deletable=True,
                 sortable=("created_at", "updated_at", "date"))


ROUTES = [
    Route("GET", "/contact_payments", _list_payments),
    Route("POST", "/contact_payments",
          lambda ctx, key: (201, new_payment(ctx, ctx.wrapped("contact_payment"))),
          wrapper="contact_payment"),
    Route("GET", "/contact_payments/{key}", getter("contact_payments")),
    Route("PUT", "/contact_payments/{key}", _update, wrapper="contact_payment"),
    Route("DELETE", "/contact_payments/{key}", _delete),
]
