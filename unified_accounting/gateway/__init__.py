"""The REST gateway: the unified API over HTTP, with API keys and a connect page.

Install the ``server`` extra (``pip install 'unified-accounting[server]'``) and run
``unified-accounting serve``; see ``docs/gateway.md``. Nothing here is imported by
``import unified_accounting``: :func:`create_app` loads the server's modules when it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unified_accounting.gateway.app import create_app
    from unified_accounting.gateway.config import GatewayConfig

__all__ = ["GatewayConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from unified_accounting.gateway.app import create_app

        return create_app
    if name == "GatewayConfig":
        from unified_accounting.gateway.config import GatewayConfig

        return GatewayConfig
    raise AttributeError(name)
