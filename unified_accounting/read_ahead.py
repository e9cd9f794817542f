"""Fetching the next page of a list on a background thread while the caller reads this one.

:class:`ReadAhead` wraps any iterator (of pages): one thread runs it and hands each item over
one at a time, and it asks its source for the next item only once the reader has taken the
previous one: while the reader works on page ``n`` the thread fetches page ``n + 1`` and no
further, so memory stays flat however long the list. An error the source raises is raised by
``next()`` at the point in the sequence where it happened, after every item before it. When
the caller stops early (``close()``, or the iterator is dropped), the thread stops after the
page it is fetching.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

__all__ = ["ReadAhead"]

T = TypeVar("T")

_POLL_SECONDS = 0.05  # how soon a blocked producer notices that the reader has gone


class _Shared(Generic[T]):
    """What the thread and the reader share; the thread never holds the reader itself, so a
    dropped reader is collected and its finaliser can stop the thread."""

    def __init__(self) -> None:
        self.slots: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
        self.stopped = threading.Event()
        # One permit per item the thread may fetch: the first at once, each later one when
        # the reader takes the item before it (a full queue alone would let the thread fetch
        # a second item while the first waits there).
        self.fetches = threading.Semaphore(1)

    def may_fetch(self) -> bool:
        """Wait until the reader has taken the last item handed over (False once stopped)."""
        while not self.stopped.is_set():
            if self.fetches.acquire(timeout=_POLL_SECONDS):
                return not self.stopped.is_set()
        return False

    def hand_over(self, kind: str, value: object) -> bool:
        while not self.stopped.is_set():
            try:
                self.slots.put((kind, value), timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False


_END = object()  # what ``next(source, _END)`` gives when the source is used up


def _produce(source: Iterator[T], shared: _Shared[T]) -> None:
    try:
        while shared.may_fetch():
            item = next(source, _END)
            if item is _END:
                shared.hand_over("end", None)
                return
            if not shared.hand_over("item", item):
                return
    except BaseException as exc:
        shared.hand_over("error", exc)


class ReadAhead(Iterator[T]):
    """Iterate ``source`` on a daemon thread, one item ahead of the reader."""

    def __init__(self, source: Iterator[T], *, name: str = "unified-accounting-read-ahead"):
        self._shared: _Shared[T] = _Shared()
        self._done = False
        self._thread = threading.Thread(target=_produce, args=(source, self._shared),
                                        name=name, daemon=True)
        self._thread.start()

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        kind, value = self._shared.slots.get()
        if kind == "item":
            self._shared.fetches.release()
            return value  # type: ignore[return-value]
        self._done = True
        self._thread.join()
        if kind == "error":
            assert isinstance(value, BaseException)
            raise value
        raise StopIteration

    def close(self) -> None:
        """Stop the thread (it finishes the request in flight) and drop what it fetched."""
        self._done = True
        self._shared.stopped.set()
        while True:
            try:
                self._shared.slots.get_nowait()
            except queue.Empty:
                break
        self._thread.join()

    def __del__(self) -> None:
        self._shared.stopped.set()
