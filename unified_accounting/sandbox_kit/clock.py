"""A controllable clock, so tests can expire tokens and roll rate windows without sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Wall-clock time plus an offset, or a frozen moment that moves only when advanced.

    Args:
        start: if given, the clock is frozen at this moment (naive values are UTC) and moves
            only through :meth:`advance`; otherwise it follows real time.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen = None if start is None else _utc(start)

    def now(self) -> datetime:
        """The sandbox's current UTC time."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC) + self._offset

    def epoch(self) -> float:
        """The current time as POSIX seconds."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        """Move the clock forward (token expiry, rate windows and timestamps all follow)."""
        with self._lock:
            step = timedelta(seconds=seconds)
            if self._frozen is not None:
                self._frozen += step
            else:
                self._offset += step


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
