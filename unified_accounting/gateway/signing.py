"""Signed connect links and CSRF tokens, both HMAC-SHA256 with the gateway's secret.

A connect link names the provider, tenant and connection a browser may connect and when the
link stops working; only a holder of the tenant's API key can get one (``POST
/v1/connect_links``), so a stranger cannot attach their books to someone else's tenant.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

__all__ = ["ConnectLink", "Signer"]


@dataclass(frozen=True)
class ConnectLink:
    """What a connect link authorizes."""

    provider: str
    tenant: str
    connection: str
    expires: int

    def fields(self) -> dict[str, str]:
        """The link's query fields, without the signature."""
        return {"tenant": self.tenant, "connection": self.connection,
                "expires": str(self.expires)}


class Signer:
    """Signs and checks connect links and CSRF tokens."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._secret, "\n".join(parts).encode("utf-8"),
                        hashlib.sha256).hexdigest()

    def link_signature(self, link: ConnectLink) -> str:
        """The signature of ``link``."""
        return self._mac("connect", link.provider, link.tenant, link.connection,
                         str(link.expires))

    def link_query(self, link: ConnectLink) -> str:
        """The query string of the connect page for ``link``."""
        return urlencode({**link.fields(), "signature": self.link_signature(link)})

    def link_is_valid(self, link: ConnectLink, signature: str, now: float | None = None) -> bool:
        """Whether ``signature`` signs ``link`` and the link has not expired."""
        fresh = link.expires > (time.time() if now is None else now)
        return fresh and hmac.compare_digest(signature, self.link_signature(link))

    @staticmethod
    def new_nonce() -> str:
        """A random value for a browser cookie."""
        return secrets.token_urlsafe(24)

    def csrf_token(self, nonce: str, link: ConnectLink) -> str:
        """The form token that goes with the browser's cookie ``nonce`` and ``link``."""
        return self._mac("csrf", nonce, self.link_signature(link))

    def csrf_is_valid(self, nonce: str, link: ConnectLink, token: str) -> bool:
        """Whether a submitted form token matches the cookie and the link."""
        return bool(nonce) and hmac.compare_digest(token, self.csrf_token(nonce, link))
