"""Routing, access, paging and retries over HTTP against the Sage sandbox."""

from __future__ import annotations

import itertools

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import customer, open_client


def test_a_user_with_several_businesses_must_choose(sandbox: SageSandbox, token: str) -> None:
    with pytest.raises(ua.ConfigurationError) as caught:
        open_client(sandbox, token, business_id=None)
    for country in ("GB", "IE", "US", "CA", "FR", "ES", "DE"):
        assert sandbox.business_id(country) in str(caught.value)
        assert f", {country})" in str(caught.value)


def test_requests_are_routed_to_the_chosen_business(sandbox: SageSandbox, token: str) -> None:
    french = open_client(sandbox, token, "FR")
    created = customer(french, name="Client Paris")
    assert created.currency == "EUR"
    gb = open_client(sandbox, token, "GB")
    with pytest.raises(ua.NotFoundError):
        gb.contacts.get(created.id)  # type: ignore[arg-type]
    assert french.extras.business_changes == []


def test_losing_access_marks_the_connection(sandbox: SageSandbox, token: str) -> None:
    marked: list[object] = []
    client = open_client(sandbox, token, "ES", forbidden_threshold=2,
                         on_reauthorization_required=marked.append)
    sandbox.set_business_access("ES", False)
    try:
        with pytest.raises(ua.PermissionDeniedError):
            list(client.contacts.list())
        with pytest.raises(ua.ReauthorizationRequired):
            list(client.journals.list())
        assert client.extras.needs_reauthorization
        assert len(marked) == 1
    finally:
        sandbox.set_business_access("ES", True)
    list(client.contacts.list())
    assert not client.extras.needs_reauthorization


def test_a_write_lost_after_commit_is_retried_without_a_duplicate(
        client: ua.Client, sandbox: SageSandbox) -> None:
    sandbox.queue_fault("drop_after_commit", method="POST", path_contains="/contacts")
    created = customer(client, name="Exactly Once Ltd")
    assert [c.id for c in client.contacts.list(search="Exactly Once")] == [created.id]
    sandbox.queue_fault("error_500_after_commit", method="POST", path_contains="/contacts")
    again = customer(client, name="Exactly Twice Ltd")
    assert [c.id for c in client.contacts.list(search="Exactly Twice")] == [again.id]


def test_reads_are_retried_through_transient_failures(client: ua.Client,
                                                      sandbox: SageSandbox) -> None:
    sandbox.queue_fault("error_503", count=2, method="GET", path_contains="/ledger_accounts")
    assert list(client.ledger_accounts.list(search="4000"))


def test_pages_are_fetched_as_they_are_consumed(sandbox: SageSandbox, token: str) -> None:
    client = open_client(sandbox, token, "IE")
    sandbox.seed_contacts(450, country="IE")
    before = sandbox.counters.requests.get("GET /contacts", 0)
    items = client.contacts.list()
    first = list(itertools.islice(items, 200))
    assert len(first) == 200
    assert sandbox.counters.requests.get("GET /contacts", 0) == before + 1
    next(items)
    assert sandbox.counters.requests.get("GET /contacts", 0) == before + 2
    rest = list(items)
    assert 1 + 200 + len(rest) >= 450
    assert sandbox.counters.requests.get("GET /contacts", 0) == before + 3
    assert len({c.id for c in [*first, *rest]}) == len(first) + len(rest)
