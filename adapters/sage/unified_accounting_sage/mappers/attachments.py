"""Attachments: unified ``Attachment`` <-> Sage ``/attachments``.

``file_name``, ``mime_type``, ``description`` keep their names; ``size`` <-> ``file_size``;
the document is ``attachment_context_type`` (``SALES_INVOICE``, ``CONTACT``, ...) and
``attachment_context`` (its id), read into ``attached_to_kind`` (``invoice``, ``contact``,
...; ``other`` for a context without a unified model) and ``attached_to_id``. The write body
also carries ``file_extension`` (from the file name, else the media type) and the file
itself, which the handler streams in as base64.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from unified_accounting.models import Attachment
from unified_accounting_sage.attachment_rules import UNIFIED_KIND
from unified_accounting_sage.json_values import ref_id
from unified_accounting_sage.mappers._common import compact, remote, stamps

__all__ = ["ATTRIBUTES", "WRAPPER_KEY", "to_sage", "to_unified"]

WRAPPER_KEY = "attachment"
#: Sage fields the mapper reads (never ``file``: a list must not carry the files).
ATTRIBUTES = ("file_name", "mime_type", "description", "file_extension", "file_size",
              "attachment_context_type", "attachment_context", "created_at", "updated_at")


def to_unified(raw: Mapping[str, Any], *, business_id: str | None = None,
               include_remote: bool = False) -> Attachment:
    """Map one Sage attachment."""
    context_type = ref_id(raw, "attachment_context_type") or ""
    size = raw.get("file_size")
    return Attachment(
        id=str(raw["id"]), business_id=business_id,
        file_name=str(raw.get("file_name") or raw.get("displayed_as") or ""),
        mime_type=raw.get("mime_type") or None,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        description=raw.get("description") or None,
        attached_to_kind=UNIFIED_KIND.get(context_type, "other"),  # type: ignore[arg-type]
        attached_to_id=ref_id(raw, "attachment_context") or "",
        **stamps(raw), remote_data=remote(raw, include_remote))


def _extension(model: Attachment) -> str | None:
    suffix = PurePath(model.file_name).suffix.lstrip(".")
    if suffix:
        return suffix.lower()
    guessed = mimetypes.guess_extension(model.mime_type or "", strict=False)
    return guessed.lstrip(".") if guessed else None


def to_sage(model: Attachment, context_type: str) -> dict[str, Any]:
    """The write body without the file (the handler streams it in as ``file``)."""
    return compact({
        "file_name": model.file_name, "mime_type": model.mime_type,
        "description": model.description, "file_extension": _extension(model),
        "file_size": model.size, "attachment_context_type_id": context_type,
        "attachment_context_id": model.attached_to_id,
    })
