from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from responses.registries import OrderedRegistry
from ua_example_provider import ExampleProvider
from ua_example_provider.provider import CAPABILITIES, HANDLERS, ContactHandler

import unified_accounting as ua
from unified_accounting import validation
from unified_accounting.credentials import StaticAccessToken
from unified_accounting.provider import ProviderContext, ResourceCapabilities, ResourceHandler

BASE = "https://api.test/v1"


class MergingContacts(ContactHandler):
    def merge(self, keep: str, drop: ua.Contact) -> str:
        """A provider extra: merge ``drop`` into ``keep``."""
        return f"{keep}<-{drop.name}"


class ExtraProvider(ExampleProvider):
    def capabilities(self) -> dict[str, ResourceCapabilities]:
        table = dict(CAPABILITIES)
        contacts = table["contacts"]
        table["contacts"] = ResourceCapabilities(contacts.operations | {"merge"},
                                                 contacts.filters)
        return table

    def resource(self, name: str, context: ProviderContext) -> ResourceHandler[Any]:
        return MergingContacts(context) if name == "contacts" else HANDLERS[name](context)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(registry=OrderedRegistry) as rsps:
        yield rsps


def _connect(provider: ExampleProvider | None = None, **kwargs: Any) -> ua.Client:
    kwargs.setdefault("access_token", "tok-unit")
    return ua.connect(provider or ExampleProvider(), settings={"base_url": BASE},
                      business_id="biz-1", sleep=lambda s: None, **kwargs)


def test_connect_without_a_token_needs_the_client_secret_for_the_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("UNIFIED_ACCOUNTING_CLIENT_SECRET", raising=False)
    with pytest.raises(ua.ConfigurationError, match="client secret"):
        ua.connect(ExampleProvider(), settings={"base_url": BASE})


def test_token_arguments_are_exclusive_and_checked() -> None:
    with pytest.raises(ua.ConfigurationError, match="not both"):
        _connect(token_source=StaticAccessToken("x"))
    with pytest.raises(ua.ConfigurationError, match="refresh_after_unauthorized"):
        _connect(access_token=None, token_source=object())  # type: ignore[arg-type]


def test_connect_without_base_url_is_a_configuration_error() -> None:
    with pytest.raises(ua.ConfigurationError, match="base_url"):
        ua.connect(ExampleProvider(), access_token="t")


def test_connect_with_a_business_sends_nothing(mocked: responses.RequestsMock) -> None:
    client = _connect()
    assert client.business_id == "biz-1"
    assert client.connection == "default"
    assert len(mocked.calls) == 0


def test_connect_without_a_business_lets_the_provider_choose(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(BASE + "/businesses", json={"data": [{"id": "b7", "name": "B"}], "next": None})
    client = ua.connect(ExampleProvider(), settings={"base_url": BASE}, access_token="t")
    assert client.business_id == "b7"


def test_capabilities_list_every_unified_resource() -> None:
    table = _connect().capabilities()
    assert set(table) == {"contacts", "contact_persons", "invoices", "payments", "journals",
                          "ledger_accounts", "tax_rates", "businesses", "ledger_entries",
                          "credit_notes", "items", "attachments"}
    assert table["invoices"].operations == frozenset()
    assert table["contacts"].supports("list_deleted")


def test_unsupported_operations_raise_before_any_request(mocked: responses.RequestsMock) -> None:
    client = _connect()
    with pytest.raises(ua.UnsupportedOperationError, match=r"invoices\.list"):
        client.invoices.list()
    with pytest.raises(ua.UnsupportedOperationError):
        client.tax_rates.create(ua.TaxRate(name="x"))
    with pytest.raises(ua.UnsupportedOperationError):
        client.businesses.list_deleted(since=datetime.now(UTC))
    assert len(mocked.calls) == 0


def test_unsupported_filters_raise_when_list_is_called(mocked: responses.RequestsMock) -> None:
    with pytest.raises(ua.UnsupportedOperationError, match="colour") as caught:
        _connect().contacts.list(colour="red")
    assert "updated_since" in caught.value.message
    assert len(mocked.calls) == 0


def test_list_is_lazy(mocked: responses.RequestsMock) -> None:
    mocked.get(BASE + "/contacts", json={"data": [{"id": "c1", "name": "A"}], "next": None})
    items = _connect().contacts.list(updated_since=datetime(2026, 1, 1, tzinfo=UTC))
    assert len(mocked.calls) == 0
    assert [c.name for c in items] == ["A"]
    assert "updated_since=2026-01-01" in mocked.calls[0].request.url


def test_writes_are_validated_before_any_request(
    mocked: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def refuse(model: Any) -> None:
        seen.append(model)
        raise ua.ValidationError({"name": ["refused in test"]})

    monkeypatch.setattr(validation, "validate_model", refuse)
    client = _connect()
    contact = ua.Contact(name="A")
    with pytest.raises(ua.ValidationError):
        client.contacts.create(contact)
    with pytest.raises(ua.ValidationError):
        client.contacts.update("c1", contact)
    assert seen == [contact, contact]
    assert len(mocked.calls) == 0


def test_an_empty_id_is_refused_locally(mocked: responses.RequestsMock) -> None:
    with pytest.raises(ua.ValidationError):
        _connect().contacts.get("")
    assert len(mocked.calls) == 0


def test_provider_extras_are_forwarded_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    validated: list[Any] = []
    monkeypatch.setattr(validation, "validate_model", validated.append)
    client = _connect(ExtraProvider())
    drop = ua.Contact(name="Old Ltd")
    assert client.contacts.merge("c1", drop) == "c1<-Old Ltd"
    assert validated == [drop]
    assert client.contacts.merge.__doc__ == "A provider extra: merge ``drop`` into ``keep``."


def test_an_extra_the_provider_lacks_is_unsupported() -> None:
    client = _connect()
    with pytest.raises(ua.UnsupportedOperationError):
        client.invoices.release("i1")
    assert not hasattr(client.invoices, "release")


def test_with_options_shares_the_connection_but_not_the_policy() -> None:
    client = _connect()
    quick = client.with_options(max_retries=0, deadline=2.5)
    assert quick.context.transport.retry.max_retries == 0
    assert quick.context.transport.retry.deadline == 2.5
    assert client.context.transport.retry.max_retries == 3
    assert quick.context.transport.session is client.context.transport.session
    assert quick.business_id == client.business_id
    assert client.with_options(deadline=float("inf")).context.transport.retry.deadline is None


def test_reprs_never_show_the_token() -> None:
    with _connect(access_token="tok-very-secret") as client:
        shown = [repr(client), repr(client.context), repr(client.context.transport),
                 repr(client.proxy), repr(client.contacts), str(client)]
    assert all("tok-very-secret" not in text for text in shown)
