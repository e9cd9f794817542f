"""The controllers the sandbox serves and what each one stores, computes and allows.

Mapped controllers have exact shapes and rules; every other controller of the v2 API that the
public clients use is kept generically (Get, Save, Delete of whatever fields are sent), so
that the proxy can reach them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from unified_accounting_sage_za.sandbox.books import PARTY_FIELDS, Books, Record, Shape
from unified_accounting_sage_za.sandbox.documents import (
    ALLOCATION,
    DOCUMENT_SHAPE,
    DOCUMENTS,
    JOURNAL,
    PAYMENT_SHAPE,
    PAYMENTS,
    RETURN_SHAPE,
    RETURNS,
    save_allocation,
    save_document,
    save_journal,
    save_payment,
    save_return,
)
from unified_accounting_sage_za.sandbox.errors import invalid
from unified_accounting_sage_za.sandbox.items import ITEM_SHAPE, save_item

__all__ = ["CONTROLLERS", "Controller", "lookup"]

Saver = Callable[[Books, str, Mapping[str, Any], Mapping[str, str]], tuple[Record, bool]]


def _plain(shape: Shape) -> Saver:
    def save(books: Books, controller: str, body: Mapping[str, Any],
             params: Mapping[str, str]) -> tuple[Record, bool]:
        return books.save(controller, shape, body)

    return save


def _save_account(books: Books, controller: str, body: Mapping[str, Any],
                  params: Mapping[str, str]) -> tuple[Record, bool]:
    category = body.get("Category")
    category_id = category.get("ID") if isinstance(category, dict) else None
    found = books.require("AccountCategory", category_id, "Category.ID")
    if body.get("DefaultTaxTypeId"):
        books.require("TaxType", body["DefaultTaxTypeId"], "DefaultTaxTypeId")
    record, created = books.save(controller, _ACCOUNT, body)
    record.update({"Category": dict(found), "Balance": record.get("Balance") or 0,
                   "AccountType": record.get("AccountType") or 1, "_System": False})
    return record, created


@dataclass(frozen=True)
class Controller:
    """One controller: its shape, how Save works, and whether documents carry lines."""

    shape: Shape
    save: Saver
    has_lines: bool = False


_PARTY = Shape(writable=PARTY_FIELDS, required=("Name",), defaults={"Active": True})
_ACCOUNT = Shape(writable=("Name", "Active", "Description", "DefaultTaxTypeId",
                           "ReportingGroupId"), required=("Name",), defaults={"Active": True})
_CATEGORY = Shape(writable=("Description", "Comment", "Order"), required=("Description",))
_TAX_TYPE = Shape(writable=("Name", "Percentage", "IsDefault", "IsManualTax", "Active"),
                  required=("Name",), defaults={"Active": True, "Percentage": 0})
_BANK = Shape(writable=("Name", "BankName", "AccountNumber", "Active", "Default",
                        "Description"), required=("Name",))
_OPEN = Shape(writable=())
_OTHER = (
    "AccountBalance", "AccountNote", "AccountOpeningBalance", "AccountPayment", "AccountReceipt",
    "AdditionalItemPrice", "AdditionalPriceList", "Asset", "AssetCategory", "AssetLocation",
    "BankAccountCategory", "BankTransaction", "CustomerCategory", "CustomerNote",
    "CustomerZone", "ItemCategory", "ItemMovement", "ItemNote",
    "ItemReportGroup", "PurchaseOrder", "Quote", "SalesOrder", "SalesRepresentative",
    "SupplierCategory", "SupplierNote",
)

CONTROLLERS: dict[str, Controller] = {
    "Customer": Controller(_PARTY, _plain(_PARTY)),
    "Supplier": Controller(_PARTY, _plain(_PARTY)),
    **{name: Controller(DOCUMENT_SHAPE, save_document, has_lines=True) for name in DOCUMENTS},
    **{name: Controller(PAYMENT_SHAPE, save_payment) for name in PAYMENTS},
    "Allocation": Controller(ALLOCATION, save_allocation),
    "JournalEntry": Controller(JOURNAL, save_journal),
    "Account": Controller(_ACCOUNT, _save_account),
    "AccountCategory": Controller(_CATEGORY, _plain(_CATEGORY)),
    "TaxType": Controller(_TAX_TYPE, _plain(_TAX_TYPE)),
    "BankAccount": Controller(_BANK, _plain(_BANK)),
    **{name: Controller(_OPEN, _plain(_OPEN)) for name in _OTHER},
    **{name: Controller(RETURN_SHAPE, save_return, has_lines=True) for name in RETURNS},
    "Item": Controller(ITEM_SHAPE, save_item),
}
_BY_LOWER = {name.lower(): name for name in (*CONTROLLERS, "Company")}


def lookup(name: str) -> str | None:
    """The controller's proper name for a path segment in any capitalisation."""
    return _BY_LOWER.get(name.lower())


def check_batch(body: Any) -> list[Any]:
    """A SaveBatch body must be a JSON array.

    Raises:
        ZAError: 400 otherwise.
    """
    if not isinstance(body, list):
        raise invalid("model", "SaveBatch takes a JSON array of entities.")
    return body
