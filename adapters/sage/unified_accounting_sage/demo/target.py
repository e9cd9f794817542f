"""Where the demo runs: the embedded sandbox, authorized headlessly, or a stored connection."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

import unified_accounting as ua
from unified_accounting.syncing import DEFAULT_OVERLAP
from unified_accounting.tokens.base import TokenStore
from unified_accounting.tokens.registry import default_token_store, token_store_from_url
from unified_accounting_sage.sandbox import SageSandbox

__all__ = [
    "DemoTarget",
    "authorize_headlessly",
    "embedded_sandbox",
    "stored_connection",
]

CONNECTION = "demo"
REDIRECT_URI = "http://127.0.0.1/callback"
_SEED = 2024


@dataclass
class DemoTarget:
    """What the demo connects with.

    Attributes:
        description: one line saying where the demo runs.
        settings: Sage settings (the sandbox's URLs, or Sage's defaults).
        token_store: where the connection's tokens are.
        connection: the connection's name.
        client_id, client_secret: the OAuth app, to refresh tokens.
        business_id: the business to use; ``None`` picks the GB one.
        folder: a folder for the demo's mirror file.
        sandbox: the embedded sandbox, when the demo runs against it.
        overlap: the sync overlap; zero only when provider and host share a clock.
    """

    description: str
    settings: Mapping[str, Any]
    token_store: TokenStore
    connection: str
    client_id: str | None
    client_secret: str | None
    business_id: str | None
    folder: Path
    sandbox: SageSandbox | None = None
    overlap: timedelta = DEFAULT_OVERLAP

    def sandbox_requests(self) -> int | None:
        """Requests the sandbox has answered so far (``None`` against real Sage)."""
        if self.sandbox is None:
            return None
        return sum(self.sandbox.counters.requests.values())


def authorize_headlessly(sandbox: SageSandbox, store: TokenStore) -> ua.ConnectionInfo:
    """Run the OAuth code flow against the sandbox's auto-consent page, without a browser.

    ``begin_authorization`` builds the authorize URL; following it without redirects gives
    the callback URL carrying the code, which ``complete_authorization`` exchanges for tokens
    and stores under :data:`CONNECTION`.
    """
    request = ua.begin_authorization(
        "sage", client_id=sandbox.client_id, redirect_uri=REDIRECT_URI,
        settings=sandbox.settings, state_store=store, country="GB")
    consent = requests.get(request.url, allow_redirects=False, timeout=10)
    callback = consent.headers.get("Location")
    if consent.status_code not in (302, 303) or not callback:
        raise ua.AuthenticationError(
            f"the sandbox's authorize page answered {consent.status_code} without a redirect")
    return ua.complete_authorization(
        "sage", callback, client_id=sandbox.client_id, client_secret=sandbox.client_secret,
        redirect_uri=REDIRECT_URI, connection=CONNECTION, token_store=store,
        settings=sandbox.settings)


@contextmanager
def embedded_sandbox() -> Iterator[DemoTarget]:
    """Start the sandbox on a free port and authorize a connection into a temporary store."""
    with tempfile.TemporaryDirectory(prefix="ua-demo-") as home, \
            SageSandbox.running(port=0, seed=_SEED) as sandbox:
        store = ua.SQLiteTokenStore(Path(home) / "tokens.sqlite3")
        try:
            authorize_headlessly(sandbox, store)
            yield DemoTarget(
                description=f"the embedded Sage sandbox at {sandbox.base_url}",
                settings=sandbox.settings, token_store=store, connection=CONNECTION,
                client_id=sandbox.client_id, client_secret=sandbox.client_secret,
                business_id=None, folder=Path(home), sandbox=sandbox,
                # The sandbox runs on this host's clock, so no overlap is needed.
                overlap=timedelta(0),
            )
        finally:
            store.close()


@contextmanager
def stored_connection(*, connection: str, store_url: str | None, business_id: str | None,
                      settings: Mapping[str, Any], client_id: str | None,
                      client_secret: str | None) -> Iterator[DemoTarget]:
    """Use a connection already authorized (``unified-accounting connect sage``)."""
    store = token_store_from_url(store_url) if store_url else default_token_store()
    with tempfile.TemporaryDirectory(prefix="ua-demo-") as home:
        try:
            yield DemoTarget(
                description=f"the Sage business of the stored connection {connection!r}",
                settings=settings, token_store=store, connection=connection,
                client_id=client_id, client_secret=client_secret, business_id=business_id,
                folder=Path(home),
            )
        finally:
            store.close()
