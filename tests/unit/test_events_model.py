"""Change events as pure values: stable ids, type patterns, and the JSON a webhook carries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

import unified_accounting as ua
from unified_accounting.events import ChangeEvent, RecordChange, Subscription, event_id
from unified_accounting.events.model import event_type_matches

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SCOPE = ("sage", "acme", "biz-1", "contacts")


def _change(action: str = "updated", before: str | None = "d1", after: str | None = "d2",
            at: datetime | None = T0) -> RecordChange:
    data = {"id": "c-1", "name": "Acme", "is_customer": True}
    return RecordChange(record_id="c-1", action=action, data=data,  # type: ignore[arg-type]
                        changed_at=at, before=before, after=after)


def test_the_same_change_always_has_the_same_id_and_every_other_change_another() -> None:
    same = event_id(*SCOPE, _change())
    assert same == event_id(*SCOPE, _change())
    assert same.startswith("evt_")
    assert "." not in same
    others = {
        event_id(*SCOPE, _change(before="d0")),
        event_id(*SCOPE, _change(after="d3")),
        event_id("sage", "globex", "biz-1", "contacts", _change()),
        event_id("sage", "acme", "biz-1", "invoices", _change()),
        event_id(*SCOPE, _change("deleted", after=None)),
        event_id(*SCOPE, _change("deleted", after=None, at=T0 + timedelta(seconds=1))),
    }
    assert same not in others
    assert len(others) == 6


@pytest.mark.parametrize(("patterns", "event_type", "wanted"), [
    ((), "contacts.created", True),
    (("*",), "invoices.deleted", True),
    (("contacts.*",), "contacts.deleted", True),
    (("contacts.*",), "invoices.created", False),
    (("*.deleted",), "payments.deleted", True),
    (("*.deleted",), "payments.updated", False),
    (("invoices.created", "journals.*"), "journals.updated", True),
    (("invoices.created",), "invoices.updated", False),
])
def test_event_type_patterns(patterns: tuple[str, ...], event_type: str, wanted: bool) -> None:
    assert event_type_matches(patterns, event_type) is wanted


def _event(connection: str = "acme") -> ChangeEvent:
    return ChangeEvent.from_change(provider="sage", connection=connection, business_id="biz-1",
                                   resource="contacts", change=_change("created", None, "d1"),
                                   detected_at=T0 + timedelta(minutes=1))


def test_a_subscription_filters_by_type_and_connection() -> None:
    assert Subscription("ep", ("contacts.created",)).wants(_event())
    assert not Subscription("ep", ("contacts.updated",)).wants(_event())
    assert Subscription("ep", (), "acme").wants(_event())
    assert not Subscription("ep", (), "acme").wants(_event("globex"))


def test_the_body_is_compact_json_in_the_standard_webhooks_layout() -> None:
    event = _event()
    body = json.loads(event.body)
    assert " " not in event.body.replace("Acme", "")
    assert body == {
        "id": event.id, "type": "contacts.created", "timestamp": "2025-06-01T12:00:00.000000Z",
        "detected_at": "2025-06-01T12:01:00.000000Z", "provider": "sage", "connection": "acme",
        "business_id": "biz-1", "resource": "contacts", "record_id": "c-1",
        "data": {"id": "c-1", "name": "Acme", "is_customer": True},
    }


def test_a_change_without_a_time_occurred_when_it_was_detected() -> None:
    event = ChangeEvent.from_change(provider="sage", connection="acme", business_id="b",
                                    resource="contacts", change=_change(at=None),
                                    detected_at=T0)
    assert event.occurred_at == T0


def test_the_model_is_read_with_ua_load() -> None:
    contact = _event().model()
    assert isinstance(contact, ua.Contact)
    assert contact.name == "Acme"
    unknown = ChangeEvent.from_change(provider="p", connection="c", business_id="b",
                                      resource="widgets", change=_change(), detected_at=T0)
    with pytest.raises(ValueError, match="widgets"):
        unknown.model()
