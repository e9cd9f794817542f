"""A provider on loopback that measures how many writes to one business overlap in time.

Every POST is answered after a short pause; while it is being answered it counts as in
flight. ``most_at_once`` is the highest number of POSTs that were in flight together, so a
client that serializes its numbered writes shows 1, and one that does not shows more.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from support.hostile_server import Answer, HostileServer, hostile_server
from support.sage_numbered import NUMBERED


class Gauge:
    """Counts writes in flight."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_at_once = 0
        self.writes = 0

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._lock:
            self.in_flight += 1
            self.writes += 1
            self.most_at_once = max(self.most_at_once, self.in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1


def _slow_created(gauge: Gauge, pause: float) -> Callable[[BinaryIO], None]:
    def write(out: BinaryIO) -> None:
        with gauge.writing():
            time.sleep(pause)
            body = json.dumps({"id": uuid.uuid4().hex, "name": "Created",
                               "contact_types": [{"id": "CUSTOMER"}]}).encode()
            out.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                      b"Connection: close\r\n"
                      + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            out.flush()
    return write


@contextmanager
def gauged_provider(collections: tuple[str, ...] = NUMBERED,
                    pause: float = 0.03) -> Iterator[tuple[HostileServer, Gauge]]:
    """A server under ``/v3.1`` whose POSTs to ``collections`` are gauged."""
    gauge = Gauge()
    with hostile_server() as server:
        for name in collections:
            server.routes[f"/v3.1/{name}"] = Answer(raw=_slow_created(gauge, pause))
        yield server, gauge
