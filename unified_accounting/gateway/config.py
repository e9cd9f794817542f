"""What a gateway process is configured with; every field has a default that works locally."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unified_accounting.tokens.base import TokenStore

__all__ = ["DEFAULT_KEY_LIMIT", "GatewayConfig", "default_database_path"]

#: Requests per minute an API key may send unless it was created with another limit.
DEFAULT_KEY_LIMIT = 600


def default_database_path() -> Path:
    """The gateway's SQLite file (API keys, connect sessions) in the user's data folder."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("unified-accounting")) / "gateway.sqlite3"


@dataclass(frozen=True)
class GatewayConfig:
    """Settings of one gateway application.

    Attributes:
        database: the SQLite file of API keys and connect sessions (shared by every worker).
        token_store: where connections' tokens live; ``None`` opens the default store
            (``UNIFIED_ACCOUNTING_TOKEN_STORE``, else the SQLite file of the CLI).
        token_store_url: the same as a URL, for worker processes that open their own store.
        provider_settings: provider name -> settings given to ``ua.connect`` and the OAuth
            calls (``base_url``, ``authorize_url``, ``client_id``, ``client_secret``, ...).
        public_url: the gateway's address as browsers reach it (the OAuth redirect URI is
            ``public_url + "/oauth/callback"``); ``None`` takes it from each request.
        max_body_bytes: the largest request body accepted (413 above it).
        request_timeout: seconds one API request may take in all, provider retries included
            (504 after it).
        connect_link_lifetime: seconds a signed connect link stays valid.
        connect_options: further keywords for ``ua.connect`` (tests pass ``session=``).
    """

    database: Path = field(default_factory=default_database_path)
    token_store: TokenStore | None = None
    token_store_url: str | None = None
    provider_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    public_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    request_timeout: float = 30.0
    connect_link_lifetime: float = 3600.0
    connect_options: Mapping[str, Any] = field(default_factory=dict)

    def settings_for(self, provider: str) -> dict[str, Any]:
        """The settings of ``provider`` (a copy; empty when none were given)."""
        return dict(self.provider_settings.get(provider, {}))
