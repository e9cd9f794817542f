"""OAuth flows begun on the connect page, remembered until their callback arrives.

The provider's ``state`` (checked again by ``ua.complete_authorization``) finds the flow; a
nonce in a cookie of the browser that began it must come back with the callback, so that a
callback link passed to someone else's browser connects nothing. Only digests are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from unified_accounting.gateway.database import GatewayDatabase

__all__ = ["Flow", "Flows"]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Flow:
    """Where a finished authorization goes."""

    tenant: str
    connection: str
    provider: str
    redirect_uri: str


class Flows:
    """The flows in progress, in the gateway's database (any worker may get the callback)."""

    def __init__(self, database: GatewayDatabase) -> None:
        self._db = database

    def begin(self, state: str, nonce: str, flow: Flow, lifetime: float) -> None:
        """Remember ``flow`` under ``state`` for ``lifetime`` seconds."""
        now = time.time()
        with self._db.connect() as db:
            db.execute("DELETE FROM oauth_flows WHERE expires_at < ?", (now,))
            db.execute(
                "INSERT INTO oauth_flows (state_digest, tenant, connection, provider, "
                "redirect_uri, browser_digest, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_digest(state), flow.tenant, flow.connection, flow.provider,
                 flow.redirect_uri, _digest(nonce), now + lifetime))

    def finish(self, state: str, nonce: str) -> Flow | None:
        """Consume the flow of ``state`` when ``nonce`` is the browser's that began it.

        Returns ``None`` for an unknown, used or expired state or another browser; the flow
        is consumed in every case but the last.
        """
        with self._db.connect() as db:
            row = db.execute(
                "SELECT tenant, connection, provider, redirect_uri, browser_digest, expires_at "
                "FROM oauth_flows WHERE state_digest = ?", (_digest(state),)).fetchone()
            if row is None or not hmac.compare_digest(str(row[4]), _digest(nonce)):
                return None
            db.execute("DELETE FROM oauth_flows WHERE state_digest = ?", (_digest(state),))
        if float(row[5]) < time.time():
            return None
        return Flow(tenant=row[0], connection=row[1], provider=row[2], redirect_uri=row[3])
