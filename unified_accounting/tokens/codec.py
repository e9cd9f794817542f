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
from datetime import datetime, timedelta
from typing import Any

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.tokens.base import AuthorizationState, ConnectionInfo, Health
from unified_accounting.utctime import parse_utc, utc_text

__all__ = [
    "INFO_FIELDS",
    "STATE_RETENTION",
    "authorization_state",
    "fingerprint",
    "info_from_fields",
    "new_connection_fields",
    "refreshed_info",
    "token_fields",
    "tokens_from_json",
    "tokens_to_json",
]

#: How long a store keeps an OAuth state past its expiry, so a late replay is still recognised
#: as a replay (``used``) rather than as an unknown state.
STATE_RETENTION = timedelta(days=1)


def fingerprint(token: Secret | None) -> str | None:
    """A one-way fingerprint of a refresh token, used as the compare-and-swap key.

    Stores compare fingerprints rather than tokens so the comparison also works when the
    tokens themselves are encrypted with a randomised cipher.
    """
    if token is None:
        return None
    return hashlib.sha256(token.reveal().encode("utf-8")).hexdigest()


def tokens_to_json(tokens: TokenSet) -> str:
    """Serialise a token set (secrets included) for a store; encrypt the result if you can."""
    refresh = tokens.refresh_token
    return json.dumps(
        {
            "access_token": tokens.access_token.reveal(),
            "refresh_token": None if refresh is None else refresh.reveal(),
            "expires_at": utc_text(tokens.expires_at),
            "token_type": tokens.token_type,
            "scope": tokens.scope,
            "refresh_token_expires_at": utc_text(tokens.refresh_token_expires_at),
            "extra": dict(tokens.extra),
        },
        default=str,
        separators=(",", ":"),
    )


def tokens_from_json(text: str) -> TokenSet:
    """Rebuild a token set written by :func:`tokens_to_json`."""
    data = json.loads(text)
    refresh = data.get("refresh_token")
    expires_at = parse_utc(data["expires_at"])
    assert expires_at is not None
    return TokenSet(
        access_token=Secret(data["access_token"]),
        refresh_token=None if refresh is None else Secret(refresh),
        expires_at=expires_at,
        token_type=data.get("token_type") or "bearer",
        scope=data.get("scope"),
        refresh_token_expires_at=parse_utc(data.get("refresh_token_expires_at")),
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
        issued_at=parse_utc(text("issued_at")),
        expires_at=parse_utc(text("expires_at")),
        refresh_token_expires_at=parse_utc(text("refresh_expires_at")),
        scope=text("scope"),
        created_at=parse_utc(text("created_at")),
        last_refresh_at=parse_utc(text("last_refresh_at")),
        last_failure_at=parse_utc(text("last_failure_at")),
        last_error=text("last_error"),
        version=int(text("version") or 0),
        fence=int(text("fence") or 0),
        metadata=json.loads(text("metadata") or "{}"),
    )


def token_fields(tokens: TokenSet, now: datetime) -> dict[str, str | int | None]:
    """The plain metadata columns that change whenever new tokens are written."""
    return {
        "issued_at": utc_text(now),
        "expires_at": utc_text(tokens.expires_at),
        "refresh_expires_at": utc_text(tokens.refresh_token_expires_at),
        "scope": tokens.scope,
    }


def new_connection_fields(
    provider: str, client_id: str | None, metadata: Mapping[str, str] | None
) -> dict[str, str | None]:
    """The plain metadata columns of a freshly authorized connection (see ``TokenStore.save``).

    Health starts ``ok`` and business ids empty: a new grant may reach other businesses.
    """
    return {
        "provider": provider,
        "client_id": client_id,
        "business_ids": "[]",
        "health": Health.OK.value,
        "metadata": json.dumps(dict(metadata or {})),
    }


def authorization_state(
    state: str, data: Mapping[str, str], expires_at: str, used: bool
) -> AuthorizationState:
    """Rebuild a stored OAuth state whose expiry was written by :func:`iso`."""
    moment = parse_utc(expires_at)
    assert moment is not None, "a stored OAuth state always has an expiry"
    return AuthorizationState(state=state, data=data, expires_at=moment, used=used)


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
