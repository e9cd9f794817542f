"""The delivery worker: claims due deliveries, POSTs them signed, saves what happened.

Each round claims up to ``batch`` deliveries (the oldest unfinished one of each record per
endpoint, see :mod:`unified_accounting.webhooks.store`), sends them on a thread pool and saves
the outcomes in one transaction. A 2xx answer delivers; 410 Gone disables the endpoint; any
other answer, a timeout or a refused connection schedules the next attempt by
:class:`DeliveryPolicy` (honouring ``Retry-After``), and after ``max_attempts`` the delivery is
failed for good and holds back the later events of its record until an operator retries it.

Redirects are not followed (the Standard Webhooks advice: fix the URL instead). A request
ends within ``connect_timeout + read_timeout`` in all, even against a receiver that answers one
byte at a time (:class:`~unified_accounting.http.DeadlineAdapter`), so it cannot outlive its
claim. Nothing logged or saved here holds a secret, a query string or a response body.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from unified_accounting.http.deadline import DeadlineAdapter, deadline_within
from unified_accounting.http.retry import parse_retry_after
from unified_accounting.webhooks.signing import signed_headers
from unified_accounting.webhooks.store import (
    ClaimedDelivery,
    Outcome,
    WebhookStore,
    redacted_url,
)

__all__ = ["DEFAULT_SCHEDULE", "Deliverer", "DeliveryPolicy", "DeliveryStats"]

_log = logging.getLogger(__name__)

#: Seconds before each retry: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about
#: three days in all, the schedule the Standard Webhooks guide suggests).
DEFAULT_SCHEDULE: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)


@dataclass(frozen=True, kw_only=True)
class DeliveryPolicy:
    """How deliveries are timed and retried.

    Args:
        schedule: seconds to wait after the 1st, 2nd, ... failed attempt; the last value
            repeats.
        max_attempts: attempts before a delivery is failed for good.
        jitter: each wait is scaled by a random factor in ``1 ± jitter``.
        connect_timeout, read_timeout: seconds; a request ends within their sum.
        lease: seconds a claim lasts; a claim too close to its end is released unsent, so
            a delivery is never in flight from two workers unless a request outlives it.
        max_retry_after: the longest ``Retry-After`` honoured, in seconds.
    """

    schedule: tuple[float, ...] = DEFAULT_SCHEDULE
    max_attempts: int = len(DEFAULT_SCHEDULE) + 1
    jitter: float = 0.1
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    lease: float = 120.0
    max_retry_after: float = 86400.0

    def __post_init__(self) -> None:
        if not self.schedule or min(self.schedule) < 0:
            raise ValueError("schedule: give at least one wait, none negative")
        if self.max_attempts < 1 or not 0 <= self.jitter < 1:
            raise ValueError("max_attempts must be at least 1 and jitter within [0, 1)")
        if self.lease <= self.connect_timeout + self.read_timeout:
            raise ValueError("lease must be longer than connect_timeout + read_timeout")

    def next_attempt(self, attempts: int, now: float, *, retry_after: float | None = None,
                     rand: Callable[[], float] = random.random) -> float | None:
        """When to try again after ``attempts`` failed attempts; ``None`` when none are left."""
        if attempts >= self.max_attempts:
            return None
        wait = self.schedule[min(attempts, len(self.schedule)) - 1]
        wait *= 1 + self.jitter * (2 * rand() - 1)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return now + wait


@dataclass
class DeliveryStats:
    """What the worker did, in total."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    rounds: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        """Count one outcome."""
        if outcome.delivered:
            self.delivered += 1
        elif outcome.released:
            self.released += 1
        elif outcome.retry_at is None:
            self.failed += 1
        else:
            self.retried += 1
        key = str(outcome.status) if outcome.status is not None else "no answer"
        self.statuses[key] = self.statuses.get(key, 0) + 1


class Deliverer:
    """Delivers what a :class:`WebhookStore` queued.

    Args:
        store: where deliveries wait.
        policy: timing and retries.
        concurrency: requests in flight at once.
        batch: deliveries claimed per round (default eight per thread, at least 32).
        session: the ``requests`` session to send with (one is made otherwise); mount
            :class:`~unified_accounting.http.DeadlineAdapter` on it, or a receiver that
            drips its answer can hold a request past its claim.
        clock: Unix seconds (replaceable in tests).
    """

    def __init__(self, store: WebhookStore, *, policy: DeliveryPolicy | None = None,
                 concurrency: int = 8, batch: int | None = None,
                 session: requests.Session | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.store = store
        self.policy = policy or DeliveryPolicy()
        self.concurrency = concurrency
        self.batch = batch or max(32, concurrency * 8)
        self._session = session or _session(concurrency)
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="ua-webhook")
        self.stats = DeliveryStats()

    def run_once(self) -> int:
        """Claim one batch of due deliveries, send them, save the outcomes; how many."""
        claimed = self.store.claim(self.batch, lease=self.policy.lease, now=self._clock())
        if not claimed:
            return 0
        outcomes = list(self._pool.map(self.attempt, claimed))
        self.store.finish(list(zip(claimed, outcomes, strict=True)), now=self._clock())
        for outcome in outcomes:
            self.stats.add(outcome)
        self.stats.rounds += 1
        return len(claimed)

    def run(self, *, stop: threading.Event | None = None, poll: float = 1.0,
            until_idle: bool = False, max_seconds: float | None = None) -> DeliveryStats:
        """Deliver until ``stop`` is set (or, with ``until_idle``, until nothing is due).

        Args:
            stop: ends the loop when set (a signal handler sets it).
            poll: seconds to wait when nothing is due.
            until_idle: return as soon as a round finds nothing due.
            max_seconds: return after this long at most.
        """
        halt = stop or threading.Event()
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        while not halt.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            if self.run_once() == 0:
                if until_idle:
                    break
                halt.wait(poll)
        return self.stats

    def attempt(self, delivery: ClaimedDelivery) -> Outcome:
        """Send one delivery and decide its outcome (never raises for a failed request)."""
        policy, now = self.policy, self._clock()
        if delivery.lease_until - now < policy.connect_timeout + policy.read_timeout + 1:
            return Outcome(delivered=False, released=True)
        headers = signed_headers(delivery.event_id, delivery.body, delivery.secret,
                                 timestamp=int(now))
        try:
            with deadline_within(policy.connect_timeout + policy.read_timeout):
                answer = self._session.post(
                    delivery.url, data=delivery.body.encode("utf-8"), headers=headers,
                    timeout=(policy.connect_timeout, policy.read_timeout),
                    allow_redirects=False)
        except requests.RequestException as exc:
            return self._failed(delivery, None, f"{type(exc).__name__}: no answer", None)
        with answer:
            status = answer.status_code
            if 200 <= status < 300:
                return Outcome(delivered=True, status=status)
            if status == 410:
                _log.warning("webhook endpoint %s answered 410 Gone; disabling it",
                             delivery.endpoint_id)
                return Outcome(delivered=False, status=status, error="410 Gone",
                               retry_at=self._clock(), disable_reason="answered 410 Gone")
            retry_after = parse_retry_after(answer.headers.get("Retry-After"))
            return self._failed(delivery, status, f"HTTP {status}", retry_after)

    def _failed(self, delivery: ClaimedDelivery, status: int | None, error: str,
                retry_after: float | None) -> Outcome:
        attempts = delivery.attempts + 1
        retry_at = self.policy.next_attempt(attempts, self._clock(), retry_after=retry_after)
        _log.info("webhook %s to %s failed (%s), attempt %d; %s", delivery.event_id,
                  redacted_url(delivery.url), error, attempts,
                  "failed for good" if retry_at is None else "will retry")
        return Outcome(delivered=False, status=status, error=error, retry_at=retry_at)

    def close(self) -> None:
        """Stop the threads and close the session (the store stays open)."""
        self._pool.shutdown(wait=True)
        self._session.close()

    def __enter__(self) -> Deliverer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _session(concurrency: int) -> requests.Session:
    session = requests.Session()
    adapter = DeadlineAdapter(pool_connections=16, pool_maxsize=concurrency, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session

