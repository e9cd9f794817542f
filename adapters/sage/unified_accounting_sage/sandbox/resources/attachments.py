"""attachments: files kept with documents, and the attachment context types they name.

An upload is JSON with the file as base64 (``{"attachment": {"file": "...", "file_name":
..., "mime_type": ..., "attachment_context_type_id": ..., "attachment_context_id": ...}}``);
the sandbox checks it as :mod:`unified_accounting_sage.attachment_rules` says (size, media
type, a known context whose document exists), decodes it to a file of its own and keeps only
the metadata as the record. ``GET /attachments/{key}/file`` (``Accept:
application/octet-stream``) streams that file back piece by piece. Files live in a temporary
folder for the life of the sandbox's store; records are never sent with their file.
"""

from __future__ import annotations

import base64
import binascii
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from unified_accounting.sandbox_kit.wire import SandboxResponse
from unified_accounting_sage.attachment_rules import (
    CONTEXT_COLLECTIONS,
    CONTEXT_TYPES,
    MIME_TYPES,
)
from unified_accounting_sage.sandbox.errors import SageError, blank, invalid, not_found
from unified_accounting_sage.sandbox.listing import envelope, since
from unified_accounting_sage.sandbox.listing import list_reply as _list
from unified_accounting_sage.sandbox.messages import path_for, ref, ref_of
from unified_accounting_sage.sandbox.resources.common import delete_record, getter, touch
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route, new_id
from unified_accounting_sage.sandbox.store import Record, Store

__all__ = ["ROUTES"]

_COLLECTION = "attachments"
_TYPES = "attachment_context_types"
_PIECE = 64 * 1024
_FOLDERS: weakref.WeakKeyDictionary[Store, Path] = weakref.WeakKeyDictionary()


def _folder(store: Store) -> Path:
    """The folder holding the files of one store (removed when the store goes)."""
    folder = _FOLDERS.get(store)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="sage-sandbox-files-"))
        weakref.finalize(store, shutil.rmtree, str(folder), True)
        _FOLDERS[store] = folder
    return folder


def _file_of(ctx: Ctx, record_id: str) -> Path:
    return _folder(ctx.store) / f"{ctx.business_id}-{record_id}"


def _context_type(type_id: str) -> dict[str, str]:
    return ref(_TYPES, type_id, CONTEXT_TYPES[type_id])


def _max_bytes(ctx: Ctx) -> int:
    return int(ctx.caches.attachment_max_bytes)


def _decoded(data: dict[str, Any], limit: int) -> bytes:
    """The file of an upload, checked; 422 naming the field otherwise."""
    encoded = data["file"]
    if not isinstance(encoded, str) or len(encoded) > 4 * ((limit + 2) // 3) + 4:
        # Refused before decoding: a file over the limit is never held whole.
        raise invalid("file_size", f"must be less than or equal to {limit}")
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("file", "is not valid base64") from None
    if len(content) > limit:
        raise invalid("file_size", f"must be less than or equal to {limit}")
    declared = data.get("file_size")
    if declared is not None and declared != len(content):
        raise invalid("file_size", "does not match the size of the file")
    return content


def _context(ctx: Ctx, data: dict[str, Any]) -> tuple[str, Record]:
    type_id = data.get("attachment_context_type_id")
    if not type_id:
        raise blank("attachment_context_type_id")
    if type_id not in CONTEXT_TYPES:
        raise invalid("attachment_context_type_id", "is not included in the list")
    document = ctx.require(CONTEXT_COLLECTIONS[type_id], data.get("attachment_context_id"),
                           "attachment_context_id")
    return str(type_id), document


def _create(ctx: Ctx, key: str | None) -> Reply:
    data = ctx.wrapped("attachment")
    for name in ("file", "file_name", "mime_type"):
        if not data.get(name):
            raise blank(name)
    if str(data["mime_type"]).lower() not in MIME_TYPES:
        raise invalid("mime_type", "is not included in the list")
    type_id, document = _context(ctx, data)
    content = _decoded(data, _max_bytes(ctx))
    record_id = new_id()
    name = str(data["file_name"])
    _file_of(ctx, record_id).write_bytes(content)
    record: Record = {
        "id": record_id, "displayed_as": name, "$path": path_for(_COLLECTION, record_id),
        "file_name": name, "mime_type": str(data["mime_type"]).lower(),
        "description": data.get("description"),
        "file_extension": data.get("file_extension") or Path(name).suffix,
        "file_size": len(content), "is_public": bool(data.get("is_public", False)),
        "transaction": None, "$file_path": path_for(_COLLECTION, record_id) + "/file",
        "attachment_context_type": _context_type(type_id),
        "attachment_context": ref_of(CONTEXT_COLLECTIONS[type_id], document),
        "created_at": ctx.stamp, "updated_at": ctx.stamp, "deleted_at": None,
    }
    ctx.store.insert(ctx.business_id, _COLLECTION, record)
    return 201, record


def _update(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require(_COLLECTION, key)
    data = ctx.wrapped("attachment")
    if "file" in data:
        raise invalid("file", "cannot be replaced; delete the attachment and upload again")
    for name in ("description", "is_public", "file_name"):
        if name in data:
            record[name] = data[name]
    record["displayed_as"] = record["file_name"]
    touch(ctx, _COLLECTION, record)
    return 200, record


def _delete(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require(_COLLECTION, key)
    delete_record(ctx, _COLLECTION, record)
    _file_of(ctx, record["id"]).unlink(missing_ok=True)
    return 204, None


def _in_context(value: str) -> Any:
    return lambda record: (record.get("attachment_context") or {}).get("id") == value


def _of_type(value: str) -> Any:
    return lambda record: (record.get("attachment_context_type") or {}).get("id") == value


def _list_attachments(ctx: Ctx, key: str | None) -> Reply:
    pair = ("attachment_context_id", "attachment_context_type_id")
    given = [name for name in pair if ctx.query.get(name)]
    if len(given) == 1:
        other = pair[1] if given[0] == pair[0] else pair[0]
        raise invalid(other, f"is required when filtering by {given[0]}")
    filters = {"updated_or_created_since": since(), "attachment_context_id": _in_context,
               "attachment_context_type_id": _of_type}
    return _list(ctx, _COLLECTION, filters, deletable=True,
                 sortable=("created_at", "updated_at"))


def _pieces(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while piece := handle.read(_PIECE):
            yield piece
    finally:
        handle.close()


def _download(ctx: Ctx, key: str | None) -> Reply:
    record = ctx.require(_COLLECTION, key)
    accept = ctx.headers.get("accept", "")
    if "application/octet-stream" not in accept:
        raise SageError(406, [("NotAcceptable", "Set the Accept header to "
                                                "application/octet-stream to get the file", "")])
    handle = _file_of(ctx, record["id"]).open("rb")  # opened now: a later delete cannot race
    headers = {"Content-Type": str(record["mime_type"]),
               "Content-Disposition": f'attachment; filename="{record["file_name"]}"'}
    return 200, SandboxResponse(200, headers, stream=lambda: _pieces(handle),
                                length=int(record["file_size"]))


def _types(ctx: Ctx, key: str | None) -> Reply:
    return 200, envelope(ctx, _TYPES, [_context_type(type_id) for type_id in CONTEXT_TYPES])


def _one_type(ctx: Ctx, key: str | None) -> Reply:
    if key is None or key not in CONTEXT_TYPES:
        raise not_found()
    return 200, _context_type(key)


ROUTES = [
    Route("GET", "/attachments", _list_attachments),
    Route("POST", "/attachments", _create, wrapper="attachment"),
    Route("GET", "/attachments/{key}", getter(_COLLECTION)),
    Route("PUT", "/attachments/{key}", _update, wrapper="attachment"),
    Route("DELETE", "/attachments/{key}", _delete),
    Route("GET", "/attachments/{key}/file", _download),
    Route("GET", "/attachment_context_types", _types),
    Route("GET", "/attachment_context_types/{key}", _one_type),
]
