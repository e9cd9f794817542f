"""The delivery worker over real HTTP: what each kind of answer does to a delivery.

A scripted receiver on loopback answers each request with the next status of its script and
checks every signature; the mirror and the webhook store share one SQLite file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from support.hostile_server import Answer, hostile_server

import unified_accounting as ua
from unified_accounting.syncing import MirrorItem, Scope, StreamKey, StreamState
from unified_accounting.webhooks.delivery import Deliverer, DeliveryPolicy
from unified_accounting.webhooks.signing import generate_secret
from unified_accounting.webhooks.sqlite_store import SQLiteWebhookStore

SCOPE = Scope("sage", "acme", "biz-1")
FAST = DeliveryPolicy(schedule=(10, 20), max_attempts=3, jitter=0, connect_timeout=1,
                      read_timeout=2, lease=30)


class Scripted(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, secret: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.secret = secret
        self.script: list[tuple[int, dict[str, str]]] = []
        self.received: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.requests = 0


class _Handler(BaseHTTPRequestHandler):
    server: Scripted

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests += 1
        try:
            self.server.received.append(ua.webhooks.verify(body, dict(self.headers),
                                                           self.server.secret))
        except ua.webhooks.WebhookVerificationError:
            self.server.bad_signatures += 1
        status, headers = self.server.script.pop(0) if self.server.script else (204, {})
        self.send_response(status)
        for name, value in {**headers, "Content-Length": "0"}.items():
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[ua.SQLiteMirror, SQLiteWebhookStore, Scripted]]:
    secret = generate_secret()
    server = Scripted(secret.reveal())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mirror = ua.SQLiteMirror(tmp_path / "mirror.sqlite3")
    store = SQLiteWebhookStore(tmp_path / "mirror.sqlite3")
    store.add_endpoint(f"http://127.0.0.1:{server.server_address[1]}/in", secret=secret)
    yield mirror, store, server
    server.shutdown()
    store.close()
    mirror.close()


def _commit(mirror: ua.SQLiteMirror, *ids: str, version: int = 0) -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC).replace(second=version)
    mirror.commit(StreamKey(SCOPE, "contacts"), state=StreamState(), upserts=[
        MirrorItem(id=i, updated_at=at, data={"id": i, "v": version}) for i in ids])


def test_a_2xx_delivers_signed_bodies_in_order(setup: Any) -> None:
    mirror, store, server = setup
    _commit(mirror, "a", "b")
    _commit(mirror, "a", version=1)
    with Deliverer(store, policy=FAST, concurrency=2) as deliverer:
        stats = deliverer.run(until_idle=True)
    assert stats.delivered == 3
    assert server.bad_signatures == 0
    versions_of_a = [e["data"]["v"] for e in server.received if e["record_id"] == "a"]
    assert versions_of_a == [0, 1]
    assert store.counts() == {store.endpoints()[0].id: {"delivered": 3}}


def test_errors_back_off_by_the_schedule_then_fail_for_good(setup: Any) -> None:
    mirror, store, server = setup
    _commit(mirror, "a")
    server.script = [(500, {}), (302, {"Location": "http://elsewhere/"}), (404, {})]
    clock = [1_900_000_000.0]
    with Deliverer(store, policy=FAST, clock=lambda: clock[0]) as deliverer:
        attempts = []
        for wait in (0, 10, 20):
            clock[0] += wait
            deliverer.run_once()
            [delivery] = store.deliveries(states=("pending", "failed"))
            attempts.append((delivery.state, delivery.attempts, delivery.last_error,
                             round(delivery.due_at - clock[0])))
    assert attempts == [("pending", 1, "HTTP 500", 10), ("pending", 2, "HTTP 302", 20),
                        ("failed", 3, "HTTP 404", 0)]
    assert server.requests == 3  # the redirect was not followed


def test_retry_after_is_honoured_and_410_disables_the_endpoint(setup: Any) -> None:
    mirror, store, server = setup
    _commit(mirror, "a")
    server.script = [(429, {"Retry-After": "120"}), (410, {})]
    clock = [1_900_000_000.0]
    with Deliverer(store, policy=FAST, clock=lambda: clock[0]) as deliverer:
        deliverer.run_once()
        [delivery] = store.deliveries(states=("pending",))
        assert round(delivery.due_at - clock[0]) == 120
        clock[0] += 120
        deliverer.run_once()
    [endpoint] = store.endpoints()
    assert endpoint.disabled_reason == "answered 410 Gone"
    assert store.deliveries(states=("pending",))[0].last_status == 410


def test_an_unreachable_endpoint_is_retried_without_raising(tmp_path: Path) -> None:
    mirror = ua.SQLiteMirror(tmp_path / "m.sqlite3")
    store = SQLiteWebhookStore(tmp_path / "m.sqlite3")
    store.add_endpoint("http://127.0.0.1:9/unreachable?token=hidden")
    _commit(mirror, "a")
    with Deliverer(store, policy=FAST) as deliverer:
        assert deliverer.run_once() == 1
    [delivery] = store.deliveries(states=("pending",))
    assert delivery.last_error == "ConnectionError: no answer"
    assert delivery.attempts == 1
    store.close()
    mirror.close()


def test_a_claim_too_close_to_its_lease_end_is_released_unsent(setup: Any) -> None:
    mirror, store, server = setup
    _commit(mirror, "a")
    short = DeliveryPolicy(connect_timeout=1, read_timeout=2, lease=3.5)
    with Deliverer(store, policy=short) as deliverer:
        [claimed] = store.claim(1, lease=2.0)
        outcome = deliverer.attempt(claimed)
    assert outcome.released
    assert server.received == []


def _drip_headers(out: BinaryIO) -> None:
    """Answer one header byte every 50 ms: no single read waits long enough to time out."""
    ends = time.monotonic() + 20  # a broken client cannot hang the suite
    answer = b"HTTP/1.1 200 OK\r\nX-Padding: " + b"p" * 4000
    for byte in answer:
        if time.monotonic() > ends:
            return
        out.write(bytes([byte]))
        out.flush()
        time.sleep(0.05)


def test_a_receiver_that_drips_its_answer_cannot_hold_a_delivery_past_its_claim(
    tmp_path: Path
) -> None:
    mirror = ua.SQLiteMirror(tmp_path / "m.sqlite3")
    store = SQLiteWebhookStore(tmp_path / "m.sqlite3")
    with hostile_server() as server:
        server.routes["/slow"] = Answer(raw=_drip_headers)
        store.add_endpoint(server.origin + "/slow")
        _commit(mirror, "a")
        policy = DeliveryPolicy(connect_timeout=1, read_timeout=2, lease=10)
        with Deliverer(store, policy=policy) as deliverer:
            [claimed] = store.claim(1, lease=policy.lease)
            started = time.monotonic()
            outcome = deliverer.attempt(claimed)
            took = time.monotonic() - started
    assert not outcome.delivered
    assert outcome.error is not None
    assert outcome.error.endswith(": no answer")
    assert 2.5 < took < 4.5  # ended at connect + read timeouts, well inside its claim
    store.close()
    mirror.close()


@pytest.mark.parametrize("options", [
    {"schedule": ()}, {"schedule": (-1,)}, {"max_attempts": 0}, {"jitter": 1.5},
    {"lease": 10, "read_timeout": 15},
])
def test_a_policy_refuses_impossible_settings(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each names its own field
        DeliveryPolicy(**options)


def test_next_attempt_follows_the_schedule_with_jitter_and_stops() -> None:
    policy = DeliveryPolicy(schedule=(5, 300), max_attempts=4, jitter=0.1)
    assert policy.next_attempt(1, 0.0, rand=lambda: 0.5) == 5
    assert policy.next_attempt(2, 0.0, rand=lambda: 1.0) == pytest.approx(330)
    assert policy.next_attempt(3, 0.0, rand=lambda: 0.0) == pytest.approx(270)
    assert policy.next_attempt(3, 0.0, retry_after=900, rand=lambda: 0.5) == 900
    assert policy.next_attempt(4, 0.0) is None


def test_secrets_and_url_credentials_never_reach_logs_errors_or_reprs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = generate_secret()
    mirror = ua.SQLiteMirror(tmp_path / "m.sqlite3")
    store = SQLiteWebhookStore(tmp_path / "m.sqlite3")
    endpoint = store.add_endpoint("http://user:pw-hidden@127.0.0.1:9/in?token=tok-hidden",
                                  secret=secret)
    _commit(mirror, "a")
    caplog.set_level("DEBUG")
    with Deliverer(store, policy=FAST) as deliverer:
        [claimed] = store.claim(1, lease=30)
        outcome = deliverer.attempt(claimed)
        store.finish([(claimed, outcome)])
    shown = " ".join([caplog.text, repr(endpoint), repr(claimed), repr(store), repr(outcome),
                      str(store.deliveries(states=("pending",))), repr(store.endpoints())])
    for hidden in (secret.reveal(), secret.reveal().removeprefix("whsec_"), "pw-hidden",
                   "tok-hidden"):
        assert hidden not in shown
    assert "127.0.0.1:9/in" in shown  # the redacted URL is still there to read
    store.close()
    mirror.close()
