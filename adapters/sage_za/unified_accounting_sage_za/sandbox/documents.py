"""Save rules of the documents: invoices and returns with lines, receipts and payments,
allocations, journals.

Everything a Save computes is computed before anything is stored, so a refused Save leaves
the books as they were. Money is rounded to cents half away from zero (the company's two
currency digits).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from unified_accounting.sandbox_kit.wire import round_money
from unified_accounting_sage_za.sandbox.books import Books, Record, Shape, flag, money_of
from unified_accounting_sage_za.sandbox.errors import ZAError, invalid
from unified_accounting_sage_za.sandbox.wire import parse_date, wire_date

__all__ = [
    "ALLOCATION",
    "DOCUMENTS",
    "JOURNAL",
    "PAYMENTS",
    "RETURNS",
    "RETURN_SHAPE",
    "save_allocation",
    "save_document",
    "save_journal",
    "save_payment",
]

_ZERO = Decimal("0")
_HUNDRED = Decimal("100")
_HEADER = ("Date", "DueDate", "Inclusive", "DiscountPercentage", "TaxReference", "Reference",
           "Message", "ExternalReference", *(f"{kind}Address0{n}" for kind in ("Postal", "Delivery")
                                             for n in range(1, 6)))
_NO_DELETE = frozenset({"get", "save", "calculate", "email"})
#: controller -> (party controller, party id field, document number prefix)
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "TaxInvoice": ("Customer", "CustomerId", "INV"),
    "SupplierInvoice": ("Supplier", "SupplierId", "SI"),
}
#: Returns (credit notes): controller -> (party controller, party id field, number prefix,
#: the invoice controller ``FromDocumentId`` names).
RETURNS: dict[str, tuple[str, str, str, str]] = {
    "CustomerReturn": ("Customer", "CustomerId", "CRN", "TaxInvoice"),
    "SupplierReturn": ("Supplier", "SupplierId", "SRN", "SupplierInvoice"),
}
PAYMENTS: dict[str, tuple[str, str, str]] = {
    "CustomerReceipt": ("Customer", "CustomerId", "RC"),
    "SupplierPayment": ("Supplier", "SupplierId", "PM"),
}
DOCUMENT_SHAPE = Shape(writable=_HEADER, required=("Date",), methods=_NO_DELETE)
RETURN_SHAPE = Shape(writable=(*_HEADER, "FromDocumentId"), required=("Date",),
                     methods=frozenset({"get", "save"}))
PAYMENT_SHAPE = Shape(
    writable=("Date", "Payee", "Reference", "Description", "Comments", "Reconciled",
              "PaymentMethod", "BankAccountId"),
    required=("Date",), methods=frozenset({"get", "save"}))
ALLOCATION = Shape(writable=("SourceDocumentId", "AllocatedToDocumentId", "Type"),
                   required=("SourceDocumentId", "AllocatedToDocumentId"),
                   methods=frozenset({"get", "save", "savebatch"}))
JOURNAL = Shape(
    writable=("Date", "Effect", "AccountId", "ContraAccountId", "Reference", "Description",
              "Memo", "TaxTypeId"),
    required=("Date", "Effect", "AccountId", "ContraAccountId"),
    methods=frozenset({"get", "save", "savebatch", "delete"}), in_use=lambda record: False)


def _date_field(body: Mapping[str, Any], name: str, prefix: str = "") -> str | None:
    value = body.get(name)
    if value in (None, ""):
        return None
    try:
        return wire_date(parse_date(value))
    except ValueError:
        raise invalid(prefix + name, f"The value '{value}' is not valid for {name}.") from None


def _line(books: Books, line: Any, index: int, inclusive: bool) -> Record:
    where = f"Lines[{index}]."
    if not isinstance(line, dict):
        raise invalid(where.rstrip("."), "A line must be an object.")
    kind = int(line.get("LineType") or 0)
    target = {0: "Item", 1: "Account"}.get(kind)
    if target is None:
        raise invalid(where + "LineType", f"The line type {kind} is not supported.")
    selection = books.require(target, line.get("SelectionId"), where + "SelectionId")
    tax_type = (books.require("TaxType", line["TaxTypeId"], where + "TaxTypeId")
                if line.get("TaxTypeId") else None)
    rate = money_of(tax_type, "Percentage") if tax_type else _ZERO
    quantity = money_of(line, "Quantity", "1")
    price = money_of(line, "UnitPriceInclusive" if inclusive else "UnitPriceExclusive")
    gross = round_money(quantity * price)
    discount = round_money(gross * money_of(line, "DiscountPercentage") / _HUNDRED)
    if inclusive:
        total = gross - discount
        exclusive = round_money(total * _HUNDRED / (_HUNDRED + rate))
        tax = total - exclusive
    else:
        exclusive = gross - discount
        tax = round_money(exclusive * rate / _HUNDRED)
        total = exclusive + tax
    return {"ID": books.ids.take(), "SelectionId": selection["ID"], "LineType": kind,
            "TaxTypeId": tax_type["ID"] if tax_type else None,
            "Description": line.get("Description") or "", "Comments": line.get("Comments") or "",
            "Quantity": quantity, "UnitPriceExclusive": price if not inclusive else exclusive,
            "UnitPriceInclusive": price if inclusive else total, "TaxPercentage": rate,
            "DiscountPercentage": money_of(line, "DiscountPercentage"), "Exclusive": exclusive,
            "Discount": discount, "Tax": tax, "Total": total}


def _number(books: Books, body: Mapping[str, Any], params: Mapping[str, str], prefix: str,
            existing: Record | None) -> str:
    if existing is not None:
        return str(existing["DocumentNumber"])
    if params.get("usesystemdocumentnumber", "true").lower() != "false":
        return books.next_number(prefix)
    number = str(body.get("DocumentNumber") or "").strip()
    if not number:
        raise invalid("DocumentNumber", "The DocumentNumber field is required when "
                      "useSystemDocumentNumber is false.")
    return number


def _document_spec(controller: str) -> tuple[str, str, str, Shape]:
    """Party controller, party id field, number prefix and shape of a document controller."""
    if controller in RETURNS:
        party_controller, party_field, prefix, _ = RETURNS[controller]
        return party_controller, party_field, prefix, RETURN_SHAPE
    return (*DOCUMENTS[controller], DOCUMENT_SHAPE)


def save_document(books: Books, controller: str, body: Mapping[str, Any],
                  params: Mapping[str, str]) -> tuple[Record, bool]:
    """``TaxInvoice/Save``, ``SupplierInvoice/Save`` and the returns' Save: lines and totals
    computed here."""
    party_controller, party_field, prefix, shape = _document_spec(controller)
    party = books.require(party_controller, body.get(party_field), party_field)
    day = _date_field(body, "Date")
    due = _date_field(body, "DueDate")
    lines_in = body.get("Lines")
    if not isinstance(lines_in, list) or not lines_in:
        raise invalid("Lines", "A document needs at least one line.")
    inclusive = flag(body.get("Inclusive"))
    lines = [_line(books, line, index, inclusive) for index, line in enumerate(lines_in)]
    existing = books.find(controller, body.get("ID")) if body.get("ID") else None
    allocated = money_of(existing, "_Allocated") if existing else _ZERO
    total = sum((line["Total"] for line in lines), _ZERO)
    if total < allocated:
        raise invalid("Total", "The total is less than the amount already allocated.")
    number = _number(books, body, params, prefix, existing)
    record, created = books.save(controller, shape, {**body, "Date": day, "DueDate": due})
    record.update({
        party_field: party["ID"], f"{party_controller}Name": party["Name"], "Lines": lines,
        "DocumentNumber": number, "Inclusive": inclusive,
        "Exclusive": sum((line["Exclusive"] for line in lines), _ZERO),
        "Tax": sum((line["Tax"] for line in lines), _ZERO),
        "Discount": sum((line["Discount"] for line in lines), _ZERO),
        "Rounding": _ZERO, "Total": total, "_Allocated": allocated,
        "AmountDue": total - allocated, "Paid": total == allocated,
        "Status": "Paid" if total == allocated else "Unpaid",
    })
    for line in lines:
        selection = "Item" if line["LineType"] == 0 else "Account"
        books.touch(books.table(selection)[line["SelectionId"]])
        if line["TaxTypeId"]:
            books.touch(books.table("TaxType")[line["TaxTypeId"]])
    books.touch(party)
    return record, created


def save_payment(books: Books, controller: str, body: Mapping[str, Any],
                 params: Mapping[str, str]) -> tuple[Record, bool]:
    """``CustomerReceipt/Save`` and ``SupplierPayment/Save``."""
    party_controller, party_field, prefix = PAYMENTS[controller]
    party = books.require(party_controller, body.get(party_field), party_field)
    bank = books.require("BankAccount", body.get("BankAccountId"), "BankAccountId")
    day = _date_field(body, "Date")
    total = money_of(body, "Total")
    if total <= 0:
        raise invalid("Total", "The Total must be greater than zero.")
    existing = books.find(controller, body.get("ID")) if body.get("ID") else None
    allocated = money_of(existing, "_Allocated") if existing else _ZERO
    if total < allocated:
        raise invalid("Total", "The total is less than the amount already allocated.")
    number = _number(books, body, params, prefix, existing)
    record, created = books.save(controller, PAYMENT_SHAPE, {**body, "Date": day})
    record.update({party_field: party["ID"], "BankAccountId": bank["ID"], "Total": total,
                   "Discount": money_of(body, "Discount"), "DocumentNumber": number,
                   "_Allocated": allocated, "TotalUnallocated": total - allocated})
    books.touch(party)
    return record, created


def save_return(books: Books, controller: str, body: Mapping[str, Any],
                params: Mapping[str, str]) -> tuple[Record, bool]:
    """``CustomerReturn/Save`` and ``SupplierReturn/Save``: a document whose
    ``FromDocumentId``, when given, names an invoice of the same party."""
    _, party_field, _, invoices = RETURNS[controller]
    source = body.get("FromDocumentId")
    if source:
        invoice = books.require(invoices, source, "FromDocumentId")
        if invoice.get(party_field) != body.get(party_field):
            raise invalid("FromDocumentId", "The document belongs to another party.")
    return save_document(books, controller, body, params)


def _unallocated(source: Record) -> Decimal:
    """What a receipt, payment or return has left to allocate."""
    if "TotalUnallocated" in source:
        return money_of(source, "TotalUnallocated")
    return money_of(source, "AmountDue")


def _allocation_parties(books: Books, body: Mapping[str, Any]) -> tuple[Record, Record]:
    source = next((record for controller in (*PAYMENTS, *RETURNS)
                   if (record := books.find(controller, body.get("SourceDocumentId")))), None)
    target = next((record for controller in DOCUMENTS
                   if (record := books.find(controller, body.get("AllocatedToDocumentId")))),
                  None)
    if source is None:
        raise invalid("SourceDocumentId", "The source document does not exist.")
    if target is None:
        raise invalid("AllocatedToDocumentId", "The document allocated to does not exist.")
    same_party = any(source.get(field) and source.get(field) == target.get(field)
                     for field in ("CustomerId", "SupplierId"))
    if not same_party:
        raise invalid("AllocatedToDocumentId", "The document belongs to another party.")
    return source, target


def save_allocation(books: Books, controller: str, body: Mapping[str, Any],
                    params: Mapping[str, str]) -> tuple[Record, bool]:
    """``Allocation/Save``: reduce the invoice's ``AmountDue`` and what the receipt, payment
    or return has unallocated."""
    if body.get("ID"):
        raise ZAError(405, "Allocations cannot be edited; allocate the difference instead.")
    source, target = _allocation_parties(books, body)
    total, discount = money_of(body, "Total"), money_of(body, "Discount")
    if total <= 0:
        raise invalid("Total", "The Total must be greater than zero.")
    if total > _unallocated(source):
        raise invalid("Total", "The Total exceeds the unallocated amount of the source.")
    if total + discount > money_of(target, "AmountDue"):
        raise invalid("Total", "The Total exceeds the amount due of the document.")
    record, created = books.save(controller, ALLOCATION, body)
    record.update({"Total": total, "Discount": discount,
                   "DocumentHeaderId_Source": source["ID"],
                   "DocumentHeaderId_Allocation": target["ID"]})
    source["_Allocated"] = money_of(source, "_Allocated") + total
    left = money_of(source, "Total") - source["_Allocated"]
    if "TotalUnallocated" in source:
        source["TotalUnallocated"] = left
    else:
        _settled(source, left)
    target["_Allocated"] = money_of(target, "_Allocated") + total + discount
    _settled(target, money_of(target, "Total") - target["_Allocated"])
    for changed in (source, target):
        books.touch(changed)
    return record, created


def _settled(document: Record, due: Decimal) -> None:
    document["AmountDue"] = due
    document["Paid"] = due == 0
    document["Status"] = "Paid" if document["Paid"] else "Partially Paid"


def check_journal(books: Books, body: Mapping[str, Any], prefix: str = "") -> Decimal:
    """Validate one two-sided entry and return its total (nothing is stored).

    Raises:
        ZAError: 400 naming the field (``model[2].AccountId`` inside a batch).
    """
    if not isinstance(body, dict):
        raise invalid(prefix.rstrip(".") or "body", "An entry must be an object.")
    for name in JOURNAL.required:
        if body.get(name) in (None, ""):
            raise invalid(prefix + name, f"The {name} field is required.")
    _date_field(body, "Date", prefix)
    if body.get("Effect") not in (1, 2):
        raise invalid(prefix + "Effect", "The Effect must be 1 (debit) or 2 (credit).")
    for name in ("AccountId", "ContraAccountId"):
        books.require("Account", body.get(name), prefix + name)
    if body.get("AccountId") == body.get("ContraAccountId"):
        raise invalid(prefix + "ContraAccountId", "The contra account must differ.")
    total = money_of(body, "Total")
    if total <= 0:
        raise invalid(prefix + "Total", "The Total must be greater than zero.")
    return total


def save_journal(books: Books, controller: str, body: Mapping[str, Any],
                 params: Mapping[str, str]) -> tuple[Record, bool]:
    """``JournalEntry/Save``: ``Total`` to ``AccountId`` on the side of ``Effect``, the
    other side to ``ContraAccountId``."""
    total = check_journal(books, body)
    record, created = books.save(controller, JOURNAL,
                                 {**body, "Date": _date_field(body, "Date")})
    debit = total if body.get("Effect") == 1 else _ZERO
    record.update({"Total": total, "Exclusive": total, "Tax": _ZERO, "Debit": debit,
                   "Credit": total - debit})
    for name in ("AccountId", "ContraAccountId"):
        account = books.find("Account", body.get(name))
        if account is not None:
            books.touch(account)
    return record, created
