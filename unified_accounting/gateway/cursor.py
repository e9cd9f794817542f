"""List cursors: which page comes next, with the filters and size of the first request.

A cursor is ``base64url(JSON) + "." + base64url(HMAC-SHA256)[:22]``: opaque to callers,
signed with the gateway's secret so that a cursor cannot be edited into another query, and
stateless, so any worker can continue a list another worker began.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from unified_accounting.errors import ValidationError

__all__ = ["Cursor", "CursorCodec"]


@dataclass(frozen=True)
class Cursor:
    """The position in a list: the page to read next, its size and the list's query."""

    page: int
    limit: int
    query: dict[str, str]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Writes and reads cursors signed with ``secret``."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest()
        return _b64(mac)[:22]

    def encode(self, cursor: Cursor) -> str:
        """The cursor as text for a ``next`` link."""
        document = {"p": cursor.page, "l": cursor.limit, "q": cursor.query}
        payload = _b64(json.dumps(document, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._sign(payload)}"

    def decode(self, text: str) -> Cursor:
        """Read a cursor this gateway wrote.

        Raises:
            ValidationError: on ``cursor`` when it is malformed or was altered.
        """
        payload, _, signature = text.partition(".")
        if not payload or not hmac.compare_digest(signature, self._sign(payload)):
            raise ValidationError({"cursor": ["is not a cursor this list returned"]})
        try:
            document: Any = json.loads(_unb64(payload))
            return Cursor(int(document["p"]), int(document["l"]), dict(document["q"]))
        except (ValueError, KeyError, TypeError):
            raise ValidationError({"cursor": ["is not a cursor this list returned"]}) from None
