"""Provider policies applied by the transport: body tokens, sequential writes, hooks, pools."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest
import requests
import responses
from responses.registries import OrderedRegistry
from transport_fixtures import BASE, RefreshingToken, make_transport
from ua_example_provider import ExampleProvider

import unified_accounting as ua
from unified_accounting.http import LimitScope, OutgoingRequest, Transport


class BodyTokenProvider(ExampleProvider):
    """Carries the idempotency token inside the resource wrapper, and numbers invoices."""

    sequential_collections = frozenset({"sales_invoices"})

    def apply_idempotency_key(self, request: OutgoingRequest, key: str) -> OutgoingRequest:
        (wrapper,) = request.json.values()
        wrapper["idempotency_id"] = key
        return request


class RecordingLimiter:
    def __init__(self) -> None:
        self.sequential_scopes: list[LimitScope] = []
        self.acquired: list[LimitScope] = []

    def acquire(self, scope: LimitScope, timeout: float | None) -> AbstractContextManager[None]:
        self.acquired.append(scope)
        return nullcontext()

    def sequential(self, scope: LimitScope, timeout: float | None) -> AbstractContextManager[None]:
        self.sequential_scopes.append(scope)
        return nullcontext()


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(registry=OrderedRegistry) as rsps:
        yield rsps


def _body_token_transport(**kwargs: Any) -> tuple[Transport, RecordingLimiter]:
    transport = make_transport(**kwargs)
    transport.provider = BodyTokenProvider()
    limiter = RecordingLimiter()
    transport.limiter = limiter
    return transport, limiter


def test_a_token_in_the_body_is_resent_unchanged_and_the_caller_body_kept(
    mocked: responses.RequestsMock,
) -> None:
    url = BASE + "/sales_invoices"
    mocked.post(url, status=503)
    mocked.post(url, status=500)
    mocked.post(url, status=201, json={"id": "si-1"})
    transport, _ = _body_token_transport()
    body = {"sales_invoice": {"contact_id": "c1"}}
    transport.request("POST", "/sales_invoices", json=body,
                      idempotency_key="a" * 32)
    sent = [json.loads(call.request.body) for call in mocked.calls]
    assert sent == [{"sales_invoice": {"contact_id": "c1", "idempotency_id": "a" * 32}}] * 3
    assert "Idempotency-Key" not in mocked.calls[0].request.headers
    assert body == {"sales_invoice": {"contact_id": "c1"}}


def test_writes_to_numbered_documents_take_the_business_lock(
    mocked: responses.RequestsMock,
) -> None:
    mocked.post(BASE + "/sales_invoices", status=201, json={})
    mocked.get(BASE + "/sales_invoices", json={"data": []})
    mocked.post(BASE + "/contacts", status=201, json={})
    transport, limiter = _body_token_transport()
    transport.request("POST", "/sales_invoices", json={"sales_invoice": {}})
    transport.request("GET", "/sales_invoices")
    transport.request("POST", "/contacts", json={})
    assert limiter.sequential_scopes == [LimitScope("example:t", "biz-1")]
    assert len(limiter.acquired) == 3


def test_every_attempt_passes_the_limiter_and_the_hooks(mocked: responses.RequestsMock) -> None:
    mocked.get(BASE + "/contacts", status=401)
    mocked.get(BASE + "/contacts", status=503)
    mocked.get(BASE + "/contacts", json={"data": []})
    transport, limiter = _body_token_transport(tokens=RefreshingToken())
    statuses: list[int] = []
    transport.response_hooks.append(lambda r: statuses.append(r.status))
    transport.request("GET", "/contacts", business_id="biz-9")
    assert statuses == [401, 503, 200]
    assert limiter.acquired == [LimitScope("example:t", "biz-9")] * 3


def test_the_connection_pool_fits_the_configured_concurrency() -> None:
    client = ua.connect(ExampleProvider(), settings={"base_url": BASE}, business_id="b",
                        access_token="t")
    adapter = client.context.transport.session.get_adapter(BASE)
    assert adapter._pool_maxsize == 4  # the example provider's per-business concurrency


def test_an_injected_session_is_used_as_given_and_left_open() -> None:
    session = requests.Session()
    client = ua.connect(ExampleProvider(), settings={"base_url": BASE}, business_id="b",
                        access_token="t", session=session)
    assert client.context.transport.session is session
    closed: list[bool] = []
    session.close = lambda: closed.append(True)  # type: ignore[method-assign]
    client.close()
    assert closed == []
