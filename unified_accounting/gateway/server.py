"""Running the gateway under uvicorn: from the command line, and in a thread for tests.

``unified-accounting serve`` hands its options to the worker processes through environment
variables (a worker imports :func:`app_from_environment`), so that every worker builds the
same application. uvicorn's own access log is off: it prints query strings, and an OAuth
callback's query carries an authorization code. The gateway logs its own lines instead.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from unified_accounting.errors import ConfigurationError
from unified_accounting.gateway.app import create_app
from unified_accounting.gateway.config import GatewayConfig, default_database_path

__all__ = ["DATABASE_ENV", "PUBLIC_URL_ENV", "SETTINGS_ENV", "TIMEOUT_ENV",
           "app_from_environment", "config_from_environment", "running", "serve"]

DATABASE_ENV = "UNIFIED_ACCOUNTING_GATEWAY_DB"
SETTINGS_ENV = "UNIFIED_ACCOUNTING_GATEWAY_SETTINGS"
PUBLIC_URL_ENV = "UNIFIED_ACCOUNTING_GATEWAY_PUBLIC_URL"
TIMEOUT_ENV = "UNIFIED_ACCOUNTING_GATEWAY_TIMEOUT"
_STORE_ENV = "UNIFIED_ACCOUNTING_TOKEN_STORE"

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain",
                            "stream": "ext://sys.stderr"}},
    "loggers": {
        "unified_accounting": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def _provider_settings(path: str | None) -> dict[str, dict[str, Any]]:
    if not path:
        return {}
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the settings file {path}: {exc}") from None
    if not isinstance(loaded, dict) or not all(isinstance(v, dict) for v in loaded.values()):
        raise ConfigurationError(f"{path} must hold an object of provider name -> settings")
    return loaded


def config_from_environment(environ: Mapping[str, str] | None = None) -> GatewayConfig:
    """The configuration ``serve`` passed to its workers."""
    env = os.environ if environ is None else environ
    return GatewayConfig(
        database=Path(env[DATABASE_ENV]) if env.get(DATABASE_ENV) else default_database_path(),
        token_store_url=env.get(_STORE_ENV) or None,
        provider_settings=_provider_settings(env.get(SETTINGS_ENV)),
        public_url=env.get(PUBLIC_URL_ENV) or None,
        request_timeout=float(env.get(TIMEOUT_ENV) or 30.0),
    )


def app_from_environment() -> Starlette:
    """The application of one worker process (a uvicorn factory)."""
    return create_app(config_from_environment())


def serve(*, host: str, port: int, workers: int, config_env: Mapping[str, str]) -> None:
    """Serve until SIGINT/SIGTERM; in-flight requests may finish first (graceful shutdown)."""
    os.environ.update(config_env)
    timeout = float(config_env.get(TIMEOUT_ENV) or 30.0)
    uvicorn.run("unified_accounting.gateway.server:app_from_environment", factory=True,
                host=host, port=port, workers=workers, access_log=False,
                log_config=LOG_CONFIG, timeout_graceful_shutdown=int(timeout) + 5,
                server_header=False)


@contextmanager
def running(config: GatewayConfig, host: str = "127.0.0.1",
            port: int = 0) -> Iterator[str]:
    """Serve ``create_app(config)`` in a background thread; yield its base URL.

    The server is a real uvicorn server on loopback (port 0 picks a free one).
    """
    server = uvicorn.Server(uvicorn.Config(create_app(config), host=host, port=port,
                                           access_log=False, log_config=None,
                                           lifespan="on", server_header=False))
    thread = threading.Thread(target=server.run, name="gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the gateway did not start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{bound[0]}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
