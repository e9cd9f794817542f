"""Time helpers used across the library: every moment is an aware UTC datetime.

A naive datetime means UTC (providers send UTC; reading it as the host's local time would
shift it by the host's offset). Text is ISO 8601 with an explicit offset.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["as_utc", "parse_utc", "utc_text", "utcnow"]


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_text(moment: datetime | None) -> str | None:
    """Format ``moment`` as ISO 8601 text in UTC (``None`` stays ``None``)."""
    return None if moment is None else as_utc(moment).isoformat()


def parse_utc(text: str | None) -> datetime | None:
    """Read ISO 8601 text as an aware UTC datetime; text without an offset is UTC.

    Empty text and ``None`` give ``None``.

    Raises:
        ValueError: when the text is not ISO 8601.
    """
    return as_utc(datetime.fromisoformat(text)) if text else None
