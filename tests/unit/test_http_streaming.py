"""Streamed bodies: a file goes up as base64 inside JSON in pieces, never whole; limits are
checked before anything is read."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest

import unified_accounting as ua
from tests.support.files import pdf_bytes
from unified_accounting.attachments import FileSource, UploadLimits, attachment_for, prepare_upload
from unified_accounting.http.streaming import (
    CHUNK_BYTES,
    StreamedBody,
    StreamedField,
    base64_pieces,
    encoded_length,
)

LIMITS = UploadLimits(max_bytes=1_000_000, mime_types=frozenset({"application/pdf"}),
                      provider="Sage")


class SpyFile(io.BytesIO):
    """A binary file that records every read it serves."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        piece = super().read(size)
        self.reads.append(len(piece))
        return piece


def _model(**fields: Any) -> ua.Attachment:
    values: dict[str, Any] = {"file_name": "bill.pdf", "attached_to_kind": "invoice",
                              "attached_to_id": "i1", **fields}
    return ua.Attachment(**values)


def test_base64_pieces_join_into_the_encoding_of_the_whole() -> None:
    data = pdf_bytes(10_007)
    odd_chunks = [data[i:i + n] for i, n in zip(range(0, 10_007, 7), [7] * 1430, strict=False)]
    pieces = list(base64_pieces(odd_chunks))
    assert b"".join(pieces) == base64.b64encode(data)
    assert all(b"=" not in piece and len(piece) % 4 == 0 for piece in pieces[:-1])
    assert len(b"".join(pieces)) == encoded_length(len(data))


def test_the_upload_body_is_produced_in_chunks_and_again_for_a_retry() -> None:
    data = pdf_bytes(5 * CHUNK_BYTES + 1233)
    spy = SpyFile(data)
    source = FileSource(spy)
    body = StreamedBody({"attachment": {"file_name": "bill.pdf", "idempotency_id": "k1"}},
                        StreamedField(("attachment", "file"), source.chunks, source.size))

    pieces = list(body)

    # The file was read CHUNK_BYTES at a time, never whole, and each piece of the body is
    # the JSON head, one encoded chunk, or the JSON tail.
    assert max(spy.reads) == CHUNK_BYTES
    assert sum(spy.reads) == len(data)
    assert len(pieces) == 2 + 6
    assert max(len(piece) for piece in pieces) == encoded_length(CHUNK_BYTES)
    joined = b"".join(pieces)
    assert len(body) == len(joined)
    decoded = json.loads(joined)
    assert decoded["attachment"]["idempotency_id"] == "k1"
    assert base64.b64decode(decoded["attachment"]["file"]) == data
    spy.reads.clear()
    assert b"".join(body) == joined  # a retry reads the file again from its start
    assert sum(spy.reads) == len(data)


def test_a_file_object_is_read_from_where_it_stood() -> None:
    spy = SpyFile(b"skip-" + b"%PDF payload")
    spy.seek(5)
    source = FileSource(spy)
    assert source.size == len(b"%PDF payload")
    assert b"".join(source.chunks()) == b"%PDF payload"
    assert b"".join(source.chunks()) == b"%PDF payload"


def test_a_file_that_changes_while_it_is_sent_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bill.pdf"
    path.write_bytes(b"%PDF 1234")
    source = FileSource(path)
    path.write_bytes(b"%PDF 123456789")
    with pytest.raises(ua.ValidationError, match="changed while it was sent"):
        b"".join(source.chunks())


def test_limits_are_checked_before_anything_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(1_000_001)
    with pytest.raises(ua.ValidationError) as too_big:
        prepare_upload(_model(), huge, LIMITS)
    assert too_big.value.errors == {"file": [
        "is 1,000,001 bytes; Sage takes files of at most 1,000,000 bytes"]}
    with pytest.raises(ua.ValidationError) as both:
        prepare_upload(_model(file_name="virus.exe"), io.BytesIO(b""), LIMITS)
    assert set(both.value.errors) == {"file", "mime_type"}
    assert both.value.errors["file"] == ["is empty"]
    with pytest.raises(ua.ValidationError) as unknown:
        prepare_upload(_model(file_name="no-extension"), io.BytesIO(b"x"), LIMITS)
    assert "cannot be told from the file name" in unknown.value.errors["mime_type"][0]
    with pytest.raises(ua.ValidationError) as wrong:
        prepare_upload(_model(mime_type="image/png"), io.BytesIO(b"x"), LIMITS)
    assert wrong.value.errors["mime_type"] == [
        "image/png is not a type Sage takes; it takes application/pdf"]


@pytest.mark.parametrize("file", [None, b"bytes are not a file", "/no/such/file.pdf"],
                         ids=["missing", "bytes", "no-such-path"])
def test_what_is_not_a_file_is_named(file: Any) -> None:
    with pytest.raises(ua.ValidationError) as caught:
        prepare_upload(_model(), file, LIMITS)
    assert list(caught.value.errors) == ["file"]


def test_a_stream_that_cannot_seek_is_refused() -> None:
    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

    with pytest.raises(ua.ValidationError, match="can seek"):
        FileSource(Pipe())  # type: ignore[arg-type]


def test_the_model_of_an_upload_takes_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF")
    model, source = prepare_upload(attachment_for(path, ("contact", "c1")), path, LIMITS)
    assert (model.file_name, model.mime_type, model.size, model.attached_to) == (
        "scan.pdf", "application/pdf", 4, ("contact", "c1"))
    assert source.name == "scan.pdf"
    with pytest.raises(ua.ValidationError) as unnamed:
        attachment_for(io.BytesIO(b"%PDF"), ("contact", "c1"))
    assert list(unnamed.value.errors) == ["file_name"]
    with pytest.raises(ua.ValidationError) as pair:
        attachment_for(path, "contact")
    assert list(pair.value.errors) == ["attached_to"]
