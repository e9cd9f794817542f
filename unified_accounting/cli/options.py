"""The connection options every command that talks to a provider shares.

Every command that talks to a provider takes the same options (``--provider``, ``--connection``,
``--business``, ``--store``, ``--settings``, ``--setting``, ``--base-url``, ``--client-id``,
``--client-secret``), each also readable from an environment variable, and connects through
the token store exactly as ``ua.connect`` does.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click
import requests

from unified_accounting.cli.parsing import parse_pairs, read_json_file
from unified_accounting.client import Client
from unified_accounting.connection import connect
from unified_accounting.credentials import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from unified_accounting.tokens.registry import STORE_ENV, default_token_store, token_store_from_url

__all__ = ["ClientOptions", "RequestCounter", "client_options", "json_option", "open_client"]

PROVIDER_ENV = "UNIFIED_ACCOUNTING_PROVIDER"
CONNECTION_ENV = "UNIFIED_ACCOUNTING_CONNECTION"
BUSINESS_ENV = "UNIFIED_ACCOUNTING_BUSINESS"
SETTINGS_ENV = "UNIFIED_ACCOUNTING_SETTINGS"
_OPTION_NAMES = ("provider", "connection", "business", "store", "settings_file", "setting",
                 "base_url", "client_id", "client_secret")


@dataclass(frozen=True)
class ClientOptions:
    """The connection options of one command invocation (secrets are never printed)."""

    provider: str
    connection: str
    businesses: tuple[str, ...]
    store: str | None
    settings: Mapping[str, Any]
    client_id: str | None
    client_secret: str | None

    @property
    def business(self) -> str | None:
        """The one business asked for, if any."""
        return self.businesses[0] if self.businesses else None


class RequestCounter:
    """A ``requests.Session`` that counts every response received (retries included)."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.hooks["response"].append(self._seen)
        self._lock = threading.Lock()
        self.count = 0

    def _seen(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.count += 1


def _settings(file: str | None, pairs: Sequence[str], base_url: str | None) -> dict[str, Any]:
    """Merge ``--settings FILE``, then ``--setting`` pairs, then ``--base-url``."""
    settings: dict[str, Any] = {}
    if file:
        loaded = read_json_file(file, "--settings")
        if not isinstance(loaded, dict):
            raise click.BadParameter(f"{file} must hold a JSON object", param_hint="--settings")
        settings.update(loaded)
    settings.update(parse_pairs(pairs, "--setting"))
    if base_url:
        settings["base_url"] = base_url
    return settings


def _options(many_businesses: bool) -> list[Callable[[Any], Any]]:
    business_help = ("Business id (repeat for several)." if many_businesses
                     else "Business id (default: the provider's choice).")
    return [
        click.option("--provider", envvar=PROVIDER_ENV, default="sage", show_default=True,
                     help="Provider plugin name."),
        click.option("--connection", envvar=CONNECTION_ENV, default="default",
                     show_default=True, help="Stored connection to use."),
        click.option("--business", envvar=BUSINESS_ENV, multiple=many_businesses,
                     help=business_help),
        click.option("--store", envvar=STORE_ENV, metavar="URL",
                     help="Token store URL (default: local SQLite)."),
        click.option("--settings", "settings_file", envvar=SETTINGS_ENV, metavar="FILE",
                     help="JSON file of provider settings (e.g. a sandbox's URLs)."),
        click.option("--setting", multiple=True, metavar="KEY=VALUE",
                     help="One provider setting (repeatable)."),
        click.option("--base-url", metavar="URL", help="The provider API's base URL."),
        click.option("--client-id", envvar=CLIENT_ID_ENV, help="OAuth client id."),
        click.option("--client-secret", envvar=CLIENT_SECRET_ENV,
                     help=f"OAuth client secret (prefer ${CLIENT_SECRET_ENV})."),
    ]


def client_options(*, many_businesses: bool = False) -> Callable[[Callable[..., Any]],
                                                                 Callable[..., Any]]:
    """Add the connection options to a command; it receives them as ``conn: ClientOptions``."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in _OPTION_NAMES}
            business = given["business"]
            businesses = tuple(business) if many_businesses else ((business,) if business else ())
            conn = ClientOptions(
                provider=given["provider"], connection=given["connection"],
                businesses=businesses, store=given["store"],
                settings=_settings(given["settings_file"], given["setting"], given["base_url"]),
                client_id=given["client_id"], client_secret=given["client_secret"],
            )
            return func(*args, conn=conn, **kwargs)

        command: Callable[..., Any] = wrapper
        for option in reversed(_options(many_businesses)):
            command = option(command)
        return command

    return decorate


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


@contextmanager
def open_client(conn: ClientOptions, *, select_business: bool = True,
                session: requests.Session | None = None) -> Iterator[Client]:
    """Connect as the options say and close the client and its token store afterwards.

    Args:
        conn: the command's connection options.
        select_business: let the provider choose a business when none is given.
        session: the HTTP session to send requests with (e.g. a :class:`RequestCounter`'s).
    """
    store = token_store_from_url(conn.store) if conn.store else default_token_store()
    try:
        client = connect(
            conn.provider, connection=conn.connection, business_id=conn.business,
            select_business=select_business, token_store=store, settings=conn.settings,
            client_id=conn.client_id, client_secret=conn.client_secret, session=session,
        )
        with client:
            yield client
    finally:
        store.close()
