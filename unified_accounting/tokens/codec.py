"""Turning connection records into store columns and back (for store implementations).

Tokens are serialised to JSON (and then encrypted by :mod:`.crypto` when a key is set);
metadata is flattened into plain columns (SQLite) or hash fields (Redis) so that it can be
read, listed and updated without touching the tokens.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.tokens.base import ConnectionInfo, Health

__all__ = [
    "INFO_FIELDS",
    "fingerprint",
    "info_from_fields",
    "iso",
    "parse_time",
    "refreshed_info",
    "token_fields",
    "tokens_from_json",
    "tokens_to_json",
]


def fingerprint(token: Secret | None) -> str | None:
    """A one-way fingerprint of a refresh token, used as the compare-and-swap key.

    Stores compare fingerprints rather than tokens so the comparison also works when the
    tokens themselves are encrypted with a randomised cipher.
    """
    if token is None:
        return None
    return hashlib.sha256(token.reveal().encode("utf-8")).hexdigest()


def iso(moment: datetime | None) -> str | None:
    """Format an aware datetime as UTC ISO 8601 text for a store column."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def parse_time(text: str | None) -> datetime | None:
    """Read a store column written by :func:`iso`."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def tokens_to_json(tokens: TokenSet) -> str:
    """Serialise a token set (secrets included) for a store; encrypt the result if you can."""
    refresh = tokens.refresh_token
    return json.dumps(
        {
            "access_token": tokens.access_token.reveal(),
            "refresh_token": None if refresh is None else refresh.reveal(),
            "expires_at": iso(tokens.expires_at),
            "token_type": tokens.token_type,
            "scope": tokens.scope,
            "refresh_token_expires_at": iso(tokens.refresh_token_expires_at),
            "extra": dict(tokens.extra),
        },
        default=str,
        separators=(",", ":"),
    )


def tokens_from_json(text: str) -> TokenSet:
    """Rebuild a token set written by :func:`tokens_to_json`."""
    data = json.loads(text)
    refresh = data.get("refresh_token")
    expires_at = parse_time(data["expires_at"])
    assert expires_at is not None
    return TokenSet(
        access_token=Secret(data["access_token"]),
        refresh_token=None if refresh is None else Secret(refresh),
        expires_at=expires_at,
        token_type=data.get("token_type") or "bearer",
        scope=data.get("scope"),
        refresh_token_expires_at=parse_time(data.get("refresh_token_expires_at")),
        extra=data.get("extra") or {},
    )


# Columns (SQLite) and hash fields (Redis) that hold a connection's plain metadata.
INFO_FIELDS = (
    "provider",
    "client_id",
    "business_ids",
    "health",
    "issued_at",
    "expires_at",
    "refresh_expires_at",
    "scope",
    "created_at",
    "last_refresh_at",
    "last_failure_at",
    "last_error",
    "version",
    "fence",
    "metadata",
)


def info_from_fields(connection: str, fields: Mapping[str, Any]) -> ConnectionInfo:
    """Rebuild a :class:`ConnectionInfo` from store columns; empty strings read as missing."""

    def text(name: str) -> str | None:
        value = fields.get(name)
        return None if value in (None, "") else str(value)

    return ConnectionInfo(
        connection=connection,
        provider=text("provider") or "",
        client_id=text("client_id"),
        business_ids=tuple(json.loads(text("business_ids") or "[]")),
        health=Health(text("health") or Health.OK.value),
        issued_at=parse_time(text("issued_at")),
        expires_at=parse_time(text("expires_at")),
        refresh_token_expires_at=parse_time(text("refresh_expires_at")),
        scope=text("scope"),
        created_at=parse_time(text("created_at")),
        last_refresh_at=parse_time(text("last_refresh_at")),
        last_failure_at=parse_time(text("last_failure_at")),
        last_error=text("last_error"),
        version=int(text("version") or 0),
        fence=int(text("fence") or 0),
        metadata=json.loads(text("metadata") or "{}"),
    )


def token_fields(tokens: TokenSet, now: datetime) -> dict[str, str | int | None]:
    """The plain metadata columns that change whenever new tokens are written."""
    return {
        "issued_at": iso(now),
        "expires_at": iso(tokens.expires_at),
        "refresh_expires_at": iso(tokens.refresh_token_expires_at),
        "scope": tokens.scope,
    }


def refreshed_info(
    info: ConnectionInfo, tokens: TokenSet, now: datetime, fence: int
) -> ConnectionInfo:
    """What a store holds after a successful refresh wrote ``tokens`` at ``now``."""
    return replace(
        info,
        issued_at=now,
        expires_at=tokens.expires_at,
        refresh_token_expires_at=tokens.refresh_token_expires_at,
        scope=tokens.scope,
        health=Health.OK,
        last_refresh_at=now,
        last_error=None,
        version=info.version + 1,
        fence=fence,
    )
