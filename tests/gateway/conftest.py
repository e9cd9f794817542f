"""A Sage sandbox, a token store holding a tenant's connection, and a gateway serving both.

Everything is real: the sandbox and the gateway are HTTP servers on loopback (uvicorn in a
thread), the stores are SQLite files, and the connection was authorized through the OAuth
code flow of the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from unified_accounting_sage.sandbox import SageSandbox

from unified_accounting.gateway.apikeys import ApiKeys
from unified_accounting.gateway.config import GatewayConfig
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.gateway.server import running
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.tokens import SQLiteTokenStore

TENANT, OTHER_TENANT, CONNECTION = "acme", "globex", "books"


@dataclass
class LiveGateway:
    """A running gateway, its parts and a key for each of two tenants."""

    url: str
    sandbox: SageSandbox
    store: SQLiteTokenStore
    config: GatewayConfig
    keys: ApiKeys
    key: str
    other_key: str

    def headers(self, key: str | None = None) -> dict[str, str]:
        """The Authorization header of ``key`` (default: the first tenant's)."""
        return {"Authorization": f"Bearer {key or self.key}"}

    def connection_url(self, suffix: str = "") -> str:
        """The URL of the first tenant's connection, plus ``suffix``."""
        return f"{self.url}/v1/connections/{CONNECTION}{suffix}"


def gateway_config(folder: Path, sandbox: SageSandbox, store: SQLiteTokenStore,
                   **changes: object) -> GatewayConfig:
    """A configuration serving ``sandbox`` from ``store``; the limiter never waits."""
    settings = {"sage": {**sandbox.settings, "client_id": sandbox.client_id,
                         "client_secret": sandbox.client_secret}}
    options = {"limiter": LocalLimiter(RateLimits()), "sleep": lambda seconds: None}
    fields: dict[str, object] = {"database": folder / "gateway.sqlite3", "token_store": store,
                                 "provider_settings": settings, "connect_options": options}
    fields.update(changes)
    return GatewayConfig(**fields)  # type: ignore[arg-type]


def authorize(sandbox: SageSandbox, store: SQLiteTokenStore, tenant: str, connection: str,
              country: str = "GB") -> None:
    """Authorize ``tenant:connection`` through the sandbox's code flow, for one business."""
    stored = f"{tenant}:{connection}"
    sandbox.connect(country=country, token_store=store, connection=stored).close()
    store.set_business_ids(stored, (sandbox.business_id(country),))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """The gateway of this module's tests, with ``acme:books`` connected to the GB business."""
    folder = tmp_path_factory.mktemp("gateway")
    with SageSandbox.running(port=0, seed=23) as sandbox:
        store = SQLiteTokenStore(folder / "tokens.sqlite3")
        authorize(sandbox, store, TENANT, CONNECTION)
        config = gateway_config(folder, sandbox, store)
        keys = ApiKeys(GatewayDatabase(config.database))
        _, key = keys.create(TENANT, name="tests")
        _, other_key = keys.create(OTHER_TENANT, name="tests")
        with running(config) as url:
            yield LiveGateway(url, sandbox, store, config, keys, key, other_key)
        store.close()
