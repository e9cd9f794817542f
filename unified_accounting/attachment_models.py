"""Attachments as callers hold them: a file kept with a document (an invoice, a credit note,
a contact, a journal entry).

A plain dataclass like those of :mod:`unified_accounting.models` (which re-exports it);
validation and JSON live in :mod:`unified_accounting.schemas.attachments`. The model holds the
file's metadata only: the file itself goes up with ``client.attachments.create(model,
file=...)`` and comes down with ``client.attachments.download(id, to)``, streamed both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

__all__ = ["Attachment", "AttachmentKind"]

AttachmentKind = Literal["invoice", "credit_note", "contact", "journal_entry", "other"]
"""What an attachment is kept with; ``other`` for a provider's document without a unified
model (its own kind is then in ``remote_data``). ``other`` is read, never written."""


@dataclass(kw_only=True)
class Attachment:
    """A file attached to one document.

    ``attached_to_kind`` and ``attached_to_id`` name the document (``("invoice",
    invoice.id)``); ``size`` is the file's length in bytes, which the provider reports (on
    create it is measured from the file given). The file's bytes are never held here.
    """

    id: str | None = None
    business_id: str | None = None
    file_name: str
    mime_type: str | None = None
    size: int | None = None
    description: str | None = None
    attached_to_kind: AttachmentKind
    attached_to_id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote_data: dict[str, Any] | None = None

    @property
    def attached_to(self) -> tuple[str, str]:
        """``(kind, id)`` of the document the file is kept with."""
        return self.attached_to_kind, self.attached_to_id
