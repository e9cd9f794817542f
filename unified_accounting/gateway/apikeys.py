"""API keys: created once and shown once, stored only as a SHA-256 digest, bound to a tenant.

A key reads ``uak_<id>_<secret>``: ``id`` (12 hex characters) finds the row and is safe to
show in listings and logs; ``secret`` is 256 random bits, so a digest without salt or
stretching is as strong as the key (nothing to guess from). The plain key is never stored,
logged or shown again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from unified_accounting.errors import NotFoundError, ValidationError
from unified_accounting.gateway.config import DEFAULT_KEY_LIMIT
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.gateway.tenancy import check_name

__all__ = ["KEY_PREFIX", "ApiKey", "ApiKeys"]

KEY_PREFIX = "uak_"
_KEY_SHAPE = re.compile(r"uak_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class ApiKey:
    """What is known about a key; never the key itself."""

    key_id: str
    tenant: str
    name: str
    per_minute: int
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        """Whether the key is still accepted."""
        return self.revoked_at is None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row_to_key(row: tuple[str, str, str, int, str, str | None]) -> ApiKey:
    return ApiKey(key_id=row[0], tenant=row[1], name=row[2], per_minute=int(row[3]),
                  created_at=row[4], revoked_at=row[5])


# The statements, written out whole (no text is ever formatted into SQL).
_INSERT = ("INSERT INTO api_keys (key_id, tenant, name, per_minute, created_at, revoked_at, "
           "digest) VALUES (?, ?, ?, ?, ?, NULL, ?)")
_SELECT_ALL = ("SELECT key_id, tenant, name, per_minute, created_at, revoked_at FROM api_keys "
               "ORDER BY created_at, key_id")
_SELECT_TENANT = ("SELECT key_id, tenant, name, per_minute, created_at, revoked_at "
                  "FROM api_keys WHERE tenant = ? ORDER BY created_at, key_id")
_SELECT_ONE = ("SELECT key_id, tenant, name, per_minute, created_at, revoked_at, digest "
               "FROM api_keys WHERE key_id = ?")


class ApiKeys:
    """The API keys kept in the gateway's database."""

    def __init__(self, database: GatewayDatabase) -> None:
        self._db = database

    def create(self, tenant: str, *, name: str = "",
               per_minute: int = DEFAULT_KEY_LIMIT) -> tuple[ApiKey, str]:
        """Create a key for ``tenant``; return its record and the plain key (shown once).

        Raises:
            ValidationError: a malformed tenant, or a limit below 1.
        """
        check_name(tenant, "tenant")
        if per_minute < 1:
            raise ValidationError({"per_minute": ["must be at least 1"]})
        key_id = secrets.token_hex(6)
        plain = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        record = ApiKey(key_id, tenant, name, per_minute, _now())
        with self._db.connect() as db:
            db.execute(_INSERT, (key_id, tenant, name, per_minute, record.created_at,
                                 _digest(plain)))
        return record, plain

    def list(self, tenant: str | None = None) -> list[ApiKey]:
        """Every key (of ``tenant`` when given), oldest first."""
        db = self._db.connect()
        rows = db.execute(_SELECT_ALL) if tenant is None else db.execute(_SELECT_TENANT,
                                                                          (tenant,))
        return [_row_to_key(row) for row in rows.fetchall()]

    def revoke(self, key_id: str) -> ApiKey:
        """Stop accepting a key at once (every worker reads the same file).

        Raises:
            NotFoundError: no key has this id.
        """
        with self._db.connect() as db:
            db.execute("UPDATE api_keys SET revoked_at = ? WHERE key_id = ? "
                       "AND revoked_at IS NULL", (_now(), key_id))
            row = db.execute(_SELECT_ONE, (key_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no API key has the id {key_id!r}")
        return _row_to_key(row[:6])

    def authenticate(self, presented: str) -> ApiKey | None:
        """Return the active key ``presented`` is, or ``None`` (malformed, unknown, revoked)."""
        match = _KEY_SHAPE.fullmatch(presented)
        if match is None:
            return None
        row = self._db.connect().execute(_SELECT_ONE, (match.group(1),)).fetchone()
        if row is None or not hmac.compare_digest(str(row[6]), _digest(presented)):
            return None
        key = _row_to_key(row[:6])
        return key if key.active else None
