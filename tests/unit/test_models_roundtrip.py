"""``ua.load(kind, ua.dump(x)) == x`` for every model, and dumps are plain JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_strategies import STRATEGIES

import unified_accounting as ua


@pytest.mark.parametrize("kind", sorted(STRATEGIES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_load_of_dump_gives_the_same_model(kind: str, data: st.DataObject) -> None:
    model = data.draw(STRATEGIES[kind]())
    ua.validate_model(model)
    dumped = ua.dump(model)
    assert json.loads(json.dumps(dumped)) == dumped  # nothing but JSON types
    again = ua.load(kind, dumped)
    assert again == model
    assert ua.dump(again) == dumped


def test_dump_writes_money_as_strings_and_dates_as_iso_text() -> None:
    invoice = ua.Invoice(
        type="sales", contact_id="c-1", issue_date=date(2026, 1, 31), currency="GBP",
        lines=[ua.InvoiceLine(net_amount=Decimal("1000"), tax_amount=Decimal("200"),
                              total_amount=Decimal("1200"))],
        total_amount=Decimal("1200"),
        created_at=datetime(2026, 1, 31, 9, 30, tzinfo=UTC),
    )
    dumped = ua.dump(invoice)
    assert dumped["total_amount"] == "1200.00"
    assert dumped["lines"][0]["tax_amount"] == "200.00"
    assert dumped["lines"][0]["quantity"] == "1"
    assert dumped["issue_date"] == "2026-01-31"
    assert dumped["created_at"] == "2026-01-31T09:30:00+00:00"
    assert dumped["lines"][0]["unit_price"] is None


def test_dump_follows_each_currency_places() -> None:
    for currency, expected in (("JPY", "1200"), ("BHD", "1200.000"), ("CLF", "1200.0000"),
                               (None, "1200.00")):
        contact = ua.Contact(name="x", is_customer=True, currency=currency,
                             credit_limit=Decimal("1200"))
        assert ua.dump(contact)["credit_limit"] == expected


def test_dump_never_rounds_an_amount_that_does_not_fit() -> None:
    contact = ua.Contact(name="x", is_customer=True, currency="JPY", credit_limit=Decimal("0.5"))
    assert ua.dump(contact)["credit_limit"] == "0.5"
    with pytest.raises(ua.ValidationError):
        ua.load("contact", ua.dump(contact))
