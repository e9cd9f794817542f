"""Fetching the next page of a list on a background thread while the caller reads this one.

:class:`ReadAhead` wraps any iterator (of pages): one thread runs it and hands each item over
through a queue that holds at most one, so at most one page is ever waiting (memory stays
flat however long the list). An error the source raises is raised by ``next()`` at the point
in the sequence where it happened, after every item before it. When the caller stops early
(``close()``, or the iterator is dropped), the thread stops after the page it is fetching.
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

    def hand_over(self, kind: str, value: object) -> bool:
        while not self.stopped.is_set():
            try:
                self.slots.put((kind, value), timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False


def _produce(source: Iterator[T], shared: _Shared[T]) -> None:
    try:
        for item in source:
            if not shared.hand_over("item", item):
                return
    except BaseException as exc:
        shared.hand_over("error", exc)
        return
    shared.hand_over("end", None)


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
