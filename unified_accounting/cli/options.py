"""What the data commands of the CLI share: connection options, errors and output.

Every command that talks to a provider takes the same options (``--provider``, ``--connection``,
``--business``, ``--store``, ``--settings``, ``--setting``, ``--base-url``, ``--client-id``,
``--client-secret``), each also readable from an environment variable, and connects through
the token store exactly as ``ua.connect`` does. Output is a table for people or, with
``--json``, JSON for scripts; errors go to stderr.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click
import requests

from unified_accounting.client import Client
from unified_accounting.connection import connect
from unified_accounting.credentials import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from unified_accounting.errors import AccountingError
from unified_accounting.tokens.registry import STORE_ENV, default_token_store, token_store_from_url

__all__ = [
    "ClientOptions",
    "RequestCounter",
    "client_options",
    "echo_json",
    "echo_table",
    "error_text",
    "json_option",
    "open_client",
    "read_json_file",
]

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


def read_json_file(path: str, what: str) -> Any:
    """Read JSON from ``path`` (``-`` for stdin); numbers with a fraction become ``Decimal``.

    Raises:
        click.BadParameter: the file cannot be read or is not JSON.
    """
    try:
        with click.open_file(path, encoding="utf-8") as handle:
            text = handle.read()
        return json.loads(text, parse_float=Decimal)
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=what) from exc
    except ValueError as exc:
        raise click.BadParameter(f"{path} is not JSON: {exc}", param_hint=what) from exc


def _pairs(values: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in values:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--setting")
        found[key.strip()] = value.strip()
    return found


def _settings(file: str | None, pairs: Sequence[str], base_url: str | None) -> dict[str, Any]:
    """Merge ``--settings FILE``, then ``--setting`` pairs, then ``--base-url``."""
    settings: dict[str, Any] = {}
    if file:
        loaded = read_json_file(file, "--settings")
        if not isinstance(loaded, dict):
            raise click.BadParameter(f"{file} must hold a JSON object", param_hint="--settings")
        settings.update(loaded)
    settings.update(_pairs(pairs))
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


def error_text(exc: AccountingError) -> str:
    """The message shown for an error: its sentence, then any field not already named."""
    lines = [str(exc)]
    unnamed = {path: msgs for path, msgs in exc.field_errors.items() if path not in exc.message}
    lines += [f"  {path}: {'; '.join(msgs)}" for path, msgs in sorted(unnamed.items())]
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (``Decimal`` as a string, dates as ISO text)."""
    click.echo(json.dumps(data, indent=2, default=_plain, ensure_ascii=False))


def cell(value: Any) -> str:
    """One table cell: ``-`` for nothing, text otherwise."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
               empty: str = "Nothing to show.") -> None:
    """Print rows under upper-case headers, in aligned columns."""
    if not rows:
        click.echo(empty)
        return
    table = [[h.upper() for h in headers], *[[cell(v) for v in row] for row in rows]]
    widths = [max(len(row[col]) for row in table) for col in range(len(headers))]
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
