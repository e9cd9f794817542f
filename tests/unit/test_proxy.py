from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from responses.registries import OrderedRegistry
from ua_example_provider import ExampleProvider

import unified_accounting as ua

BASE = "https://api.test/v1"


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(registry=OrderedRegistry) as rsps:
        yield rsps


@pytest.fixture
def client() -> ua.Client:
    return ua.connect(ExampleProvider(), settings={"base_url": BASE}, business_id="biz-1",
                      access_token="tok-proxy", sleep=lambda s: None)


def test_request_reaches_any_path_with_auth_and_business(
    client: ua.Client, mocked: responses.RequestsMock
) -> None:
    mocked.get(BASE + "/financial_settings", json={"currency": "GBP"},
               headers={"RateLimit-Remaining": "9"})
    response = client.proxy.request("GET", "/financial_settings", params={"a": "1"},
                                    headers={"X-Trace": "t1"})
    assert isinstance(response, ua.ProxyResponse)
    assert response.json() == {"currency": "GBP"}
    assert response.headers["content-type"] == "application/json"
    assert response.rate_limit == {"ratelimit-remaining": "9"}
    sent = mocked.calls[0].request
    assert sent.headers["Authorization"] == "Bearer tok-proxy"
    assert sent.headers["X-Tenant"] == "biz-1"
    assert sent.headers["X-Trace"] == "t1"
    assert sent.url == BASE + "/financial_settings?a=1"


@pytest.mark.parametrize("name", ["Authorization", "authorization", "Cookie", "X-Tenant",
                                  "x-tenant", "Proxy-Authorization", "Host"])
def test_caller_headers_cannot_override_auth_or_business(
    client: ua.Client, mocked: responses.RequestsMock, name: str
) -> None:
    with pytest.raises(ua.ValidationError) as caught:
        client.proxy.request("GET", "/contacts", headers={name: "Bearer stolen"})
    assert f"headers.{name}" in caught.value.errors
    assert len(mocked.calls) == 0


def test_another_business_is_reached_only_explicitly(
    client: ua.Client, mocked: responses.RequestsMock
) -> None:
    mocked.get(BASE + "/contacts", json={"data": []})
    client.proxy.request("GET", "/contacts", business_id="biz-2")
    assert mocked.calls[0].request.headers["X-Tenant"] == "biz-2"


@pytest.mark.parametrize("path", ["https://evil.test/x", "//evil.test/x", "/../x",
                                  "/%2e%2e/x", "/a%2f..%2fb", "/%252e%252e/x", "\\x"])
def test_paths_leaving_the_base_are_refused_before_sending(
    client: ua.Client, mocked: responses.RequestsMock, path: str
) -> None:
    with pytest.raises(ua.ValidationError):
        client.proxy.request("GET", path)
    assert len(mocked.calls) == 0


def test_errors_are_unified_unless_the_caller_opts_out(
    client: ua.Client, mocked: responses.RequestsMock
) -> None:
    body = {"error": {"code": "not_found", "message": "gone"}}
    mocked.get(BASE + "/bank_transfers/x", status=404, json=body)
    mocked.get(BASE + "/bank_transfers/x", status=404, json=body)
    with pytest.raises(ua.NotFoundError):
        client.proxy.request("GET", "/bank_transfers/x")
    response = client.proxy.request("GET", "/bank_transfers/x", raise_for_status=False)
    assert response.status == 404
    assert response.json() == body


def test_proxy_writes_retry_only_with_an_idempotency_key(
    client: ua.Client, mocked: responses.RequestsMock
) -> None:
    mocked.post(BASE + "/bank_transfers", status=503)
    mocked.post(BASE + "/bank_transfers", status=201, json={"id": "t1"})
    response = client.proxy.request("POST", "/bank_transfers", json={"amount": "1.00"},
                                    idempotency_key="f" * 32)
    assert response.status == 201
    assert [c.request.headers["Idempotency-Key"] for c in mocked.calls] == ["f" * 32] * 2


def test_paginate_walks_every_page(client: ua.Client, mocked: responses.RequestsMock) -> None:
    first = {"data": [{"id": 1}], "next": "/bank_transfers?cursor=1"}
    mocked.get(BASE + "/bank_transfers", json=first)
    mocked.get(BASE + "/bank_transfers", json={"data": [{"id": 2}], "next": None})
    assert [item["id"] for item in client.proxy.paginate("/bank_transfers")] == [1, 2]
