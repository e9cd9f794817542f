"""``resource.pages``, the page fallback of the provider contract, and ``for_business``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from responses.registries import OrderedRegistry
from ua_example_provider import ExampleProvider

import unified_accounting as ua
from unified_accounting.provider import RecordPage, pages_of

BASE = "https://api.test/v1"


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(registry=OrderedRegistry) as rsps:
        yield rsps


def _connect(**kwargs: Any) -> ua.Client:
    kwargs.setdefault("business_id", "biz-1")
    return ua.connect(ExampleProvider(), settings={"base_url": BASE}, access_token="tok",
                      sleep=lambda s: None, **kwargs)


def _contacts(*names: str) -> list[dict[str, Any]]:
    return [{"id": name, "name": name, "roles": ["customer"]} for name in names]


@pytest.mark.parametrize(
    ("count", "size", "start", "expected"),
    [
        (0, 2, 1, [[]]),
        (0, 2, 2, []),
        (3, 2, 1, [[0, 1], [2]]),
        (4, 2, 1, [[0, 1], [2, 3]]),
        (4, 2, 2, [[2, 3]]),
        (4, 2, 3, []),
        (5, 2, 3, [[4]]),
    ],
)
def test_pages_of_groups_skips_and_never_ends_with_an_empty_page(
    count: int, size: int, start: int, expected: list[list[int]]
) -> None:
    pages = list(pages_of(range(count), size, start))
    assert [list(page.items) for page in pages] == expected
    assert all(page.total is None for page in pages)


def test_resource_pages_fall_back_to_grouping_the_list(mocked: responses.RequestsMock) -> None:
    # The example API serves two records a response; pages of three span its responses.
    mocked.get(f"{BASE}/contacts", json={"data": _contacts("a", "b"), "next": "/contacts?p=2"})
    mocked.get(f"{BASE}/contacts", json={"data": _contacts("c", "d"), "next": "/contacts?p=3"})
    mocked.get(f"{BASE}/contacts", json={"data": _contacts("e"), "next": None})
    pages = list(_connect().contacts.pages(page_size=3))
    assert [[c.id for c in page.items] for page in pages] == [["a", "b", "c"], ["d", "e"]]
    assert all(isinstance(page, RecordPage) for page in pages)


def test_resource_pages_pass_updated_since_as_a_filter(mocked: responses.RequestsMock) -> None:
    since = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    mocked.get(f"{BASE}/contacts", json={"data": [], "next": None},
               match=[responses.matchers.query_param_matcher(
                   {"updated_since": since.isoformat(), "page_size": "2"})])
    (page,) = list(_connect().contacts.pages(page_size=10, updated_since=since))
    assert list(page.items) == []


def test_resource_pages_are_checked_before_any_request() -> None:
    client = _connect()
    with pytest.raises(ua.UnsupportedOperationError, match="filtering tax_rates by updated"):
        client.tax_rates.pages(page_size=10, updated_since=datetime.now(UTC))
    with pytest.raises(ua.UnsupportedOperationError, match=r"journals\.list"):
        client.journals.pages(page_size=10)
    with pytest.raises(ua.ValidationError) as caught:
        client.contacts.pages(page_size=0, start_page=0)
    assert set(caught.value.errors) == {"page_size", "start_page"}


def test_for_business_routes_to_another_business_on_the_same_session(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{BASE}/contacts/a", json=_contacts("a")[0],
               match=[responses.matchers.header_matcher({"X-Tenant": "biz-2"})])
    mocked.get(f"{BASE}/contacts/a", json=_contacts("a")[0],
               match=[responses.matchers.header_matcher({"X-Tenant": "biz-1"})])
    first = _connect()
    second = first.for_business("biz-2")
    assert (second.business_id, second.connection, second.provider) == ("biz-2", "default",
                                                                          "example")
    assert second.contacts.get("a").business_id == "biz-2"
    assert first.contacts.get("a").business_id == "biz-1"
    assert second.context.transport.session is first.context.transport.session
    with pytest.raises(ua.ValidationError):
        first.for_business("")


def test_connect_can_leave_the_business_unchosen(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/businesses", json={"data": [{"id": "biz-9", "name": "Nine"}],
                                           "next": None})
    client = _connect(business_id=None, select_business=False)
    assert client.business_id is None
    assert [b.id for b in client.businesses.list()] == ["biz-9"]
    # Only the explicit list was sent: the provider was not asked to choose.
    assert len(mocked.calls) == 1
