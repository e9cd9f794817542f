"""``client.attachments``: Sage ``/attachments``, files kept with invoices, credit notes,
contacts and journals.

An upload is checked against Sage's limits first (:mod:`unified_accounting_sage.
attachment_rules`; the ``attachment_max_bytes`` setting lowers or raises the size limit) and
then sent as JSON whose ``file`` is the file's base64 text, encoded while it is sent
(:class:`~unified_accounting.http.streaming.StreamedBody`): the file is never held whole, and
a retry after a lost answer reads it again and carries the same ``idempotency_id``. Lists and
reads ask only for the metadata (``attributes``), never for ``file``. ``download`` streams
``/attachments/{id}/file`` into a file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from unified_accounting.attachments import (
    FileLike,
    UploadLimits,
    attachment_for,
    document_of,
    prepare_upload,
)
from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.http.streaming import StreamedField
from unified_accounting.models import Attachment
from unified_accounting.provider import ProviderContext
from unified_accounting.validation import validate_model
from unified_accounting_sage.attachment_rules import MAX_FILE_BYTES, MIME_TYPES
from unified_accounting_sage.handlers.base import SageHandler, check_options, path_of
from unified_accounting_sage.handlers.credit_notes import CreditNoteHandler
from unified_accounting_sage.handlers.invoices import InvoiceHandler
from unified_accounting_sage.handlers.query import Filter, timestamp
from unified_accounting_sage.handlers.split import SplitHandler
from unified_accounting_sage.mappers import attachments

__all__ = ["AttachmentHandler"]

_FIXED_CONTEXTS = {"contact": "CONTACT", "journal_entry": "JOURNAL"}
_SPLIT_CONTEXTS: Mapping[str, tuple[type[SplitHandler[Any]], str]] = {
    "invoice": (InvoiceHandler, "INVOICE"),
    "credit_note": (CreditNoteHandler, "CREDIT_NOTE"),
}
_ATTRIBUTES = ",".join(attachments.ATTRIBUTES)


def _refuse(path: str, message: str) -> ValidationError:
    return ValidationError({path: [message]}, provider="sage")


class AttachmentHandler(SageHandler[Attachment]):
    """Attachments: list, get, create (upload), delete, deletions, and ``download``.

    Filters: ``updated_since``, ``attached_to`` (a ``(kind, id)`` pair or ``"kind:id"``:
    the files of one document).
    """

    resource = "attachments"
    collection = "attachments"
    wrapper = attachments.WRAPPER_KEY
    operations = frozenset({"list", "get", "create", "delete", "list_deleted", "upload",
                            "download"})
    filters = {"updated_since": Filter("updated_or_created_since", timestamp)}
    own_filters = frozenset({"attached_to"})
    page_sort = "created_at:asc"

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        # (kind, id) -> context type: an invoice's or credit note's type is asked once.
        self._context_types: dict[tuple[str, str], str] = {}

    def to_model(self, raw: Mapping[str, Any], remote: bool = False) -> Attachment:
        """Map one Sage attachment."""
        return attachments.to_unified(raw, business_id=self.business_id, include_remote=remote)

    def limits(self) -> UploadLimits:
        """Sage's limits (the ``attachment_max_bytes`` setting replaces the size limit)."""
        size = self.context.settings.get("attachment_max_bytes", MAX_FILE_BYTES)
        return UploadLimits(max_bytes=int(size), mime_types=MIME_TYPES, provider="Sage")

    # -- reading -------------------------------------------------------------------------

    def list_params(self, filters: Mapping[str, Any]) -> dict[str, str]:
        """The metadata attributes, ``updated_or_created_since`` and the document filter."""
        attached_to = filters.get("attached_to")
        passed = {name: value for name, value in filters.items() if name != "attached_to"}
        params = {**super().list_params(passed), "attributes": _ATTRIBUTES}
        if attached_to is not None:
            kind, document_id = document_of(attached_to)
            params["attachment_context_type_id"] = self.context_type(kind, document_id,
                                                                     "attached_to")
            params["attachment_context_id"] = document_id
        return params

    def get(self, id: str) -> Attachment:
        """``GET /attachments/{id}`` (the metadata, without the file)."""
        answer = self.transport.request("GET", path_of(self.collection, id),
                                        params={"attributes": _ATTRIBUTES})
        return self.to_model(self.record(answer.json()), self.tenant.include_remote())

    def context_type(self, kind: str, document_id: str, path: str = "attached_to_kind") -> str:
        """The Sage context type of a document (an invoice's or credit note's type is looked
        up when this connection has not seen it).

        Raises:
            ValidationError: a kind Sage keeps no files for, or no such invoice or credit
                note.
        """
        if kind in _FIXED_CONTEXTS:
            return _FIXED_CONTEXTS[kind]
        if kind not in _SPLIT_CONTEXTS:
            kinds = ", ".join(sorted([*_FIXED_CONTEXTS, *_SPLIT_CONTEXTS]))
            raise _refuse(path, f"Sage keeps files with {kinds}; not with {kind!r}")
        known = self._context_types.get((kind, document_id))
        if known is not None:
            return known
        handler_class, suffix = _SPLIT_CONTEXTS[kind]
        try:
            document_type = handler_class(self.context).kind_of(document_id)
        except NotFoundError:
            raise _refuse("attached_to_id" if path == "attached_to_kind" else path,
                          f"there is no {kind.replace('_', ' ')} {document_id} in this "
                          "business") from None
        found = self._context_types[kind, document_id] = f"{str(document_type).upper()}_{suffix}"
        return found

    # -- writing -------------------------------------------------------------------------

    def create(self, model: Attachment, **options: Any) -> Attachment:
        """``POST /attachments`` with the file streamed in as base64; option ``file`` (a
        path or a binary file object that can seek) is required.

        Raises:
            ValidationError: before anything is sent, naming ``file`` (missing, unreadable,
                empty or over the size limit), ``mime_type`` (not PDF, JPEG or PNG) or
                ``attached_to_kind``/``attached_to_id`` (no such document).
        """
        check_options(options, {"file"}, "attachments.create")
        model, source = prepare_upload(model, options.get("file"), self.limits())
        context_type = self.context_type(model.attached_to_kind, model.attached_to_id)
        answer = self.transport.request(
            "POST", path_of(self.collection),
            json={self.wrapper: attachments.to_sage(model, context_type)},
            idempotency_key=self.transport.new_idempotency_key(),
            streamed=StreamedField((self.wrapper, "file"), source.chunks, source.size))
        return self.to_model(self.record(answer.json()), self.tenant.include_remote())

    def upload(self, file: FileLike, attached_to: tuple[str, str] | str, *,
               file_name: str | None = None, mime_type: str | None = None,
               description: str | None = None) -> Attachment:
        """Attach ``file`` to a document: ``upload("bill.pdf", ("invoice", invoice.id))``.

        The name is the file's own unless ``file_name`` is given; the media type is guessed
        from the name unless ``mime_type`` is given.
        """
        model = attachment_for(file, attached_to, file_name=file_name, mime_type=mime_type,
                               description=description)
        validate_model(model)
        return self.create(model, file=file)

    def download(self, id: str, to: str | os.PathLike[str] | BinaryIO) -> int:
        """Write the file of attachment ``id`` to a path or a binary file object, as it
        arrives (``GET /attachments/{id}/file``).

        Returns:
            The number of bytes written.

        Raises:
            NotFoundError: there is no such attachment (a path given is then not created).
        """
        path = path_of(self.collection, id, "file")
        accept = {"Accept": "application/octet-stream"}
        if not isinstance(to, str | os.PathLike):
            return self.transport.download(path, to, headers=accept)
        target = Path(to)
        try:
            with target.open("wb") as sink:
                return self.transport.download(path, sink, headers=accept)
        except BaseException:
            with contextlib.suppress(OSError):
                target.unlink()  # never leave half a file behind
            raise
