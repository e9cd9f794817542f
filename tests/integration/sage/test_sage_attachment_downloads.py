"""A download cut off mid-body: fetched again into a file that rewinds, refused into a stream
that cannot (it already holds part of the file)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from support.hostile_server import Answer, HostileServer, hostile_server

import unified_accounting as ua
from tests.support.files import pdf_bytes

CONTENT = pdf_bytes(300_000)
PATH = "/attachments/a1/file"


class Stream(io.RawIOBase):
    """A write-only sink that cannot seek (a pipe, standard output)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, piece: bytes) -> int:  # type: ignore[override]
        self.data += piece
        return len(piece)


def _cut_once(server: HostileServer) -> None:
    attempts: list[int] = []

    def answer(out: BinaryIO) -> None:
        attempts.append(1)
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n"
                f"Content-Length: {len(CONTENT)}\r\n\r\n").encode()
        out.write(head + (CONTENT[:100_000] if len(attempts) == 1 else CONTENT))
        out.flush()

    server.routes[PATH] = Answer(raw=answer)


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server() as running:
        yield running


def _client(server: HostileServer) -> ua.Client:
    return ua.connect("sage", access_token="t" * 40, business_id="b1",
                      settings={"base_url": server.origin}, sleep=lambda s: None,
                      jitter=lambda ceiling: 0.0)


def test_a_file_cut_off_is_fetched_again_from_its_start(
    server: HostileServer, tmp_path: Path
) -> None:
    _cut_once(server)
    target = tmp_path / "copy.pdf"
    with _client(server) as client:
        assert client.attachments.download("a1", target) == len(CONTENT)
    assert target.read_bytes() == CONTENT
    assert [r.split("?")[0] for r in server.requests] == [f"GET {PATH}"] * 2


def test_a_stream_that_cannot_rewind_is_not_written_twice(server: HostileServer) -> None:
    _cut_once(server)
    sink = Stream()
    with _client(server) as client, pytest.raises(ua.ProviderUnavailableError):
        client.attachments.download("a1", sink)  # type: ignore[arg-type]
    assert bytes(sink.data) == CONTENT[:len(sink.data)]
    assert len(server.requests) == 1
