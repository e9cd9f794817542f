"""The example plugin over real HTTP on loopback: discovery, retries, refresh and redaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from ua_example_provider import ExampleServer

import unified_accounting as ua
from unified_accounting.credentials import Secret

OLD_TOKEN = "fixture-access-token-old-9f8e7d"
NEW_TOKEN = "fixture-access-token-new-1a2b3c"


class RotatingToken:
    """Hands out a refused token first, and the valid one after a 401."""

    def __init__(self) -> None:
        self.token = Secret(OLD_TOKEN)
        self.refreshes = 0

    def access_token(self) -> Secret:
        return self.token

    def refresh_after_unauthorized(self, rejected: Secret) -> Secret:
        self.refreshes += 1
        self.token = Secret(NEW_TOKEN)
        return self.token


@pytest.fixture
def server() -> Iterator[ExampleServer]:
    with ExampleServer(tokens=(NEW_TOKEN,),
                       businesses=(("biz-1", "First"), ("biz-2", "Second"))) as srv:
        yield srv


def _connect(server: ExampleServer, **kwargs: object) -> ua.Client:
    return ua.connect("example", settings=server.settings, access_token=NEW_TOKEN,
                      sleep=lambda s: None, **kwargs)  # type: ignore[arg-type]


def test_the_plugin_is_discovered_and_connected_by_name(server: ExampleServer) -> None:
    assert "example" in ua.available_providers()
    client = _connect(server)
    assert client.provider == "example"
    assert client.business_id == "biz-1"
    assert [b.id for b in client.businesses.list()] == ["biz-1", "biz-2"]


def test_a_lost_answer_to_a_write_never_creates_a_second_record(server: ExampleServer) -> None:
    client = _connect(server)
    server.fail_next("POST", "/contacts", 500, after_processing=True)
    created = client.contacts.create(ua.Contact(name="Once Only Ltd", is_customer=True))
    assert [c["name"] for c in server.contacts("biz-1")] == ["Once Only Ltd"]
    assert created.name == "Once Only Ltd"
    assert server.requests.count(("POST", "/contacts")) == 2


def test_a_rate_limited_list_waits_and_continues(server: ExampleServer) -> None:
    client = _connect(server)
    for name in "ABC":
        client.contacts.create(ua.Contact(name=name, is_customer=True))
    server.fail_next("GET", "/contacts", 429, headers={"Retry-After": "1"})
    assert [c.name for c in client.contacts.list()] == ["A", "B", "C"]


def test_writes_go_to_the_chosen_business_only(server: ExampleServer) -> None:
    client = _connect(server, business_id="biz-2")
    client.contacts.create(ua.Contact(name="Second's", is_customer=True))
    assert server.contacts("biz-1") == []
    assert [c["name"] for c in server.contacts("biz-2")] == ["Second's"]


def test_debug_logs_of_a_whole_flow_hold_no_secret(
    server: ExampleServer, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = RotatingToken()
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    with ua.connect("example", settings=server.settings, token_source=tokens,
                    sleep=lambda s: None) as client:
        created = client.contacts.create(ua.Contact(name="Logged Ltd", is_customer=True))
        server.fail_next("GET", "/contacts", 503)
        list(client.contacts.list())
        for call in (lambda: client.contacts.get("missing"),
                     lambda: client.contacts.create(ua.Contact(name="")),
                     lambda: client.proxy.request("GET", "/nowhere")):
            with pytest.raises(ua.AccountingError) as caught:
                call()
            shown += [str(caught.value), repr(caught.value)]
        shown += [repr(client), repr(created), repr(client.context.transport)]
    assert tokens.refreshes == 1
    assert "GET /businesses -> 401" in caplog.text
    assert "retrying GET /contacts" in caplog.text
    everything = caplog.text + "\n".join(shown)
    for secret in (OLD_TOKEN, NEW_TOKEN, "Bearer"):
        assert secret not in everything
