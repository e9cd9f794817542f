from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from model_strategies import errors_of

import unified_accounting as ua


def payment(*allocations: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"type": "customer_receipt", "contact_id": "c-1", "date": "2026-02-01",
            "amount": "100.00", "currency": "GBP", "allocations": list(allocations), **changes}


def allocation(amount: Any, invoice_id: str = "inv-1", **extra: Any) -> dict[str, Any]:
    return {"invoice_id": invoice_id, "amount": amount, **extra}


def test_payment_with_allocations_loads() -> None:
    loaded = ua.load("payment", payment(allocation("60"), allocation("40", "inv-2", discount="2")))
    assert isinstance(loaded, ua.Payment)
    assert loaded.date == date(2026, 2, 1)
    assert [str(a.amount) for a in loaded.allocations] == ["60.00", "40.00"]
    assert str(loaded.allocations[1].discount) == "2.00"


def test_allocations_may_not_exceed_the_amount() -> None:
    errors = errors_of("payment", payment(allocation("60.00"), allocation("40.01")))
    assert errors == {
        "allocations": ["allocations 100.01 exceed amount 100.00 (difference 0.01)"]
    }


def test_allocations_up_to_the_amount_are_fine_and_may_leave_money_on_account() -> None:
    assert ua.load("payment", payment(allocation("0.10"), allocation("0.20"), amount="0.30"))
    assert ua.load("payment", payment(allocation("10.00")))


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", 0, -1])
def test_payment_amount_must_be_above_zero(amount: Any) -> None:
    assert errors_of("payment", payment(amount=amount)) == {"amount": ["must be above zero"]}


@pytest.mark.parametrize(
    ("item", "path", "message"),
    [
        (allocation("0"), "allocations[0].amount", "must be above zero"),
        (allocation("-1"), "allocations[0].amount", "must be above zero"),
        (allocation("1", discount="-1"), "allocations[0].discount", "must not be negative"),
        ({"amount": "1"}, "allocations[0].invoice_id", "is required"),
        (allocation("1.001"), "allocations[0].amount", "has more than 2 decimal places for GBP"),
    ],
)
def test_allocation_rules(item: dict[str, Any], path: str, message: str) -> None:
    assert errors_of("payment", payment(item))[path] == [message]


def test_amount_fits_the_currency() -> None:
    assert errors_of("payment", payment(amount="100.5", currency="JPY")) == {
        "amount": ["has more than 0 decimal places for JPY"]
    }


def test_payment_types_are_a_closed_list() -> None:
    errors = errors_of("payment", payment(type="refund"))
    assert errors["type"] == [
        "must be one of: customer_receipt, supplier_payment, customer_refund, supplier_refund"
    ]


def test_an_allocation_in_another_currency_is_refused() -> None:
    data = payment(allocation("5.00", currency="EUR"))
    assert errors_of("payment", data) == {"allocations[0].currency": ["is not a known field"]}


def test_allocations_above_the_payment_amount_are_refused() -> None:
    data = payment(allocation("60.00"), allocation("60.00", invoice_id="inv-2"))
    errors = errors_of("payment", data)
    assert list(errors) == ["allocations"]
    assert errors["allocations"][0].startswith("allocations 120.00 exceed amount")
