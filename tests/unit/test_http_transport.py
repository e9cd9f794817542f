"""Every status path of the transport, one scripted request sequence at a time."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests
import responses
from responses.registries import OrderedRegistry
from transport_fixtures import BASE, FakeClock, RefreshingToken, make_transport

import unified_accounting as ua
from unified_accounting.http import CallOptions, RetryConfig, Timeouts

URL = BASE + "/contacts"


def _error(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


@pytest.fixture
def mocked() -> responses.RequestsMock:
    with responses.RequestsMock(registry=OrderedRegistry) as rsps:
        yield rsps


def test_success_returns_body_rate_limits_and_request_id(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={"data": [{"amount": 12.30}]},
               headers={"X-Request-Id": "r-1", "X-RateLimit-Remaining": "41"})
    response = make_transport().request("GET", "/contacts")
    assert response.status == 200
    assert response.json() == {"data": [{"amount": Decimal("12.30")}]}
    assert response.request_id == "r-1"
    assert response.rate_limit == {"ratelimit-remaining": "41"}
    sent = mocked.calls[0].request
    assert sent.headers["Authorization"] == "Bearer tok-static"
    assert sent.headers["X-Tenant"] == "biz-1"


def test_business_header_is_not_sent_to_unscoped_paths(mocked: responses.RequestsMock) -> None:
    mocked.get(BASE + "/businesses", json={"data": []})
    make_transport().request("GET", "/businesses")
    assert "X-Tenant" not in mocked.calls[0].request.headers


def test_401_refreshes_once_and_retries_with_the_new_token(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(URL, status=401, json=_error("unauthorized", "expired"))
    mocked.get(URL, json={"data": []})
    tokens = RefreshingToken()
    make_transport(tokens=tokens).request("GET", "/contacts")
    assert tokens.rejected == [ua.Secret("tok-first")]
    assert [c.request.headers["Authorization"] for c in mocked.calls] == [
        "Bearer tok-first", "Bearer tok-fresh"]


def test_a_second_401_raises_authentication_error(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=401, json=_error("unauthorized", "expired"))
    mocked.get(URL, status=401, json=_error("unauthorized", "still refused"))
    tokens = RefreshingToken()
    with pytest.raises(ua.AuthenticationError) as caught:
        make_transport(tokens=tokens).request("GET", "/contacts")
    assert caught.value.status == 401
    assert len(tokens.rejected) == 1


def test_401_with_a_static_token_is_final(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=401, json=_error("unauthorized", "expired"))
    with pytest.raises(ua.AuthenticationError):
        make_transport().request("GET", "/contacts")
    assert len(mocked.calls) == 1


@pytest.mark.parametrize(
    ("status", "error_class", "code"),
    [
        (400, ua.ValidationError, "bad_request"),
        (403, ua.PermissionDeniedError, "forbidden"),
        (404, ua.NotFoundError, "not_found"),
        (409, ua.ConflictError, "conflict"),
        (418, ua.ProviderError, "teapot"),
    ],
)
def test_client_errors_are_mapped_and_not_retried(
    mocked: responses.RequestsMock, status: int, error_class: type[ua.AccountingError], code: str
) -> None:
    mocked.get(URL, status=status, json=_error(code, "nope"), headers={"X-Request-Id": "r-9"})
    with pytest.raises(error_class) as caught:
        make_transport().request("GET", "/contacts")
    error = caught.value
    assert (error.status, error.code, error.request_id, error.provider) == (
        status, code, "r-9", "example")
    assert error.retryable is False
    assert len(mocked.calls) == 1


def test_422_carries_field_errors(mocked: responses.RequestsMock) -> None:
    mocked.post(URL, status=422, json=_error("invalid", "bad contact", {"name": ["required"]}))
    with pytest.raises(ua.ValidationError) as caught:
        make_transport().request("POST", "/contacts", json={"name": ""})
    assert caught.value.errors == {"name": ["required"]}
    assert caught.value.message == "bad contact"


def test_429_with_retry_after_under_the_cap_waits_and_retries(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(URL, status=429, headers={"Retry-After": "7"}, json=_error("slow", "slow down"))
    mocked.get(URL, json={"data": []})
    clock = FakeClock()
    assert make_transport(clock=clock).request("GET", "/contacts").status == 200
    assert clock.sleeps == [7.0]


def test_429_with_an_http_date_retry_after(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=429, headers={"Retry-After": "Thu, 15 Jan 2026 12:00:03 GMT"})
    mocked.get(URL, json={"data": []})
    clock = FakeClock()
    make_transport(clock=clock).request("GET", "/contacts")
    assert clock.sleeps == [3.0]


def test_429_with_retry_after_over_the_cap_raises_at_once(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=429, json=_error("slow", "daily quota spent"),
               headers={"Retry-After": "3600", "X-RateLimit-Limit": "100",
                        "X-RateLimit-Remaining": "0"})
    clock = FakeClock()
    with pytest.raises(ua.RateLimitError) as caught:
        make_transport(clock=clock).request("GET", "/contacts")
    assert caught.value.retry_after == 3600.0
    assert caught.value.rate_limit == {"ratelimit-limit": "100", "ratelimit-remaining": "0"}
    assert clock.sleeps == []
    assert len(mocked.calls) == 1


def test_429_until_retries_run_out(mocked: responses.RequestsMock) -> None:
    for _ in range(3):
        mocked.get(URL, status=429, headers={"Retry-After": "1"})
    clock = FakeClock()
    transport = make_transport(clock=clock, retry=RetryConfig(max_retries=2, deadline=None))
    with pytest.raises(ua.RateLimitError) as caught:
        transport.request("GET", "/contacts")
    assert caught.value.retry_after == 1.0
    assert clock.sleeps == [1.0, 1.0]


def test_500_on_a_read_is_retried_until_the_retries_run_out(
        mocked: responses.RequestsMock) -> None:
    for _ in range(3):
        mocked.get(URL, status=500, json=_error("boom", "unexpected"))
    clock = FakeClock()
    transport = make_transport(clock=clock, retry=RetryConfig(max_retries=2, deadline=None))
    with pytest.raises(ua.ProviderUnavailableError) as caught:
        transport.request("GET", "/contacts")
    assert caught.value.status == 500
    assert len(mocked.calls) == 3
    assert len(clock.sleeps) == 2


def test_a_transient_500_in_the_middle_of_a_list_does_not_end_it(
        mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={"data": [{"id": 1}], "next": "/contacts?cursor=2"})
    mocked.get(URL, status=500, json=_error("boom", "unexpected"))
    mocked.get(URL, json={"data": [{"id": 2}], "next": None})
    items = make_transport(clock=FakeClock()).paginate("/contacts")
    assert [item["id"] for item in items] == [1, 2]
    assert len(mocked.calls) == 3
    assert mocked.calls[2].request.url == URL + "?cursor=2"


def test_a_500_on_a_write_without_a_token_is_not_retried(
        mocked: responses.RequestsMock) -> None:
    mocked.post(URL, status=500, json=_error("boom", "unexpected"))
    with pytest.raises(ua.ProviderUnavailableError):
        make_transport(clock=FakeClock()).request("POST", "/contacts", json={"name": "A"})
    assert len(mocked.calls) == 1


def test_500_on_an_idempotent_write_is_retried_with_the_same_token(
    mocked: responses.RequestsMock,
) -> None:
    mocked.post(URL, status=500, json=_error("boom", "unexpected"))
    mocked.post(URL, status=201, json={"id": "c1"})
    clock = FakeClock()
    response = make_transport(clock=clock).request(
        "POST", "/contacts", json={"name": "A", "credit": Decimal("10.50")},
        idempotency_key="k" * 32)
    assert response.json() == {"id": "c1"}
    keys = [c.request.headers["Idempotency-Key"] for c in mocked.calls]
    bodies = [c.request.body for c in mocked.calls]
    assert keys == ["k" * 32, "k" * 32]
    assert bodies[0] == bodies[1]
    assert json.loads(bodies[0]) == {"name": "A", "credit": "10.50"}
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_writes_without_a_token_are_never_retried(
    mocked: responses.RequestsMock, status: int
) -> None:
    mocked.post(URL, status=status, json=_error("x", "failed"))
    with pytest.raises(ua.AccountingError):
        make_transport().request("POST", "/contacts", json={"name": "A"})
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_failures_on_reads_are_retried_with_backoff(
    mocked: responses.RequestsMock, status: int
) -> None:
    mocked.get(URL, status=status)
    mocked.get(URL, status=status)
    mocked.get(URL, json={"data": []})
    clock = FakeClock()
    assert make_transport(clock=clock).request("GET", "/contacts").attempts == 3
    assert clock.sleeps == [0.5, 1.0]


def test_connection_errors_on_reads_are_retried(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, body=requests.ConnectionError("refused"))
    mocked.get(URL, json={"data": []})
    assert make_transport().request("GET", "/contacts").status == 200


def test_connection_errors_that_persist_raise_provider_unavailable(
    mocked: responses.RequestsMock,
) -> None:
    for _ in range(4):
        mocked.get(URL, body=requests.ConnectionError("refused"))
    with pytest.raises(ua.ProviderUnavailableError) as caught:
        make_transport().request("GET", "/contacts")
    assert caught.value.retryable is True
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert len(mocked.calls) == 4


def test_a_read_timeout_on_a_plain_write_says_the_outcome_is_unknown(
    mocked: responses.RequestsMock,
) -> None:
    mocked.post(URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(ua.ProviderUnavailableError) as caught:
        make_transport().request("POST", "/contacts", json={"name": "A"})
    assert "may have happened" in caught.value.message
    assert len(mocked.calls) == 1


def test_tls_failures_are_not_retried(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, body=requests.exceptions.SSLError("bad certificate"))
    with pytest.raises(ua.ProviderUnavailableError) as caught:
        make_transport().request("GET", "/contacts")
    assert caught.value.retryable is False
    assert len(mocked.calls) == 1


def test_the_deadline_stops_retries_before_a_long_wait(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=503, headers={"Retry-After": "20"})
    clock = FakeClock()
    transport = make_transport(clock=clock, retry=RetryConfig(deadline=10.0))
    with pytest.raises(ua.ProviderUnavailableError):
        transport.request("GET", "/contacts")
    assert clock.sleeps == []
    assert len(mocked.calls) == 1


def test_the_deadline_bounds_the_read_timeout(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={"data": []})
    seen: list[object] = []
    transport = make_transport(retry=RetryConfig(deadline=4.0), timeouts=Timeouts(2.0, 30.0))
    original = transport.session.request

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(kwargs["timeout"])
        return original(*args, **kwargs)  # type: ignore[arg-type]

    transport.session.request = spy  # type: ignore[method-assign]
    transport.request("GET", "/contacts")
    assert seen == [(2.0, 4.0)]


def test_per_call_options_override_the_client_policy(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=503)
    with pytest.raises(ua.ProviderUnavailableError):
        make_transport().request("GET", "/contacts", options=CallOptions(max_retries=0))
    assert len(mocked.calls) == 1


def test_raise_for_status_false_returns_the_final_response(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(URL, status=404, json=_error("not_found", "nope"))
    response = make_transport().request("GET", "/contacts", raise_for_status=False)
    assert response.status == 404
    assert response.ok is False


def test_redirects_are_not_followed(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=302, headers={"Location": "https://elsewhere.test/steal"})
    with pytest.raises(ua.ProviderError):
        make_transport().request("GET", "/contacts")
    assert len(mocked.calls) == 1


def test_response_hooks_see_successful_responses(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={"data": []}, headers={"X-Tenant": "biz-2"})
    transport = make_transport()
    seen: list[str] = []
    transport.response_hooks.append(lambda r: seen.append(r.headers["x-tenant"]))
    transport.request("GET", "/contacts")
    assert seen == ["biz-2"]


def test_pages_follow_next_links_lazily(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={"data": [{"id": 1}, {"id": 2}], "next": "/contacts?cursor=2"})
    mocked.get(URL, json={"data": [{"id": 3}], "next": None})
    items = make_transport().paginate("/contacts")
    assert len(mocked.calls) == 0
    assert next(items) == {"id": 1}
    assert len(mocked.calls) == 1
    assert [item["id"] for item in items] == [2, 3]
    assert mocked.calls[0].request.url == URL + "?page_size=2"
    assert mocked.calls[1].request.url == URL + "?cursor=2"


def test_a_next_link_outside_the_base_is_refused(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={"data": [], "next": "https://evil.test/contacts?cursor=2"})
    with pytest.raises(ua.ValidationError):
        list(make_transport().paginate("/contacts"))
