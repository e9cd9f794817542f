"""Queued writes come back value for value: models, changes, options and references."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

import unified_accounting as ua
from unified_accounting.outbox.items import OutboxRef, outbox_id_of
from unified_accounting.outbox.payload import decode, encode, references_in, resolve

REF = "ob_" + "0123456789" * 2


def _through_json(value: object) -> object:
    return decode(json.loads(json.dumps(encode(value, "data"))))


def test_a_unified_record_round_trips_and_is_loaded_with_its_rules() -> None:
    invoice = ua.Invoice(type="sales", contact_id="C1", issue_date=date(2026, 3, 1),
                         lines=[ua.InvoiceLine(description="Support", quantity=Decimal("2"),
                                               unit_price=Decimal("10.005"),
                                               account_id="4000")])
    encoded = encode(invoice, "data")
    assert encoded["$record"] == "invoice"
    assert encoded["data"] == ua.dump(invoice)
    assert _through_json(invoice) == ua.load("invoice", ua.dump(invoice))


def test_tags_are_found_whatever_order_a_store_gives_the_keys() -> None:
    contact = ua.Contact(name="Acme", is_customer=True, credit_limit=Decimal("12.50"))
    encoded = encode(contact, "data")
    reordered = {"data": encoded["data"], "$record": encoded["$record"]}
    assert decode(reordered) == contact


def test_changes_keep_decimals_dates_times_and_nested_models() -> None:
    changes = {
        "due_date": date(2026, 4, 30),
        "updated_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "lines": [ua.InvoiceLine(description="x", unit_price=Decimal("1.10"),
                                 net_amount=Decimal("1.10"))],
        "total_amount": Decimal("1.10"),
        "notes": None, "tax_inclusive": False, "count": 3,
    }
    back = _through_json(changes)
    assert back == changes
    assert isinstance(back["lines"][0], ua.InvoiceLine)  # type: ignore[index]
    assert str(back["total_amount"]) == "1.10"  # type: ignore[index]


def test_mappings_with_dollar_keys_are_escaped() -> None:
    options = {"provider_fields": {"$weird": {"$decimal": "not a tag"}, "plain": [1, "a"]}}
    assert _through_json(options) == options


@pytest.mark.parametrize(("value", "path", "reason"), [
    ({"amount": 1.5}, "data.amount", "float"),
    ({"lines": [{"x": object()}]}, "data.lines[0].x", "object"),
    ({1: "a"}, "data", "keys must be text"),
    ({"when": {1, 2}}, "data.when", "set"),
])
def test_values_that_cannot_be_stored_exactly_are_refused_by_path(
    value: object, path: str, reason: str
) -> None:
    with pytest.raises(ua.ValidationError) as caught:
        encode(value, "data")
    assert list(caught.value.errors) == [path]
    assert reason in caught.value.errors[path][0]


def test_references_are_found_anywhere_and_resolved() -> None:
    other = "ob_" + "f" * 20
    payload = encode({"contact_id": OutboxRef(REF),
                      "lines": [{"account_id": f"outbox:{other}"}, {"account_id": "4000"}],
                      "note": "outbox:not-an-id"}, "data")
    assert references_in([payload, f"outbox:{REF}"]) == [REF, other]
    resolved = resolve(payload, {REF: "C-1", other: "A-2"})
    assert resolved == {"contact_id": "C-1", "lines": [{"account_id": "A-2"},
                                                        {"account_id": "4000"}],
                        "note": "outbox:not-an-id"}
    with pytest.raises(KeyError):
        resolve(payload, {REF: "C-1"})


def test_an_outbox_ref_is_the_reference_text() -> None:
    ref = ua.OutboxRef(REF)
    assert ref == f"outbox:{REF}"
    assert isinstance(ref, str)
    assert ref.outbox_id == REF
    assert ua.OutboxRef(ref) == ref  # the text form is accepted too
    assert outbox_id_of(ref) == REF
    assert outbox_id_of("outbox:ob_short") is None
    assert outbox_id_of(42) is None
    with pytest.raises(ValueError, match="not an outbox id"):
        ua.OutboxRef("C123")
