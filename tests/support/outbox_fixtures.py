"""Helpers for outbox tests: a worker on a test clock, and a session that records bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from unified_accounting.http.options import RetryConfig
from unified_accounting.outbox.items import Queue
from unified_accounting.outbox.settings import OutboxSettings
from unified_accounting.outbox.store import OutboxStore
from unified_accounting.outbox.worker import OutboxWorker

#: What the outbox's own clients use with ``call_retries=0``: every failure ends the attempt.
NO_RETRY = RetryConfig(max_retries=0, retry_after_cap=0.0)

#: No waiting between attempts, and every failure surfaces to the outbox at once.
FAST = OutboxSettings(backoff_base=0.0, backoff_cap=0.0, call_retries=0, max_failures=4,
                      lease_seconds=30.0)


@dataclass
class ManualClock:
    """Seconds that move only when told (the worker's clock in these tests)."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingAdapter(HTTPAdapter):
    """Keeps the JSON body of every request sent, even when no answer comes back."""

    def __init__(self, sent: list[tuple[str, str, Any]]) -> None:
        super().__init__()
        self.sent = sent

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        self.sent.append((str(request.method), str(request.url),
                          json.loads(body) if body else None))
        return super().send(request, *args, **kwargs)


@dataclass
class RecordingSession:
    """A ``requests.Session`` whose requests are listed in :attr:`sent`."""

    sent: list[tuple[str, str, Any]] = field(default_factory=list)
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        adapter = RecordingAdapter(self.sent)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def bodies(self, method: str, path_part: str) -> list[Any]:
        """The bodies of the requests of one method whose URL holds ``path_part``."""
        return [body for sent_method, url, body in self.sent
                if sent_method == method and path_part in url]


def worker(store: OutboxStore, clients: Callable[[Queue], Any], clock: ManualClock | None = None,
           settings: OutboxSettings = FAST) -> OutboxWorker:
    """A worker on the test clock that delivers through ``clients``."""
    return OutboxWorker(store, settings=settings, clients=clients,
                        clock=clock or ManualClock(), jitter=lambda: 1.0)
