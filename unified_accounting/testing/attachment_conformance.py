"""The attachment part of the conformance suite (mixed into
:class:`~unified_accounting.testing.ProviderConformance`).

It needs the ``attachments`` sample (a function returning an :class:`~unified_accounting.
Attachment` naming a document that exists) and ``attachment_file`` (the file it uploads);
without them, or at a provider without attachments, its tests are skipped.
"""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path
from typing import Any

import pytest

from unified_accounting.client import Client, Resource
from unified_accounting.errors import NotFoundError, ValidationError

__all__ = ["AttachmentConformance"]

_HUGE = 4 * 1024**3  # larger than any provider takes


def _uploads(client: Client, samples: Any) -> tuple[Resource[Any], Any, Any]:
    resource: Resource[Any] = client.attachments
    missing = [op for op in ("create", "download") if not resource.supports(op)]
    if missing:
        pytest.skip(f"{client.provider} does not support attachments.{', '.join(missing)}")
    make = samples.new_records.get("attachments")
    if make is None or samples.attachment_file is None:
        pytest.skip("no sample attachment and file")
    return resource, make(), samples.attachment_file()


def _content(file: Any) -> bytes:
    if isinstance(file, str | os.PathLike):
        return Path(file).read_bytes()
    start = file.tell()
    data: bytes = file.read()
    file.seek(start)
    return data


class AttachmentConformance:
    """Upload, download and the limits checked before sending."""

    def test_an_uploaded_file_downloads_byte_for_byte(
        self, ua_client: Client, ua_samples: Any, tmp_path: Path
    ) -> None:
        resource, sample, file = _uploads(ua_client, ua_samples)
        expected = _content(file)
        created = resource.create(sample, file=file)
        assert created.size == len(expected)
        assert created.attached_to == sample.attached_to
        sink = io.BytesIO()
        assert resource.download(created.id, sink) == len(expected)
        assert sink.getvalue() == expected
        target = tmp_path / "copy"
        resource.download(created.id, target)
        assert target.read_bytes() == expected
        assert created.id in {found.id for found in
                              resource.list(attached_to=sample.attached_to)}

    def test_a_missing_attachment_downloads_nothing(
        self, ua_client: Client, ua_samples: Any, tmp_path: Path
    ) -> None:
        resource, _, _ = _uploads(ua_client, ua_samples)
        target = tmp_path / "never"
        with pytest.raises(NotFoundError):
            resource.download(ua_samples.missing_id, target)
        assert not target.exists()

    def test_a_file_the_provider_refuses_is_never_sent(
        self, ua_client: Client, ua_samples: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
    ) -> None:
        resource, sample, _ = _uploads(ua_client, ua_samples)
        huge = tmp_path / "huge.pdf"
        with huge.open("wb") as handle:
            handle.truncate(_HUGE)  # sparse: measured, never read
        sent: list[Any] = []
        session = ua_client.context.transport.session
        monkeypatch.setattr(session, "request", lambda *a, **k: sent.append(a))
        refusals = {"file": [huge, io.BytesIO(b""), b"not a file object"]}
        for field, files in refusals.items():
            for bad in files:
                with pytest.raises(ValidationError) as caught:
                    resource.create(sample, file=bad)
                assert field in caught.value.errors
        wrong_type = dataclasses.replace(sample, mime_type="application/x-msdownload")
        with pytest.raises(ValidationError) as typed:
            resource.create(wrong_type, file=io.BytesIO(b"MZ\x90\x00"))
        assert "mime_type" in typed.value.errors
        assert sent == []
