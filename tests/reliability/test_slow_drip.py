"""Slow servers cannot hold a worker: every call ends at its deadline, whatever trickles in.

A "slow drip" server answers one byte at a time, a little faster than the read timeout, for
longer than the call's deadline (forever, here): its status line and headers, or its body
after prompt headers. Each read then returns in time, so only a deadline kept *inside* the
request ends the call. The servers are real, on loopback; the clock is the real one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import requests
from support.connections import NOW, make_tokens
from support.hostile_server import Answer, HostileServer, hostile_server

import unified_accounting as ua
from unified_accounting.credentials import OAuthEndpoints
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.tokens import SQLiteTokenStore, TokenManager
from unified_accounting.tokens.endpoint import StandardOAuthProvider
from unified_accounting.tokens.policy import RefreshPolicy

DEADLINE = 1.0
READ_TIMEOUT = 5.0  # far longer than the gap between two bytes: no single read times out
DRIP_EVERY = 0.05
# Generous: the call must end near its deadline, not after minutes.
LATEST = DEADLINE + 1.5
RECORD = "a" * 32


def dripping(prefix: bytes, *, body: bytes = b"", every: float = DRIP_EVERY,
             stop_after: float = 30.0) -> Callable[[BinaryIO], None]:
    """Send ``prefix`` at once, then ``body`` one byte at a time, then spaces until the client
    leaves (or ``stop_after`` seconds, so a broken test cannot hang the suite)."""

    def write(out: BinaryIO) -> None:
        out.write(prefix)
        out.flush()
        ends = time.monotonic() + stop_after
        index = 0
        while time.monotonic() < ends:
            out.write(body[index:index + 1] if index < len(body) else b" ")
            out.flush()
            index += 1
            time.sleep(every)

    return write


HEADERS_DRIP = Answer(raw=dripping(b"", body=(
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"p" * 4000)))
BODY_DRIP = Answer(raw=dripping(
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n",
    body=b'{"id": "'))
SILENT = Answer(raw=dripping(b"", body=b"", every=0.5))


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server() as running:
        yield running


def _client(server: HostileServer, **options: Any) -> ua.Client:
    return ua.connect(
        "sage", access_token="t" * 40, business_id="b" * 32,
        settings={"base_url": server.origin + "/v3.1"}, limiter=LocalLimiter(RateLimits()),
        retry=ua.RetryConfig(deadline=DEADLINE), timeouts=ua.Timeouts(read=READ_TIMEOUT),
        **options)


def _ends_at_the_deadline(call: Callable[[], object]) -> ua.DeadlineExceededError:
    started = time.monotonic()
    with pytest.raises(ua.DeadlineExceededError) as caught:
        call()
    took = time.monotonic() - started
    assert DEADLINE - 0.05 <= took < LATEST, took
    return caught.value


@pytest.mark.parametrize("answer", [HEADERS_DRIP, BODY_DRIP, SILENT],
                         ids=["headers-drip", "body-drip", "silent"])
@pytest.mark.parametrize("through", ["mapped", "proxy"])
def test_a_slow_drip_ends_the_call_at_its_deadline(
    server: HostileServer, answer: Answer, through: str
) -> None:
    server.routes[f"/v3.1/contacts/{RECORD}"] = answer
    client = _client(server)
    if through == "mapped":
        error = _ends_at_the_deadline(lambda: client.contacts.get(RECORD))
    else:
        error = _ends_at_the_deadline(
            lambda: client.proxy.request("GET", f"/contacts/{RECORD}"))
    assert isinstance(error, ua.ProviderUnavailableError)
    assert isinstance(error, TimeoutError)
    assert f"GET /contacts/{RECORD} did not finish within the call's deadline of 1 s" in str(
        error)
    assert error.provider == "sage"
    # One attempt: the deadline leaves no time for a retry, and none is tried.
    assert server.requests == [f"GET /v3.1/contacts/{RECORD}"]
    client.close()


def test_a_dripping_answer_to_a_write_says_the_write_may_have_happened(
    server: HostileServer,
) -> None:
    server.routes["/v3.1/journals"] = BODY_DRIP
    client = _client(server)
    error = _ends_at_the_deadline(
        lambda: client.proxy.request("POST", "/journals", json={"journal": {}}))
    assert "the write may have happened" in str(error)
    client.close()


def test_the_deadline_of_each_call_is_its_own(server: HostileServer) -> None:
    """A per-call deadline overrides the client's, and a quick answer is unaffected."""
    server.routes[f"/v3.1/contacts/{RECORD}"] = BODY_DRIP
    server.routes["/v3.1/quick"] = Answer(body=b'{"ok": true}')
    client = _client(server)
    started = time.monotonic()
    with pytest.raises(ua.DeadlineExceededError, match=r"deadline of 0\.3 s"):
        client.proxy.request("GET", f"/contacts/{RECORD}",
                             options=ua.CallOptions(deadline=0.3))
    assert time.monotonic() - started < 0.3 + 1.0
    assert client.proxy.request("GET", "/quick").json() == {"ok": True}
    client.close()


def test_without_the_deadline_inside_the_request_a_drip_outlives_it(
    server: HostileServer,
) -> None:
    """The control: a session without the library's adapter only has per-read timeouts, so
    the same drip keeps the call going well past its deadline."""
    server.routes[f"/v3.1/contacts/{RECORD}"] = Answer(raw=dripping(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n",
        body=b'{"id": "' + b"x" * 40 + b'"}' + b" " * 10))
    client = _client(server, session=requests.Session())
    started = time.monotonic()
    # 60 bytes at 50 ms each: about 3 s, three times the deadline; no read ever timed out.
    assert client.proxy.request("GET", f"/contacts/{RECORD}").json()["id"] == "x" * 40
    assert time.monotonic() - started > DEADLINE * 2
    client.close()


def test_a_dripping_token_endpoint_ends_the_refresh_at_its_timeout(
    server: HostileServer, tmp_path: Path
) -> None:
    """A refresh waits on the token endpoint while every worker waits on its lock."""
    server.routes["/token"] = BODY_DRIP
    store = SQLiteTokenStore(tmp_path / "tokens.sqlite3")
    store.save("acme", make_tokens("at-1", "rt-1", lifetime=-60), provider="oauth",
               client_id="client-1", now=NOW)
    endpoints = OAuthEndpoints(authorize_url=server.origin + "/authorize",
                               token_url=server.origin + "/token")
    manager = TokenManager(
        "acme", token_store=store, provider=StandardOAuthProvider(endpoints),
        client_secret="secret-1", clock=lambda: NOW,
        policy=RefreshPolicy(request_timeout=DEADLINE, max_attempts=1))
    started = time.monotonic()
    with pytest.raises(ua.ProviderUnavailableError, match="within its timeout"):
        manager.access_token()
    assert time.monotonic() - started < LATEST
    assert server.requests == ["POST /token"]
    store.close()
