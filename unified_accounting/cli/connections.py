"""CLI commands for connections: ``connect`` and ``connections list | show | revoke``.

Secrets come from options, the environment (``UNIFIED_ACCOUNTING_CLIENT_ID``,
``UNIFIED_ACCOUNTING_CLIENT_SECRET``) or a hidden prompt, and are never printed. The store is
the default one unless ``--store URL`` (or ``UNIFIED_ACCOUNTING_TOKEN_STORE``) names another.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click

from unified_accounting.cli.login import read_login, store_login
from unified_accounting.cli.parsing import parse_pairs
from unified_accounting.credentials import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from unified_accounting.errors import AccountingError
from unified_accounting.oauth import begin_authorization, complete_authorization, revoke
from unified_accounting.oauth_callback import CallbackServer
from unified_accounting.plugins import resolve_provider
from unified_accounting.provider import Provider
from unified_accounting.tokens.base import ConnectionInfo, TokenStore
from unified_accounting.tokens.registry import STORE_ENV, default_token_store, token_store_from_url

__all__ = ["connect", "connections"]


@contextmanager
def _callback_server(host: str, port: int, path: str) -> Iterator[CallbackServer]:
    """The loopback server for the redirect, its failures as messages that name the option."""
    try:
        server = CallbackServer(host, port, path)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port} for the callback ({exc.strerror}); "
            "choose another --redirect-port"
        ) from exc
    with server:
        yield server


def _wait(callback: CallbackServer, timeout: float) -> dict[str, str]:
    try:
        return callback.wait(timeout)
    except TimeoutError as exc:
        raise click.ClickException(str(exc)) from exc


def _settings(pairs: tuple[str, ...]) -> dict[str, str]:
    return dict(parse_pairs(pairs, "--setting"))


@contextmanager
def _open_store(url: str | None) -> Iterator[TokenStore]:
    try:
        store = token_store_from_url(url) if url else default_token_store()
    except AccountingError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield store
    except AccountingError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%SZ")


_store_option = click.option(
    "--store", envvar=STORE_ENV, metavar="URL", help="Token store URL (default: local SQLite)."
)
_setting_option = click.option(
    "--setting",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Provider setting, e.g. token_url=http://127.0.0.1:8000/token (repeatable).",
)
_client_id_option = click.option(
    "--client-id", envvar=CLIENT_ID_ENV, help="OAuth client id (prompted when missing)."
)
_client_secret_option = click.option(
    "--client-secret",
    envvar=CLIENT_SECRET_ENV,
    help=f"OAuth client secret (prefer ${CLIENT_SECRET_ENV} or the prompt).",
)
_prompted_client_secret_option = click.option(
    "--client-secret",
    envvar=CLIENT_SECRET_ENV,
    prompt="Client secret",
    hide_input=True,
    help=f"OAuth client secret (prefer ${CLIENT_SECRET_ENV} or the prompt).",
)


@click.command()
@click.argument("provider")
@_client_id_option
@_client_secret_option
@click.option("--connection", default="default", show_default=True, help="Name to store under.")
@click.option("--redirect-port", type=int, default=8765, show_default=True)
@click.option("--redirect-host", default="127.0.0.1", show_default=True)
@click.option("--redirect-path", default="/callback", show_default=True)
@click.option("--scope", "scopes", multiple=True, help="Scope to request (repeatable).")
@click.option("--country", help="Passed to the authorize page (Sage: gb, ie, us, ca, fr, es).")
@click.option("--locale", help="Passed to the authorize page.")
@_setting_option
@_store_option
@click.option("--no-browser", is_flag=True, help="Only print the URL.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds to wait.")
@click.option("--credential", "credentials", multiple=True, metavar="NAME=VALUE",
              help="A login field, for providers without OAuth (e.g. api_key=...); fields not "
              "given come from their environment variable or a prompt.")
@click.option("--no-check", is_flag=True, help="Store a login without trying it first.")
def connect(
    provider: str,
    client_id: str | None,
    client_secret: str | None,
    connection: str,
    redirect_port: int,
    redirect_host: str,
    redirect_path: str,
    scopes: tuple[str, ...],
    country: str | None,
    locale: str | None,
    settings: tuple[str, ...],
    store: str | None,
    no_browser: bool,
    timeout: float,
    credentials: tuple[str, ...],
    no_check: bool,
) -> None:
    """Authorize PROVIDER in a browser and store the tokens as a connection.

    A small server on loopback receives the provider's redirect; register its redirect URI
    (http://127.0.0.1:8765/callback by default) with the provider. A provider that logs in
    without OAuth asks for its login fields instead (secrets without echo), tries the login
    once and stores it.
    """
    provider_settings = _settings(settings)
    plugin = resolve_provider(provider)
    fields = getattr(plugin, "credential_fields", ())
    if fields and isinstance(plugin, Provider):
        login = read_login(fields,
                           dict(parse_pairs(credentials, "--credential", strip=False)))
        with _open_store(store) as tokens_home:
            info = store_login(plugin, login, connection=connection, store=tokens_home,
                               settings=provider_settings, check=not no_check)
        click.echo(f"Connected {info.connection!r} ({info.provider}); the login is stored.")
        return
    client_id = client_id or click.prompt("Client id")
    client_secret = client_secret or click.prompt("Client secret", hide_input=True)
    with _open_store(store) as tokens_home:
        with _callback_server(redirect_host, redirect_port, redirect_path) as callback:
            request = begin_authorization(
                provider,
                client_id=client_id,
                redirect_uri=callback.redirect_uri,
                scopes=list(scopes) or None,
                settings=provider_settings,
                state_store=tokens_home,
                country=country,
                locale=locale,
            )
            opened = not no_browser and webbrowser.open(request.url)
            intro = "If no browser window opened, visit" if opened else "Open this URL to"
            click.echo(f"{intro} authorize access:\n\n  {request.url}\n")
            click.echo(f"Waiting for the authorization at {callback.redirect_uri} ...")
            params = _wait(callback, timeout)
        info = complete_authorization(
            provider,
            params,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=request.redirect_uri,
            connection=connection,
            token_store=tokens_home,
            settings=provider_settings,
        )
    click.echo(
        f"Connected {info.connection!r} ({info.provider}); "
        f"access token valid until {_when(info.expires_at)}."
    )


@click.group()
def connections() -> None:
    """List, inspect and revoke stored connections."""


@connections.command("list")
@_store_option
def list_connections(store: str | None) -> None:
    """List stored connections and their health."""
    with _open_store(store) as tokens_home:
        infos = tokens_home.list_connections()
    if not infos:
        click.echo("No connections stored.")
        return
    rows = [("NAME", "PROVIDER", "HEALTH", "EXPIRES", "LAST REFRESH", "LAST FAILURE")]
    rows += [
        (
            i.connection,
            i.provider,
            i.health.value,
            _when(i.expires_at),
            _when(i.last_refresh_at),
            _when(i.last_failure_at),
        )
        for i in infos
    ]
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def _details(info: ConnectionInfo) -> list[tuple[str, str]]:
    return [
        ("connection", info.connection),
        ("provider", info.provider),
        ("client id", info.client_id or "-"),
        ("businesses", ", ".join(info.business_ids) or "-"),
        ("health", info.health.value),
        ("last error", info.last_error or "-"),
        ("scope", info.scope or "-"),
        ("access token expires", _when(info.expires_at)),
        ("refresh token expires", _when(info.refresh_token_expires_at)),
        ("last refresh", _when(info.last_refresh_at)),
        ("last failure", _when(info.last_failure_at)),
        ("created", _when(info.created_at)),
        ("version", str(info.version)),
        *((f"metadata {key}", value) for key, value in sorted(info.metadata.items())),
    ]


@connections.command("show")
@click.argument("name")
@_store_option
def show_connection(name: str, store: str | None) -> None:
    """Show one connection's details (never its tokens)."""
    with _open_store(store) as tokens_home:
        info = tokens_home.describe(name)
    if info is None:
        raise click.ClickException(f"no connection named {name!r}")
    details = _details(info)
    width = max(len(label) for label, _ in details)
    for label, value in details:
        click.echo(f"{label.ljust(width)}  {value}")


@connections.command("revoke")
@click.argument("name")
@click.option("--client-id", envvar=CLIENT_ID_ENV, help="Default: the stored client id.")
@_prompted_client_secret_option
@_setting_option
@_store_option
@click.confirmation_option(prompt="Revoke the grant and delete the stored tokens?")
def revoke_connection(
    name: str,
    client_id: str | None,
    client_secret: str,
    settings: tuple[str, ...],
    store: str | None,
) -> None:
    """Revoke NAME's grant at the provider and delete its tokens."""
    with _open_store(store) as tokens_home:
        confirmed = revoke(
            connection=name,
            client_id=client_id,
            client_secret=client_secret,
            token_store=tokens_home,
            settings=_settings(settings),
        )
    if confirmed:
        click.echo(f"Revoked {name!r} at the provider and deleted its tokens.")
    else:
        click.echo(f"Deleted the tokens of {name!r}; the provider had nothing to revoke.")
