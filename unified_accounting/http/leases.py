"""Keeping leases alive while their holder lives, so that a dead holder's leases expire."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

__all__ = ["LeaseKeeper"]

_log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews the leases a process holds, from a daemon thread, until they are released.

    Args:
        renew: extends one lease (its keys, its id); returns how many keys no longer held it.
        interval: seconds between renewals (well under the lease's TTL).
        errors: what ``renew`` raises when the backing store is unreachable.

    The thread runs only while leases are held. A lease found expired (the process stalled
    longer than the TTL) is dropped with a warning: its slot may already serve someone else.
    """

    def __init__(self, renew: Callable[[Sequence[str], str], int], interval: float,
                 errors: tuple[type[Exception], ...]) -> None:
        self._renew, self._interval, self._errors = renew, interval, errors
        self._guard = threading.Lock()
        self._held: dict[str, list[str]] = {}
        self._thread: threading.Thread | None = None

    def add(self, lease: str, keys: list[str]) -> None:
        """Renew ``lease`` (held under ``keys``) until :meth:`remove`."""
        with self._guard:
            self._held[lease] = keys
            # A forked child inherits the record of its parent's thread, but not the thread.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="unified-accounting-lease-renewal", daemon=True)
                self._thread.start()

    def remove(self, lease: str) -> None:
        """Stop renewing ``lease`` (its holder releases it, or it was lost)."""
        with self._guard:
            self._held.pop(lease, None)

    def _run(self) -> None:
        while True:
            time.sleep(self._interval)
            with self._guard:
                if not self._held:
                    self._thread = None
                    return
                held = list(self._held.items())
            for lease, keys in held:
                self._renew_one(lease, keys)

    def _renew_one(self, lease: str, keys: list[str]) -> None:
        try:
            lost = self._renew(keys, lease)
        except self._errors:  # the next tick tries again; the lease TTL is the backstop
            _log.warning("could not renew a limiter lease; retrying", exc_info=True)
            return
        with self._guard:
            if lost and lease in self._held:
                del self._held[lease]
                _log.warning("a limiter lease expired before it could be renewed")
