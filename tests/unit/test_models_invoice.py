from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from model_strategies import errors_of

import unified_accounting as ua


def line(net: Any = "100.00", tax: Any = "20.00", total: Any = "120.00", **extra: Any) -> dict:
    return {"description": "Consulting", "net_amount": net, "tax_amount": tax,
            "total_amount": total, **extra}


def invoice(*lines: dict[str, Any], **header: Any) -> dict[str, Any]:
    return {"type": "sales", "contact_id": "c-1", "issue_date": "2026-01-31",
            "currency": "GBP", "lines": list(lines) or [line()], **header}


def test_valid_invoice_loads_into_the_dataclass() -> None:
    loaded = ua.load(
        "invoice",
        invoice(line(quantity="2", unit_price="50.002", tax_code="standard",
                     account_concept="consulting_revenue"),
                net_amount="100", tax_amount="20", total_amount="120", due_date="2026-02-28"),
    )
    assert isinstance(loaded, ua.Invoice)
    assert loaded.issue_date == date(2026, 1, 31)
    assert loaded.due_date == date(2026, 2, 28)
    assert str(loaded.total_amount) == "120.00"
    assert loaded.lines[0].quantity == Decimal(2)
    assert loaded.lines[0].unit_price == Decimal("50.002")  # unit prices may be finer
    assert loaded.lines[0].tax_code == "standard"


def test_an_invoice_needs_a_line() -> None:
    data = invoice()
    data["lines"] = []
    assert errors_of("invoice", data) == {"lines": ["an invoice needs at least one line"]}


def test_line_net_plus_tax_must_equal_total() -> None:
    errors = errors_of("invoice", invoice(line(total="120.01")))
    assert errors == {
        "lines[0].total_amount": [
            "net_amount + tax_amount 120.00 != total_amount 120.01 (difference 0.01)"
        ]
    }


def test_header_amounts_must_equal_the_sum_of_lines() -> None:
    data = invoice(line(), line("50", "10", "60"),
                   net_amount="150.00", tax_amount="30.00", total_amount="181.00")
    errors = errors_of("invoice", data)
    assert errors == {
        "total_amount": [
            "total_amount 181.00 != sum of line total_amount 180.00 (difference 1.00)",
            "net_amount + tax_amount 180.00 != total_amount 181.00 (difference 1.00)",
        ]
    }


def test_header_net_is_compared_with_line_nets() -> None:
    errors = errors_of("invoice", invoice(line(), net_amount="99.99"))
    assert errors == {
        "net_amount": ["net_amount 99.99 != sum of line net_amount 100.00 (difference 0.01)"]
    }


def test_sums_are_checked_only_where_amounts_are_given() -> None:
    partial = {"description": "Licence", "net_amount": "10.00"}
    loaded = ua.load("invoice", invoice(line(), partial, tax_amount="20.00", total_amount="120"))
    assert isinstance(loaded, ua.Invoice)  # line 2 has no tax/total, so those sums are skipped


def test_sums_hold_to_the_currency_minor_unit() -> None:
    data = invoice(line("1000", "100", "1100"), currency="JPY", total_amount="1100.00")
    assert str(ua.load("invoice", data).total_amount) == "1100"
    errors = errors_of("invoice", invoice(line("1000", "100.5", "1100.5"), currency="JPY"))
    assert errors == {
        "lines[0].tax_amount": ["has more than 0 decimal places for JPY"],
        "lines[0].total_amount": ["has more than 0 decimal places for JPY"],
    }


def test_three_decimal_currencies_keep_three_places() -> None:
    loaded = ua.load("invoice", invoice(line("1.234", "0.001", "1.235"), currency="KWD"))
    assert str(loaded.lines[0].total_amount) == "1.235"
    assert ua.dump(loaded)["lines"][0]["net_amount"] == "1.234"


def test_due_date_may_not_precede_issue_date() -> None:
    errors = errors_of("invoice", invoice(due_date="2026-01-30"))
    assert errors == {"due_date": ["must not be before issue_date 2026-01-31"]}
    assert ua.load("invoice", invoice(due_date="2026-01-31")).due_date == date(2026, 1, 31)


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        ({"type": "credit_note"}, "type", "must be one of: sales, purchase"),
        ({"status": "sent"}, "status", "must be one of: draft, open, partially_paid, paid, void"),
        ({"issue_date": "31/01/2026"}, "issue_date", "must be a date written YYYY-MM-DD"),
        ({"issue_date": "2026-02-30"}, "issue_date", "is not a real calendar date"),
        ({"contact_id": ""}, "contact_id", "must be 1 to 255 characters long"),
        ({"exchange_rate": "0"}, "exchange_rate", "must be above zero"),
        ({"exchange_rate": "1.12345678901"}, "exchange_rate",
         "must have at most 10 decimal places"),
        ({"amount_paid": "-1"}, "amount_paid", "must not be negative"),
        ({"tax_inclusive": "yes"}, "tax_inclusive", "must be true or false"),
        ({"lines": [line(quantity="1.1234567")]}, "lines[0].quantity",
         "must have at most 6 decimal places"),
        ({"lines": [line(tax_code="vat20")]}, "lines[0].tax_code", "must be one of: standard, "
         "reduced, second_reduced, super_reduced, zero, exempt, no_tax, other"),
        ({"lines": [line(discount_amount="-5")]}, "lines[0].discount_amount",
         "must not be negative"),
        ({"lines": "all of them"}, "lines", "must be a list"),
        ({"number": "N" * 51}, "number", "must be at most 50 characters long"),
    ],
)
def test_field_rules(changes: dict[str, Any], path: str, message: str) -> None:
    errors = errors_of("invoice", {**invoice(), **changes})
    assert errors[path] == [message]


def test_required_header_fields() -> None:
    errors = errors_of("invoice", {})
    assert errors == {name: ["is required"]
                      for name in ("type", "contact_id", "issue_date", "lines")}


def test_a_line_net_amount_must_equal_quantity_times_price() -> None:
    data = invoice(line(net="50.00", tax="10.00", total="60.00", quantity="2",
                        unit_price="100.00"))
    assert errors_of("invoice", data) == {"lines[0].net_amount": [
        "net_amount 50.00 != quantity x unit_price - discount 200.00 (difference 150.00)"]}


def test_the_line_discount_is_taken_off_before_comparing() -> None:
    good = invoice(line(net="190.00", tax="38.00", total="228.00", quantity="2",
                        unit_price="100", discount_amount="10"))
    assert ua.load("invoice", good).lines[0].net_amount == Decimal("190.00")
    bad = invoice(line(net="200.00", tax="40.00", total="240.00", quantity="2",
                       unit_price="100", discount_amount="10"))
    assert errors_of("invoice", bad) == {"lines[0].net_amount": [
        "net_amount 200.00 != quantity x unit_price - discount 190.00 (difference 10.00)"]}


def test_line_amounts_round_half_up_once_to_the_currency() -> None:
    # 3 x 0.335 = 1.005: half up gives 1.01 (banker's rounding would give 1.00).
    data = invoice(line(net="1.01", tax="0.00", total="1.01", quantity="3",
                        unit_price="0.335"))
    assert ua.load("invoice", data).lines[0].net_amount == Decimal("1.01")
    wrong = invoice(line(net="1.00", tax="0.00", total="1.00", quantity="3",
                         unit_price="0.335"))
    assert "lines[0].net_amount" in errors_of("invoice", wrong)
    assert ua.load("invoice", invoice(line(net="1005", tax="0", total="1005", quantity="3",
                                           unit_price="335"), currency="JPY"))


def test_tax_inclusive_prices_imply_the_line_total() -> None:
    good = invoice(line(net="100.00", tax="20.00", total="120.00", quantity="1",
                        unit_price="120"), tax_inclusive=True)
    assert ua.load("invoice", good).tax_inclusive is True
    bad = invoice(line(net="100.00", tax="20.00", total="120.00", quantity="1",
                       unit_price="100"), tax_inclusive=True)
    assert errors_of("invoice", bad) == {"lines[0].total_amount": [
        "total_amount 120.00 != quantity x unit_price - discount 100.00 (difference 20.00)"]}


def test_a_header_total_that_ignores_the_lines_is_refused() -> None:
    data = invoice(line(quantity="1", unit_price="100"), total_amount="5.00")
    errors = errors_of("invoice", data)
    assert errors["total_amount"] == [
        "total_amount 5.00 != sum of line total_amount 120.00 (difference 115.00)"]



def test_the_amount_rules_are_one_function_other_documents_can_call() -> None:
    """A credit note's schema calls ``check_document_amounts`` from its own hook."""
    from decimal import Decimal

    from marshmallow import Schema, fields, validates_schema
    from marshmallow import ValidationError as SchemaError

    from unified_accounting.schemas.invoices import InvoiceLineSchema, check_document_amounts

    class CreditNoteLike(Schema):
        currency = fields.String()
        lines = fields.List(fields.Nested(InvoiceLineSchema))
        net_amount = fields.Decimal()
        tax_amount = fields.Decimal()
        total_amount = fields.Decimal()

        @validates_schema(pass_original=True)
        def _amounts(self, data: dict[str, object], original: object, **_: object) -> None:
            check_document_amounts(data, original)

    note = {"currency": "GBP", "net_amount": "40.00", "tax_amount": "8.00",
            "total_amount": "48.00",
            "lines": [{"quantity": "2", "unit_price": "25.00", "net_amount": "40.00",
                       "tax_amount": "8.00", "total_amount": "48.00"}]}
    with pytest.raises(SchemaError) as caught:
        CreditNoteLike().load(note)
    assert caught.value.messages == {"lines": {0: {"net_amount": [
        "net_amount 40.00 != quantity x unit_price - discount 50.00 (difference 10.00)"]}}}
    fixed = {**note, "lines": [{**note["lines"][0], "unit_price": "20.00"}]}  # type: ignore[dict-item]
    assert CreditNoteLike().load(fixed)["total_amount"] == Decimal("48.00")


@pytest.mark.parametrize(("net", "rate", "currency", "tax"), [
    ("100.00", "20", "GBP", "20.00"),
    ("0.125", "20", "BHD", "0.025"),
    ("0.13", "5.5", "EUR", "0.01"),  # 0.00715 rounds half up once, to the cent
    ("0.10", "5", "GBP", "0.01"),  # 0.005: half up
    ("1000", "8", "JPY", "80"),
    ("-50.00", "20", "GBP", "-10.00"),
])
def test_line_tax_is_net_times_rate_rounded_half_up_once(
        net: str, rate: str, currency: str, tax: str) -> None:
    from decimal import Decimal

    from unified_accounting.schemas.rules import line_tax, tax_amount_error

    assert line_tax(Decimal(net), Decimal(rate), currency) == Decimal(tax)
    assert tax_amount_error(Decimal(tax), Decimal(net), Decimal(rate), currency) is None
    assert tax_amount_error(Decimal(tax) + 1, Decimal(net), Decimal(rate), currency) is not None
