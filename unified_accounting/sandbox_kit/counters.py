"""Counters a test can read: requests per endpoint, refreshes, 429s and faults served."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class CounterSnapshot:
    """A copy of the counters at one moment.

    Attributes:
        requests: requests per endpoint, keyed ``"GET /contacts/{key}"``.
        refreshes: successful ``refresh_token`` grants.
        refresh_failures: refused ``refresh_token`` grants.
        token_grants: successful ``authorization_code`` grants.
        rate_limited: 429 responses served, per scope (``app_per_minute``, ...).
        faults: faults served, per kind (``error_503``, ``drop_after_commit``, ...).
        statuses: responses per HTTP status.
    """

    requests: dict[str, int] = field(default_factory=dict)
    refreshes: int = 0
    refresh_failures: int = 0
    token_grants: int = 0
    rate_limited: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def total_requests(self) -> int:
        """All requests seen."""
        return sum(self.requests.values())

    @property
    def total_429(self) -> int:
        """All 429 responses served."""
        return sum(self.rate_limited.values())

    @property
    def total_faults(self) -> int:
        """All faults served."""
        return sum(self.faults.values())


class Counters:
    """Thread-safe counters updated by the core."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._rate_limited: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._events: Counter[str] = Counter()

    def request(self, endpoint: str) -> None:
        """Count one request to an endpoint."""
        with self._lock:
            self._requests[endpoint] += 1

    def status(self, status: int) -> None:
        """Count one response status."""
        with self._lock:
            self._statuses[status] += 1

    def limited(self, scope: str) -> None:
        """Count one 429."""
        with self._lock:
            self._rate_limited[scope] += 1

    def fault(self, kind: str) -> None:
        """Count one injected fault."""
        with self._lock:
            self._faults[kind] += 1

    def event(self, name: str) -> None:
        """Count an OAuth event: ``refreshes``, ``refresh_failures`` or ``token_grants``."""
        with self._lock:
            self._events[name] += 1

    def snapshot(self) -> CounterSnapshot:
        """A consistent copy of every counter."""
        with self._lock:
            return CounterSnapshot(
                requests=dict(self._requests),
                refreshes=self._events["refreshes"],
                refresh_failures=self._events["refresh_failures"],
                token_grants=self._events["token_grants"],
                rate_limited=dict(self._rate_limited),
                faults=dict(self._faults),
                statuses=dict(self._statuses),
            )

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            for counter in (self._requests, self._rate_limited, self._faults, self._statuses):
                counter.clear()
            self._events.clear()
