"""``SageSandbox.connect``: the real OAuth code flow, run headlessly, then ``ua.connect``.

The sandbox server itself imports nothing from the core; this module is the one place where
the sandbox acts as a *client* of the library, exactly as a product would: it begins an
authorization, lets the sandbox's authorize page consent, completes the authorization into a
token store and connects over that store. The tokens therefore live where the library keeps
them, and every refresh goes through the library's single-flight refresh.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import requests

if TYPE_CHECKING:
    from unified_accounting.client import Client
    from unified_accounting.tokens.base import TokenStore

PROVIDER = "sage"
#: The connection name ``SageSandbox.connect`` stores tokens under unless told otherwise; not
#: ``"default"``, so that a sandbox never replaces a real connection in a shared store.
DEFAULT_CONNECTION = "sandbox"


class SandboxApp(Protocol):
    """What the connect flow needs from a sandbox: where it listens, the test app's
    credentials and the business of a country. ``SageSandbox`` is one; this module never
    imports it, so the sandbox can import the flow without a cycle."""

    @property
    def settings(self) -> dict[str, str]:
        """Provider settings pointing the Sage plugin at the sandbox."""
        ...

    @property
    def client_id(self) -> str:
        """OAuth client id of the test app."""
        ...

    @property
    def client_secret(self) -> str:
        """OAuth client secret of the test app."""
        ...

    def business_id(self, country: str) -> str:
        """The id of the test user's business in ``country``."""
        ...


class OwnedStore:
    """A temporary SQLite token store that a sandbox opens on first use and removes at stop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._store: TokenStore | None = None

    @property
    def folder(self) -> Path | None:
        """The temporary folder holding the store, while it exists."""
        return self._folder

    def get(self) -> TokenStore:
        """The store, created on first use."""
        from unified_accounting.tokens.sqlite import SQLiteTokenStore

        with self._lock:
            if self._store is None:
                self._folder = Path(tempfile.mkdtemp(prefix="sage-sandbox-tokens-"))
                self._store = SQLiteTokenStore(self._folder / "tokens.sqlite3")
            return self._store

    def remove(self) -> None:
        """Close the store and delete its folder (clients using it stop working)."""
        with self._lock:
            if self._store is not None:
                self._store.close()
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
            self._store, self._folder = None, None


def consent_redirect(authorize_url: str, timeout: float = 10.0) -> str:
    """Open the authorize URL like a browser would and return where it redirects to.

    The redirect is not followed: its URL carries the authorization code.

    Raises:
        AuthenticationError: the authorize page answered without a redirect (unknown client,
            unregistered redirect URI); the OAuth error code is named, never the URL.
    """
    from unified_accounting.errors import AuthenticationError

    reply = requests.get(authorize_url, allow_redirects=False, timeout=timeout)
    location = reply.headers.get("Location")
    if reply.status_code not in (301, 302, 303, 307) or not location:
        code = _oauth_error(reply)
        raise AuthenticationError(
            f"the sandbox's authorize page refused the request ({code})",
            status=reply.status_code, code=code, provider=PROVIDER,
        )
    return location


def _oauth_error(reply: requests.Response) -> str:
    try:
        body = reply.json()
    except ValueError:
        return f"HTTP {reply.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    return str(error)[:64] if error else f"HTTP {reply.status_code}"


def authorize_and_connect(
    sandbox: SandboxApp,
    *,
    country: str,
    token_store: TokenStore,
    connection: str,
    redirect_uri: str,
    connect_options: Mapping[str, Any],
) -> Client:
    """Authorize ``connection`` for the sandbox's test user, then connect over the store.

    Args:
        sandbox: the running sandbox (a :class:`~unified_accounting_sage.sandbox.SageSandbox`).
        country: the business to connect to (and the ``country`` of the authorize request).
        token_store: where the tokens are stored.
        connection: the connection name to store them under.
        redirect_uri: the callback URI; nothing needs to listen there, because the redirect
            is read from the authorize page's ``Location`` header instead of being followed.
        connect_options: further keywords of ``ua.connect``; a ``settings`` mapping is merged
            over the sandbox's settings, ``business_id`` replaces the country's business.

    Returns:
        A client of the business, refreshing its tokens through ``token_store``.

    Raises:
        AuthenticationError: consent was denied or the sandbox refused the code.
        OAuthStateError: the callback's state did not match (a bug, never expected).
    """
    import unified_accounting as ua

    options = dict(connect_options)
    settings = {**sandbox.settings, **dict(options.pop("settings", None) or {})}
    business_id = options.pop("business_id", None) or sandbox.business_id(country)
    request = ua.begin_authorization(
        PROVIDER, client_id=sandbox.client_id, redirect_uri=redirect_uri,
        settings=settings, state_store=token_store, country=country.lower(),
    )
    callback = consent_redirect(request.url)
    ua.complete_authorization(
        PROVIDER, callback, client_id=sandbox.client_id, client_secret=sandbox.client_secret,
        redirect_uri=redirect_uri, connection=connection, token_store=token_store,
        settings=settings,
    )
    return ua.connect(
        PROVIDER, connection=connection, settings=settings, business_id=business_id,
        token_store=token_store, client_id=sandbox.client_id,
        client_secret=sandbox.client_secret, **options,
    )
