"""Files going up as attachments: where they come from, and the provider's limits.

A file to upload is a path or a binary file object that can seek (its size must be known
before anything is sent, and a retry reads it again from where it started).
:func:`prepare_upload` checks it against the provider's :class:`UploadLimits` (size and media
type) and fills the model's ``size`` and ``mime_type`` before any request; the provider then
reads the file in chunks while it sends it (:class:`FileSource.chunks`), so the file is never
held whole in memory.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, BinaryIO

from unified_accounting.attachment_models import Attachment
from unified_accounting.errors import ValidationError
from unified_accounting.http.streaming import CHUNK_BYTES

__all__ = ["FileLike", "FileSource", "UploadLimits", "attachment_for", "document_of",
           "prepare_upload"]

FileLike = str | os.PathLike[str] | BinaryIO | IO[bytes]
"""What an upload takes: a path, or a binary file object that can seek."""


@dataclass(frozen=True)
class UploadLimits:
    """What a provider takes as an attachment.

    Attributes:
        max_bytes: the largest file.
        mime_types: the media types it accepts (lower case).
        provider: named in error messages.
    """

    max_bytes: int
    mime_types: frozenset[str]
    provider: str


def _fail(field: str, message: str, provider: str | None = None) -> ValidationError:
    return ValidationError({field: [message]}, provider=provider)


class FileSource:
    """A file to send: its name, its size and its bytes, read again for every attempt.

    Raises:
        ValidationError: (``file``) the path cannot be opened, or the object is not a binary
            file that can seek.
    """

    def __init__(self, file: FileLike) -> None:
        self._path: Path | None = None
        self._handle: IO[bytes] | None = None
        if isinstance(file, str | os.PathLike):
            self._path = Path(file)
            try:
                self.size = self._path.stat().st_size
            except OSError as exc:
                raise _fail("file", f"cannot read {self._path}: {exc.strerror}") from None
            if not self._path.is_file():
                raise _fail("file", f"{self._path} is not a file")
            self.name: str | None = self._path.name
            return
        if not (hasattr(file, "read") and hasattr(file, "seek") and file.seekable()):
            raise _fail("file", "give a path or a binary file object that can seek (its size "
                                "must be known before sending, and a retry reads it again)")
        self._handle = file
        self._start = file.tell()
        self.size = file.seek(0, os.SEEK_END) - self._start
        file.seek(self._start)
        name = getattr(file, "name", None)
        self.name = Path(name).name if isinstance(name, str) else None

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes from its start, :data:`CHUNK_BYTES` at a time.

        Raises:
            ValidationError: (``file``) the file changed size since it was measured (the
                request announced that size, so what was sent is refused).
        """
        if self._path is not None:
            with self._path.open("rb") as handle:
                yield from self._read(handle)
            return
        assert self._handle is not None
        self._handle.seek(self._start)
        yield from self._read(self._handle)

    def _read(self, handle: IO[bytes]) -> Iterator[bytes]:
        left = self.size
        while left > 0:
            chunk = handle.read(min(CHUNK_BYTES, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
        if left or handle.read(1):
            raise _fail("file", f"the file changed while it was sent (it was {self.size:,} "
                                "bytes when measured)")


def _mime_type_of(model: Attachment) -> str | None:
    if model.mime_type:
        return model.mime_type.lower()
    guessed, _ = mimetypes.guess_type(model.file_name, strict=False)
    return guessed


def prepare_upload(model: Attachment, file: Any, limits: UploadLimits
                   ) -> tuple[Attachment, FileSource]:
    """Check a file against the provider's limits before anything is sent.

    Returns:
        The model with ``size`` (measured) and ``mime_type`` (guessed from the file name
        when not given) filled in, and the file to send.

    Raises:
        ValidationError: naming ``file`` (missing, unreadable, too large or empty) or
            ``mime_type`` (unknown, or a type the provider does not take), each problem at
            once.
    """
    if file is None:
        raise _fail("file", "an attachment needs its file: create(model, file=path or "
                            "binary file object)", limits.provider)
    source = FileSource(file)
    errors: dict[str, list[str]] = {}
    if source.size > limits.max_bytes:
        errors["file"] = [f"is {source.size:,} bytes; {limits.provider} takes files of at "
                          f"most {limits.max_bytes:,} bytes"]
    elif source.size == 0:
        errors["file"] = ["is empty"]
    mime_type = _mime_type_of(model)
    if mime_type is None:
        errors["mime_type"] = [f"cannot be told from the file name {model.file_name!r}; give "
                               "it (e.g. application/pdf)"]
    elif mime_type not in limits.mime_types:
        errors["mime_type"] = [f"{mime_type} is not a type {limits.provider} takes; it takes "
                               f"{_listed(limits.mime_types)}"]
    if errors:
        raise ValidationError(errors, provider=limits.provider)
    return replace(model, size=source.size, mime_type=mime_type), source


def _listed(values: Collection[str]) -> str:
    return ", ".join(sorted(values))


def document_of(value: Any, field: str = "attached_to") -> tuple[str, str]:
    """A document as ``(kind, id)``, from a pair or from ``"kind:id"`` text.

    Raises:
        ValidationError: naming ``field``, for anything else.
    """
    if isinstance(value, str) and ":" in value:
        value = tuple(value.split(":", 1))
    if (isinstance(value, tuple | list) and len(value) == 2
            and all(isinstance(part, str) and part for part in value)):
        return str(value[0]), str(value[1])
    raise _fail(field, "give the document as (kind, id) or 'kind:id', e.g. ('invoice', id)")


def attachment_for(file: Any, attached_to: tuple[str, str] | str, *, file_name: str | None = None,
                   mime_type: str | None = None,
                   description: str | None = None) -> Attachment:
    """The model of a file to upload, named after the file unless ``file_name`` is given.

    Raises:
        ValidationError: (``attached_to``) not a ``(kind, id)`` pair or ``"kind:id"``;
            (``file_name``) a file object without a name and no ``file_name``.
    """
    kind, document_id = document_of(attached_to)
    name = file_name or (FileSource(file).name if file is not None else None)
    if not name:
        raise _fail("file_name", "the file object has no name; give file_name")
    # The kind is checked with the rest of the model (validate_model).
    return Attachment(file_name=name, mime_type=mime_type, description=description,
                      attached_to_kind=kind, attached_to_id=document_id)  # type: ignore[arg-type]
