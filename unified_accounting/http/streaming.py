"""Bodies too large to hold in memory: files going up inside JSON, and files coming down.

Going up, a provider may want a file as a base64 string inside a JSON body (Sage's
attachments). :class:`StreamedBody` produces that body piece by piece: the JSON before the
file, the file read and encoded :data:`CHUNK_BYTES` at a time, then the JSON after it. It
knows its length in advance, so it is sent with a ``Content-Length`` and never exists whole;
each attempt reads the file again from its start.

Coming down, :func:`copy_body` writes a streamed response to a binary file as it arrives.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import requests

from unified_accounting.http.body import encode_json

__all__ = ["CHUNK_BYTES", "StreamedBody", "StreamedField", "base64_pieces", "copy_body",
           "encoded_length"]

CHUNK_BYTES = 3 * 16 * 1024
"""Bytes of a file read (and encoded) at a time: 48 KiB, a multiple of 3, so that every piece
but the last encodes to base64 without padding and the pieces join into one valid text."""

# Stands in for the file while the rest of the body is encoded; a JSON encoder writes the
# control characters as escapes, which no ordinary value produces.
_MARKER = "\x00\x01streamed-file\x01\x00"


def encoded_length(size: int) -> int:
    """Length of the base64 text of ``size`` bytes (padding included)."""
    return 4 * ((size + 2) // 3)


def base64_pieces(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Encode a stream of bytes as one base64 text, piece by piece.

    Each piece encodes a multiple of 3 bytes (a short chunk's remainder is carried into the
    next one), so only the last piece may end with padding.
    """
    rest = b""
    for chunk in chunks:
        data = rest + chunk if rest else chunk
        cut = len(data) - len(data) % 3
        rest = data[cut:]
        if cut:
            yield base64.b64encode(data[:cut])
    if rest:
        yield base64.b64encode(rest)


@dataclass(frozen=True)
class StreamedField:
    """A JSON string field whose value is a file's base64 text, encoded while it is sent.

    Attributes:
        path: where the field sits in the JSON body (``("attachment", "file")``).
        read: returns the file's bytes from its start, in chunks (called once per attempt).
        size: the file's length in bytes.
    """

    path: tuple[str, ...]
    read: Callable[[], Iterator[bytes]]
    size: int


def _with_marker(envelope: Any, path: tuple[str, ...]) -> Any:
    """A copy of ``envelope`` with the marker at ``path`` (only the dicts on the way copied)."""
    if not path:
        return _MARKER
    if not isinstance(envelope, dict):
        raise ValueError(f"no JSON object to hold the streamed field {'.'.join(path)}")
    return {**envelope, path[0]: _with_marker(envelope.get(path[0], {}), path[1:])}


class StreamedBody:
    """The bytes of a JSON body with one streamed field: sized, and iterable once per
    attempt (``requests`` sends such an object with its ``Content-Length``, piece by
    piece).

    Raises:
        ValueError: the envelope has no object at the field's path.
    """

    def __init__(self, envelope: Any, field: StreamedField) -> None:
        encoded = encode_json(_with_marker(envelope, field.path))
        token = json.dumps(_MARKER).encode()
        head, found, tail = encoded.partition(token)
        if not found:  # pragma: no cover - the marker is always encoded as given
            raise ValueError("the streamed field was lost while encoding the body")
        self.head, self.tail = head + b'"', b'"' + tail
        self.field = field

    def __len__(self) -> int:
        return len(self.head) + encoded_length(self.field.size) + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        yield from base64_pieces(self.field.read())
        yield self.tail


def copy_body(response: requests.Response, sink: BinaryIO) -> Iterator[int]:
    """Write a streamed response's body to ``sink`` as it arrives, yielding the length of
    each piece written (so that a caller knows how much landed if the body breaks off)."""
    for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
        sink.write(chunk)
        yield len(chunk)
