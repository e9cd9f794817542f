"""Open clients for tenants' connections, once per connection and business, and share them.

A client is opened with ``ua.connect`` over the shared token store, so every worker and
thread refreshes tokens through the store's single-flight refresh. Clients are kept for the
life of the process: opening one costs a provider request at some providers, and a client is
safe to share between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import unified_accounting as ua
from unified_accounting.client import Client
from unified_accounting.errors import NotFoundError
from unified_accounting.gateway.config import GatewayConfig
from unified_accounting.gateway.tenancy import connection_of, stored_name
from unified_accounting.http import RetryConfig
from unified_accounting.tokens.base import ConnectionInfo, TokenStore
from unified_accounting.tokens.registry import default_token_store, token_store_from_url

__all__ = ["ConnectionHub"]


def _open_store(config: GatewayConfig) -> TokenStore:
    if config.token_store is not None:
        return config.token_store
    if config.token_store_url:
        return token_store_from_url(config.token_store_url)
    return default_token_store()


class ConnectionHub:
    """The tenant-scoped view of the token store, and the clients of its connections."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.store = _open_store(config)
        self._owns_store = config.token_store is None
        self._clients: dict[tuple[str, str | None], Client] = {}
        self._lock = threading.Lock()

    def describe(self, tenant: str, connection: str) -> ConnectionInfo:
        """The tenant's connection (another tenant's is as absent as a missing one).

        Raises:
            NotFoundError: the tenant has no connection of that name.
        """
        info = self.store.describe(stored_name(tenant, connection))
        if info is None:
            raise NotFoundError(f"no connection named {connection!r}")
        return info

    def list(self, tenant: str) -> list[tuple[str, ConnectionInfo]]:
        """The tenant's connections as (their own name, what the store knows), by name."""
        found = []
        for info in self.store.list_connections():
            name = connection_of(tenant, info.connection)
            if name is not None:
                found.append((name, info))
        return found

    def client(self, tenant: str, connection: str, business_id: str | None = None) -> Client:
        """A shared client of the tenant's connection, routed to ``business_id`` if given
        (else the first business recorded with the connection, else the provider's choice).

        Raises:
            NotFoundError: the tenant has no such connection.
            ReauthorizationRequired, ConfigurationError: as ``ua.connect`` raises them.
        """
        info = self.describe(tenant, connection)
        business = business_id or (info.business_ids[0] if info.business_ids else None)
        key = (info.connection, business)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._connect(info, business)
        return client

    def _connect(self, info: ConnectionInfo, business_id: str | None) -> Client:
        options: dict[str, Any] = dict(self.config.connect_options)
        retry = RetryConfig(deadline=self.config.request_timeout)
        return ua.connect(
            info.provider, connection=info.connection, business_id=business_id,
            token_store=self.store, settings=self.config.settings_for(info.provider),
            client_id=info.client_id, retry=retry, **options,
        )

    def forget(self, stored: str) -> None:
        """Close and drop the clients of a stored connection (after a revoke)."""
        with self._lock:
            keys = [key for key in self._clients if key[0] == stored]
            clients = [self._clients.pop(key) for key in keys]
        for client in clients:
            client.close()

    def revoke(self, tenant: str, connection: str) -> bool:
        """Revoke the tenant's connection at the provider and delete it from the store.

        Returns:
            Whether the provider confirmed the revocation.

        Raises:
            NotFoundError: the tenant has no such connection.
        """
        info = self.describe(tenant, connection)
        settings = self.config.settings_for(info.provider)
        secret = settings.get("client_secret") or _env_secret()
        self.forget(info.connection)
        return ua.revoke(info.provider, connection=info.connection, client_secret=secret,
                         token_store=self.store, settings=settings)

    @contextmanager
    def session(self) -> Iterator[ConnectionHub]:
        """Use the hub for a ``with`` block and close it after."""
        try:
            yield self
        finally:
            self.close()

    def close(self) -> None:
        """Close every client, and the store when the hub opened it."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
        if self._owns_store:
            self.store.close()


def _env_secret() -> str:
    import os

    from unified_accounting.credentials import CLIENT_SECRET_ENV

    return os.environ.get(CLIENT_SECRET_ENV, "")
