"""A call's deadline, kept inside a request as well as between attempts.

A read timeout bounds each wait for bytes, not the whole response: a server that sends one
byte every second (a "slow drip", in its headers or its body) never trips a 30-second read
timeout and would hold the calling thread for as long as it likes. So the sockets of the
library's own sessions read through :class:`DeadlineAdapter`: every read waits at most the
smaller of the read timeout and the time left before the call's deadline, and once the
deadline has passed a read fails at once with ``socket.timeout``, which ``requests`` reports as
a timeout or a connection error. The transport then raises a
:class:`~unified_accounting.errors.DeadlineExceededError` naming the request.

The deadline is set per thread with :func:`deadline_within` around the request and the reading
of its body, which is where ``requests`` reads the socket; a response opened without one reads
as usual.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["DeadlineAdapter", "deadline_passed", "deadline_within"]

_current = threading.local()


@contextmanager
def deadline_within(seconds: float | None) -> Iterator[None]:
    """Let the responses this thread opens in the block read for at most ``seconds`` in all.

    ``None`` sets no deadline (each read still has its read timeout). Blocks nest; the inner
    deadline applies inside the inner block.
    """
    previous = getattr(_current, "at", None)
    _current.at = None if seconds is None else time.monotonic() + max(0.0, seconds)
    try:
        yield
    finally:
        _current.at = previous


def deadline_passed() -> bool:
    """Whether the deadline of the enclosing :func:`deadline_within` block has passed."""
    at: float | None = getattr(_current, "at", None)
    return at is not None and time.monotonic() >= at


class _DeadlineReader(io.RawIOBase):
    """The socket reader of one response: each read waits no longer than the time left."""

    def __init__(self, raw: Any, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._deadline = deadline
        timeout = sock.gettimeout()
        self._read_timeout = None if timeout is None else float(timeout)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the call's deadline passed while its response was read")
        wait = left if self._read_timeout is None else min(self._read_timeout, left)
        self._sock.settimeout(wait)
        read: int | None = self._raw.readinto(buffer)
        return read

    def fileno(self) -> int:
        return int(self._raw.fileno())

    def close(self) -> None:
        if not self.closed:
            # Closing the socket's file object only drops its reference to the socket, as
            # http.client expects of the file it reads.
            self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """An ``http.client`` response that reads its status line, headers and body by the
    deadline of the thread that opened it."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        at: float | None = getattr(_current, "at", None)
        if at is not None:
            # Nothing was read yet, so no buffered byte is lost by taking the raw file back.
            raw = self.fp.detach()
            self.fp = io.BufferedReader(_DeadlineReader(raw, sock, at))


class _DeadlineHTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse


class _DeadlineHTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


_POOLS = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections keep the deadline of :func:`deadline_within`.

    The transport mounts it on the session it makes. A caller who injects a session of their
    own can mount it too (``session.mount("https://", DeadlineAdapter())``); without it a call
    still ends at its deadline between attempts, but one slow response may overrun it.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # SOCKS managers bring connection classes of their own; they are left as they are.
        if type(manager) is urllib3.ProxyManager:
            manager.pool_classes_by_scheme = _POOLS
        return manager
