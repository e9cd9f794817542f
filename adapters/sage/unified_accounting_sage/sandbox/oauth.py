"""OAuth 2.0 as Sage runs it: codes, rotating refresh tokens, revoke, bearer checks.

Codes are single-use and short-lived; every refresh returns a new refresh token and the old
one then fails with ``invalid_grant``. Errors from the token endpoint are 400 with an RFC 6749
body. The caller holds the core lock, so nothing here locks.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from unified_accounting.sandbox_kit import Counters, SandboxClock
from unified_accounting_sage.sandbox.errors import unauthorized
from unified_accounting_sage.sandbox.messages import SandboxResponse, json_response
from unified_accounting_sage.sandbox.options import SandboxOptions
from unified_accounting_sage.sandbox.store import Store

SCOPES = ("full_access", "readonly")
_STATE_KEY = "oauth"
# Codes and tokens handed out lately, remembered (in memory only) for leak checks even after
# they were exchanged, revoked or pruned.
_REMEMBERED_SECRETS = 2000


@dataclass(frozen=True)
class Grant:
    """Who a valid access token speaks for."""

    client_id: str
    scope: str


def derived_secret(seed: int, label: str, length: int) -> str:
    """A reproducible hex string for credentials that must be stable across restarts."""
    return hashlib.sha256(f"sage-sandbox:{seed}:{label}".encode()).hexdigest()[:length]


def new_token(length: int) -> str:
    """A random opaque token of exactly ``length`` bytes, looking like a JWT as Sage's do."""
    raw = base64.urlsafe_b64encode(secrets.token_bytes(length)).decode().rstrip("=")
    return ("eyJ" + raw)[:length]


def oauth_error(error: str, description: str) -> SandboxResponse:
    """400 with an RFC 6749 error body."""
    body = {"error": error, "error_description": description}
    return json_response(400, body, {"Cache-Control": "no-store"})


class OAuthService:
    """The authorize, token and revoke endpoints plus bearer-token checks.

    Args:
        options: lifetimes, client credentials and redirect URIs.
        store: where codes and tokens live (so they survive a restart with SQLite).
        clock: the sandbox clock.
        counters: where refreshes are counted.
        user_id: the test user, returned as ``requested_by_id``.
    """

    def __init__(
        self,
        options: SandboxOptions,
        store: Store,
        clock: SandboxClock,
        counters: Counters,
        user_id: str,
    ) -> None:
        self._options = options
        self._store = store
        self._clock = clock
        self._counters = counters
        self._user_id = user_id
        self.client_id = options.client_id or "sandbox-" + derived_secret(options.seed, "id", 24)
        self.client_secret = options.client_secret or derived_secret(options.seed, "secret", 40)
        self.consent = True
        self._issued: deque[str] = deque(maxlen=_REMEMBERED_SECRETS)
        state = store.meta(_STATE_KEY) or {"codes": {}, "access": {}, "refresh": {}, "clients": {}}
        state["clients"].setdefault(self.client_id, self.client_secret)
        self._state: dict[str, Any] = state
        self._save()

    def add_client(self, client_id: str, client_secret: str) -> None:
        """Register another app (each app has its own rate-limit bucket)."""
        self._state["clients"][client_id] = client_secret
        self._save()

    def authorize(self, params: dict[str, str], country: str) -> SandboxResponse:
        """``GET /oauth2/auth/central``: consent automatically and redirect with a code."""
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") not in self._state["clients"]:
            return oauth_error("invalid_client", "Unknown client_id")
        allowed = self._options.redirect_uris
        if not redirect_uri or (allowed and redirect_uri not in allowed):
            return oauth_error("invalid_request", "redirect_uri is missing or not registered")
        reply: dict[str, str] = {}
        scope = params.get("scope", "full_access")
        if params.get("response_type") != "code":
            reply["error"] = "unsupported_response_type"
        elif not self.consent:
            reply["error"] = "access_denied"
        elif scope not in SCOPES:
            reply["error"] = "invalid_scope"
        else:
            # Sage prefixes codes with the country ("GB/..."), which clients must URL-decode.
            code = f"{country}/{secrets.token_hex(20)}"
            self._issued.append(code)
            self._state["codes"][code] = {
                "client_id": params["client_id"],
                "redirect_uri": redirect_uri,
                "scope": scope,
                "expires_at": self._clock.epoch() + self._options.code_ttl,
            }
            self._save()
            reply = {"code": code, "country": country}
        if "state" in params:
            reply["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return SandboxResponse(302, {"Location": redirect_uri + separator + urlencode(reply)})

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> SandboxResponse:
        """``POST /token`` for the ``authorization_code`` and ``refresh_token`` grants."""
        client_id = self._client(form, basic)
        if client_id is None:
            return oauth_error("invalid_client", "Client authentication failed")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form, client_id)
        if grant_type == "refresh_token":
            return self._refresh(form, client_id)
        return oauth_error("unsupported_grant_type", "grant_type is not supported")

    def revoke(self, form: dict[str, str], basic: tuple[str, str] | None) -> SandboxResponse:
        """``POST /revoke``: end a refresh token and every access token issued with it."""
        client_id = self._client(form, basic)
        if client_id is None:
            return oauth_error("invalid_client", "Client authentication failed")
        token = form.get("token", "")
        entry = self._state["refresh"].get(token) or self._state["access"].get(token)
        if entry is not None and entry["client_id"] == client_id:
            self._revoke_family(entry["family"])
        return json_response(200, {})

    def authenticate(self, authorization: str | None) -> Grant:
        """Check an ``Authorization: Bearer`` header.

        Raises:
            SageError: 401 for a missing, unknown, expired or revoked token.
        """
        scheme, _, token = (authorization or "").partition(" ")
        entry = self._state["access"].get(token.strip()) if scheme.lower() == "bearer" else None
        if entry is None or entry["expires_at"] <= self._clock.epoch():
            raise unauthorized()
        return Grant(entry["client_id"], entry["scope"])

    def issued_secrets(self) -> list[str]:
        """The client secrets and the codes and tokens handed out lately (for leak tests)."""
        return [*self._state["clients"].values(), *self._issued]

    def expire_access_tokens(self) -> None:
        """Make every access token expired now (refresh tokens still work)."""
        now = self._clock.epoch()
        for entry in self._state["access"].values():
            entry["expires_at"] = min(entry["expires_at"], now)
        self._save()

    def expire_refresh_tokens(self) -> None:
        """Make every refresh token expired now (forces re-authorisation)."""
        now = self._clock.epoch()
        for entry in self._state["refresh"].values():
            entry["expires_at"] = min(entry["expires_at"], now)
        self._save()

    def _client(self, form: dict[str, str], basic: tuple[str, str] | None) -> str | None:
        """The client id a request authenticates as (HTTP Basic or form fields), or None."""
        client_id, client_secret = basic or (form.get("client_id"), form.get("client_secret"))
        if not client_id or self._state["clients"].get(client_id) != client_secret:
            return None
        return client_id

    def _exchange_code(self, form: dict[str, str], client_id: str) -> SandboxResponse:
        entry = self._state["codes"].pop(form.get("code", ""), None)
        self._save()
        if (
            entry is None
            or entry["client_id"] != client_id
            or entry["expires_at"] <= self._clock.epoch()
            or entry["redirect_uri"] != form.get("redirect_uri")
        ):
            return oauth_error("invalid_grant", "The authorization code is invalid or expired")
        self._counters.event("token_grants")
        return self._issue(client_id, entry["scope"], secrets.token_hex(8))

    def _refresh(self, form: dict[str, str], client_id: str) -> SandboxResponse:
        token = form.get("refresh_token", "")
        entry = self._state["refresh"].get(token)
        if (
            entry is None
            or entry["used"]
            or entry["client_id"] != client_id
            or entry["expires_at"] <= self._clock.epoch()
        ):
            self._counters.event("refresh_failures")
            return oauth_error("invalid_grant", "The refresh token is invalid or expired")
        entry["used"] = True
        self._counters.event("refreshes")
        return self._issue(client_id, entry["scope"], entry["family"])

    def _issue(self, client_id: str, scope: str, family: str) -> SandboxResponse:
        now = self._clock.epoch()
        self._prune(now)
        access, refresh = new_token(self._options.token_length), new_token(
            self._options.token_length
        )
        self._issued.extend((access, refresh))
        self._state["access"][access] = {
            "client_id": client_id,
            "scope": scope,
            "family": family,
            "expires_at": now + self._options.access_token_ttl,
        }
        self._state["refresh"][refresh] = {
            "client_id": client_id,
            "scope": scope,
            "family": family,
            "used": False,
            "expires_at": now + self._options.refresh_token_ttl,
        }
        self._save()
        body = {
            "access_token": access,
            "expires_in": self._options.access_token_ttl,
            "token_type": "bearer",
            "refresh_token": refresh,
            "refresh_token_expires_in": self._options.refresh_token_ttl,
            "scope": scope,
            "requested_by_id": self._user_id,
        }
        return json_response(200, body, {"Cache-Control": "no-store"})

    def _revoke_family(self, family: str) -> None:
        for kind in ("access", "refresh"):
            table = self._state[kind]
            for token in [t for t, entry in table.items() if entry["family"] == family]:
                del table[token]
        self._save()

    def _prune(self, now: float) -> None:
        # Used refresh tokens are kept until they expire so a replay still gets invalid_grant.
        for kind in ("codes", "access", "refresh"):
            table = self._state[kind]
            for token in [t for t, entry in table.items() if entry["expires_at"] <= now - 86400]:
                del table[token]

    def _save(self) -> None:
        self._store.set_meta(_STATE_KEY, self._state)
