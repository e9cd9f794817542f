"""Schema for attachments: the metadata of a file kept with a document."""

from __future__ import annotations

from typing import get_args

from marshmallow import validate

from unified_accounting.attachment_models import Attachment, AttachmentKind
from unified_accounting.schemas.base import RecordSchema
from unified_accounting.schemas.common import display_name, identifier, moment, raw_record, text
from unified_accounting.schemas.fields import WholeNumber, one_of

__all__ = ["ATTACHMENT_KINDS", "AttachmentSchema"]

ATTACHMENT_KINDS: tuple[str, ...] = get_args(AttachmentKind)

MIME_TYPE = validate.Regexp(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$",
                            error="must be a media type such as application/pdf")


class AttachmentSchema(RecordSchema):
    """A file attached to a document; the file's bytes are not part of the record."""

    model = Attachment

    id = identifier()
    business_id = identifier()
    file_name = display_name()
    mime_type = text(100, validate=MIME_TYPE)
    size = WholeNumber(allow_none=True, validate=validate.Range(
        0, None, error="must not be negative"), metadata={
            "description": "The file's length in bytes (reported by the provider)."})
    description = text(255)
    attached_to_kind = one_of(ATTACHMENT_KINDS, required=True)
    attached_to_id = identifier(required=True,
                                description="The id of the document the file is kept with.")
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()
