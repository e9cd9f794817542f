"""Schemas for sales and purchase invoices and their lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, get_args

from marshmallow import validates_schema

from unified_accounting import money
from unified_accounting.models import Invoice, InvoiceLine, InvoiceStatus, InvoiceType, TaxCode
from unified_accounting.schemas.base import (
    ErrorList,
    RecordSchema,
    failed,
    holds_when,
    in_order,
    item_pairs,
    not_before,
    unreadable,
)
from unified_accounting.schemas.common import (
    free_text,
    identifier,
    moment,
    raw_record,
    text,
)
from unified_accounting.schemas.fields import (
    Amount,
    Flag,
    IsoDate,
    Money,
    Records,
    currency_code,
    one_of,
)
from unified_accounting.schemas.rules import (
    exact_add,
    line_amount_error,
    line_amount_holds,
    mismatch_error,
)

__all__ = ["TAX_CODES", "InvoiceLineSchema", "InvoiceSchema", "check_document_amounts"]

# The choices come from the models' Literal types, so the two cannot drift apart.
INVOICE_TYPES: tuple[str, ...] = get_args(InvoiceType)
INVOICE_STATUSES: tuple[str, ...] = get_args(InvoiceStatus)
TAX_CODES: tuple[str, ...] = get_args(TaxCode)
QUANTITY_PLACES = 6
UNIT_PRICE_PLACES = 6
EXCHANGE_RATE_PLACES = 10
AMOUNTS = ("net_amount", "tax_amount", "total_amount")
_ZERO, _ONE = Decimal(0), Decimal(1)


class InvoiceLineSchema(RecordSchema):
    """One invoice line; its money is checked against the invoice's currency."""

    model = InvoiceLine

    id = identifier()
    description = text(2000)
    quantity = Amount(max_places=QUANTITY_PLACES)
    unit_price = Amount(
        max_places=UNIT_PRICE_PLACES,
        allow_none=True,
        metadata={"description": "Price of one unit; may be finer than the currency's unit."},
    )
    discount_amount = Money(sign="non_negative", allow_none=True)
    account_id = identifier(description="The ledger account the line posts to.")
    account_concept = text(
        100, metadata={"description": "A product concept the provider maps to an account."}
    )
    tax_rate_id = identifier()
    tax_code = one_of(TAX_CODES, allow_none=True)
    net_amount = Money(allow_none=True)
    tax_amount = Money(allow_none=True)
    total_amount = Money(allow_none=True)


class InvoiceSchema(RecordSchema):
    """A sales invoice (to a customer) or a purchase invoice (from a supplier)."""

    model = Invoice
    currency_field = "currency"

    id = identifier()
    business_id = identifier()
    type = one_of(INVOICE_TYPES, required=True)
    number = text(50)
    reference = text(100)
    contact_id = identifier(required=True)
    issue_date = IsoDate(required=True)
    due_date = IsoDate(allow_none=True)
    currency = currency_code(allow_none=True)
    exchange_rate = Amount(sign="positive", max_places=EXCHANGE_RATE_PLACES, allow_none=True)
    status = one_of(INVOICE_STATUSES, allow_none=True)
    tax_inclusive = Flag()
    notes = free_text()
    lines = Records(
        InvoiceLineSchema, required=True, min_items=1, too_few="an invoice needs at least one line"
    )
    net_amount = Money(allow_none=True)
    tax_amount = Money(allow_none=True)
    total_amount = Money(allow_none=True)
    amount_paid = Money(sign="non_negative", allow_none=True)
    amount_due = Money(allow_none=True)
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()

    @validates_schema(skip_on_field_errors=False)
    @holds_when(lambda data: in_order(data, "issue_date", "due_date"))
    def _due_after_issue(self, data: Mapping[str, Any], **_: Any) -> None:
        not_before(data, "issue_date", "due_date")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    @holds_when(lambda data: _amounts_add_up_holds(data))
    def _amounts_add_up(self, data: Mapping[str, Any], original: Any, **_: Any) -> None:
        check_document_amounts(data, original)


def check_document_amounts(data: Mapping[str, Any], original: Any) -> None:
    """Check that a priced document's amounts agree with its lines, as an invoice's must.

    Any schema of a document with ``currency``, ``tax_inclusive``, ``lines`` (each with
    ``quantity``, ``unit_price``, ``discount_amount``, ``net_amount``, ``tax_amount`` and
    ``total_amount``) and the three header amounts calls it from a ``validates_schema`` hook
    (``pass_original=True``), so that credit notes and invoices follow one set of rules:

    - each line's and the header's ``net_amount + tax_amount == total_amount``;
    - each line's ``net_amount`` (``total_amount`` for tax-inclusive prices) equals
      ``quantity x unit_price - discount_amount``, rounded once to the currency
      (:func:`~unified_accounting.schemas.rules.line_amount`, half up);
    - each header amount equals the sum of the lines' amounts.

    Figures that are absent or unreadable are not compared (they have their own errors).

    Args:
        data: the loaded record, as marshmallow hands it to the hook.
        original: the input as given, to tell unreadable amounts from absent ones.

    Raises:
        marshmallow.ValidationError: every disagreement at once, at ``lines[i].<amount>`` and
            ``<amount>``, naming the figure given and the figure computed.
    """
    currency = data.get("currency")
    lines = item_pairs(data, original, "lines")
    if lines is None:
        return
    errors = ErrorList()
    for index, (line, raw) in enumerate(lines):
        message = _total_error(line, raw, currency)
        if message:
            errors.add(("lines", index, "total_amount"), message)
        priced = _priced_error(line, raw, currency, bool(data.get("tax_inclusive")))
        if priced:
            errors.add(("lines", index, priced[0]), priced[1])
    for name in AMOUNTS:
        message = _header_vs_lines(name, data, original, lines, currency)
        if message:
            errors.add((name,), message)
    message = _total_error(data, original, currency)
    if message:
        errors.add(("total_amount",), message)
    errors.raise_if_any()


def _amounts_add_up_holds(data: Mapping[str, Any]) -> bool:
    """``_amounts_add_up`` finds nothing (on a record whose every field loaded).

    One pass over the lines: each line's own sum and price, and the running line totals
    that the header amounts must equal (``None`` once a line lacks the amount).
    """
    lines = data.get("lines")
    if not isinstance(lines, list):
        return True
    places = money.minor_units(data.get("currency"))
    priced = "total_amount" if data.get("tax_inclusive") else "net_amount"
    nets: Decimal | None = _ZERO
    taxes: Decimal | None = _ZERO
    totals: Decimal | None = _ZERO
    for line in lines:
        net, tax, total = line.get("net_amount"), line.get("tax_amount"), line.get("total_amount")
        if not (_adds_up(net, tax, total) and _priced_holds(line, priced, places)):
            return False
        nets = None if net is None or nets is None else exact_add(nets, net)
        taxes = None if tax is None or taxes is None else exact_add(taxes, tax)
        totals = None if total is None or totals is None else exact_add(totals, total)
    net, tax, total = data.get("net_amount"), data.get("tax_amount"), data.get("total_amount")
    return (_same(net, nets) and _same(tax, taxes) and _same(total, totals)
            and _adds_up(net, tax, total))


def _same(header: Decimal | None, lines_total: Decimal | None) -> bool:
    return header is None or lines_total is None or header == lines_total


def _adds_up(net: Decimal | None, tax: Decimal | None, total: Decimal | None) -> bool:
    return net is None or tax is None or total is None or exact_add(net, tax) == total


def _priced_holds(line: Mapping[str, Any], name: str, places: int) -> bool:
    given, unit_price = line.get(name), line.get("unit_price")
    if given is None or unit_price is None:
        return True
    return line_amount_holds(given, line.get("quantity", _ONE), unit_price,
                             line.get("discount_amount"), places)


def _total_error(record: Mapping[str, Any], raw: Any, currency: str | None) -> str | None:
    """Check net + tax == total on a line or a header, where all three were given and read."""
    if unreadable(record, raw, AMOUNTS) or any(record.get(n) is None for n in AMOUNTS):
        return None
    return mismatch_error(
        "net_amount + tax_amount",
        [record["net_amount"], record["tax_amount"]],
        "total_amount",
        [record["total_amount"]],
        currency,
    )


def _priced_error(
    line: Mapping[str, Any], raw: Any, currency: str | None, tax_inclusive: bool
) -> tuple[str, str] | None:
    """Check a given line amount against quantity x unit price - discount.

    Prices net of tax imply the line's ``net_amount``; tax-inclusive prices its
    ``total_amount``. Returns the field and the message when they differ.
    """
    name = "total_amount" if tax_inclusive else "net_amount"
    needed = ("quantity", "unit_price", "discount_amount", name)
    if unreadable(line, raw, needed) or line.get(name) is None or line.get("unit_price") is None:
        return None
    message = line_amount_error(name, line[name], line.get("quantity", Decimal(1)),
                                line["unit_price"], line.get("discount_amount"), currency)
    return None if message is None else (name, message)


def _header_vs_lines(
    name: str,
    data: Mapping[str, Any],
    original: Any,
    lines: Sequence[tuple[Any, Any]],
    currency: str | None,
) -> str | None:
    """Check that a header amount equals the sum of its lines, where all were given."""
    header = data.get(name)
    if header is None or failed(data, original, name):
        return None
    values = []
    for line, raw in lines:
        if unreadable(line, raw, (name,)) or line.get(name) is None:
            return None
        values.append(line[name])
    return mismatch_error(name, [header], f"sum of line {name}", values, currency)

