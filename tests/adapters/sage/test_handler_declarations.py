"""Sage handlers declare what they do; the capabilities table is read off the classes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from unified_accounting_sage.handlers import CAPABILITIES, HANDLERS
from unified_accounting_sage.handlers.base import SageHandler, capabilities_of
from unified_accounting_sage.handlers.journals import JournalHandler
from unified_accounting_sage.provider import SageProvider

import unified_accounting as ua
from unified_accounting.models import Contact, JournalEntry
from unified_accounting.provider import RESOURCES, STANDARD_OPERATIONS, ResourceHandler

_REFUSING = {name: getattr(ResourceHandler, name) for name in STANDARD_OPERATIONS}


def test_every_resource_has_a_handler_and_the_provider_serves_the_table() -> None:
    assert set(HANDLERS) == set(RESOURCES)
    assert SageProvider().capabilities() == CAPABILITIES
    assert capabilities_of(HANDLERS.values()) == CAPABILITIES


@pytest.mark.parametrize("resource", sorted(HANDLERS))
def test_the_table_equals_what_the_class_declares(resource: str) -> None:
    handler = HANDLERS[resource]
    declared = CAPABILITIES[resource]
    assert handler.resource == resource
    assert declared.operations == handler.operations
    assert declared.filters == set(handler.filters) | handler.list_options | handler.own_filters
    for operation in handler.operations:
        assert getattr(handler, operation) is not _REFUSING.get(operation), operation
    for operation in STANDARD_OPERATIONS - {"pages"} - handler.operations:
        assert getattr(handler, operation) is _REFUSING[operation], operation


def test_what_sage_cannot_do_is_left_out() -> None:
    assert "update" not in CAPABILITIES["journals"].operations
    assert "delete" not in CAPABILITIES["ledger_accounts"].operations
    assert {"create", "delete", "list_deleted"}.isdisjoint(CAPABILITIES["businesses"].operations)
    assert {"upsert"} <= CAPABILITIES["contacts"].operations
    assert {"release"} <= CAPABILITIES["invoices"].operations
    assert "type" in CAPABILITIES["invoices"].filters
    assert "fields" not in CAPABILITIES["businesses"].filters


def test_an_undeclared_operation_is_refused_without_a_request(
        client: ua.Client, rsps: responses.RequestsMock) -> None:
    entry = JournalEntry(date=datetime(2026, 1, 1, tzinfo=UTC).date(), lines=[])
    with pytest.raises(ua.UnsupportedOperationError):
        client.journals.update("j1", entry)
    with pytest.raises(ua.UnsupportedOperationError):
        client.ledger_accounts.delete("l1")
    with pytest.raises(ua.UnsupportedOperationError):
        client.businesses.create(ua.Business(name="x"))
    with pytest.raises(ua.UnsupportedOperationError):
        list(client.tax_rates.list_deleted(since=datetime(2026, 1, 1, tzinfo=UTC)))
    assert len(rsps.calls) == 0


class _ReadOnlyJournals(JournalHandler):
    """A narrower declaration: the shared list and delete must stop working too."""

    operations = frozenset({"get"})


def test_a_subclass_that_declares_less_refuses_the_shared_methods(
        client: ua.Client, rsps: responses.RequestsMock) -> None:
    # The connection's context, as the provider gives it to every handler it makes.
    handler = _ReadOnlyJournals(client._context)
    with pytest.raises(ua.UnsupportedOperationError):
        list(handler.list({}))
    with pytest.raises(ua.UnsupportedOperationError):
        list(handler.pages({}, page_size=10))
    with pytest.raises(ua.UnsupportedOperationError):
        handler.delete("j1")
    with pytest.raises(ua.UnsupportedOperationError):
        handler.create(JournalEntry(date=datetime(2026, 1, 1).date(), lines=[]))
    assert len(rsps.calls) == 0
    assert _ReadOnlyJournals.capabilities().operations == {"get"}


def test_a_declared_operation_needs_a_method() -> None:
    with pytest.raises(TypeError, match="declares 'release' but has no such method"):
        type("Broken", (SageHandler,), {"resource": "contacts", "operations": frozenset(
            {"get", "release"})})


def test_an_implemented_operation_must_be_declared() -> None:
    def update(self: Any, id: str, changes: Contact, **options: Any) -> Contact:
        return changes

    with pytest.raises(TypeError, match="implements 'update' without declaring it"):
        type("Sneaky", (SageHandler,), {"resource": "contacts", "update": update,
                                        "operations": frozenset({"get"})})
