"""Field makers shared by the record schemas, so that limits are the same everywhere."""

from __future__ import annotations

from typing import Any

from marshmallow import validate

from unified_accounting.schemas.fields import IsoDateTime, NotBlank, RawRecord, Text

__all__ = [
    "ID_MAX",
    "NAME_MAX",
    "NOTES_MAX",
    "display_name",
    "email_address",
    "free_text",
    "identifier",
    "moment",
    "raw_record",
    "text",
]

ID_MAX = 255
NAME_MAX = 255
NOTES_MAX = 10_000
EMAIL_MAX = 254  # the longest address SMTP can carry (RFC 5321 path limit minus brackets)


def identifier(*, required: bool = False, description: str | None = None) -> Text:
    """Return a field for a provider id (opaque text)."""
    meta = {"description": description} if description else None
    return Text(
        min_length=1,
        max_length=ID_MAX,
        required=required,
        allow_none=not required,
        metadata=meta,
    )


def display_name(*, required: bool = True) -> Text:
    """Return a field for a display name; required names must not be blank."""
    return Text(
        min_length=1,
        max_length=NAME_MAX,
        required=required,
        allow_none=not required,
        validate=NotBlank() if required else None,
    )


def text(max_length: int = 255, **kwargs: Any) -> Text:
    """Return an optional text field of at most ``max_length`` characters."""
    kwargs.setdefault("allow_none", True)
    return Text(max_length=max_length, **kwargs)


def free_text() -> Text:
    """Return an optional free-text field."""
    return Text(max_length=NOTES_MAX, allow_none=True)


def email_address() -> Text:
    """Return an optional e-mail address field."""
    return Text(
        max_length=EMAIL_MAX,
        allow_none=True,
        validate=validate.Email(error="must be an e-mail address"),
    )


def raw_record() -> RawRecord:
    """Return the field for the provider's raw record, kept as it came."""
    return RawRecord(
        allow_none=True,
        metadata={"description": "The provider's own record, unchanged, when requested."},
    )


def moment() -> IsoDateTime:
    """Return an optional moment field (``created_at``, ``updated_at``; set by providers)."""
    return IsoDateTime(allow_none=True)
