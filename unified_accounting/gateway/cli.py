"""``unified-accounting serve`` and ``unified-accounting apikeys create|list|revoke``.

Registered in the ``unified_accounting.cli`` entry-point group, so the command line loads
this module (and the server's dependencies) only when one of these commands runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from unified_accounting.gateway.config import DEFAULT_KEY_LIMIT, default_database_path

if TYPE_CHECKING:
    from unified_accounting.gateway.apikeys import ApiKeys

__all__ = ["apikeys", "serve"]

_DB_HELP = "The gateway's SQLite file of API keys (default: in the user's data folder)."


def _database_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option("--db", "database", type=click.Path(dir_okay=False, path_type=Path),
                        envvar="UNIFIED_ACCOUNTING_GATEWAY_DB", default=None,
                        help=_DB_HELP)(function)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; they share the key database and the token store.")
@_database_option
@click.option("--store", envvar="UNIFIED_ACCOUNTING_TOKEN_STORE", default=None,
              help="Token store URL (sqlite:///path, redis://host/0).")
@click.option("--settings", "settings_file", type=click.Path(exists=True, dir_okay=False),
              envvar="UNIFIED_ACCOUNTING_GATEWAY_SETTINGS", default=None,
              help="JSON file: provider name -> provider settings.")
@click.option("--public-url", envvar="UNIFIED_ACCOUNTING_GATEWAY_PUBLIC_URL", default=None,
              help="The address browsers reach the gateway at (for the OAuth redirect).")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds one request may take, provider retries included.")
def serve(host: str, port: int, workers: int, database: Path | None, store: str | None,
          settings_file: str | None, public_url: str | None, timeout: float) -> None:
    """Serve the unified API over HTTP (needs the [server] extra)."""
    try:
        from unified_accounting.gateway import server
    except ImportError as exc:
        raise click.ClickException(
            f"the gateway needs its extra: pip install 'unified-accounting[server]' ({exc.name})"
        ) from None
    env = {server.TIMEOUT_ENV: str(timeout)}
    for name, value in ((server.DATABASE_ENV, database), ("UNIFIED_ACCOUNTING_TOKEN_STORE", store),
                        (server.SETTINGS_ENV, settings_file),
                        (server.PUBLIC_URL_ENV, public_url)):
        if value:
            env[name] = str(value)
    click.echo(f"Serving on http://{host}:{port} with {workers} worker(s); Ctrl+C stops.",
               err=True)
    server.serve(host=host, port=port, workers=workers, config_env=env)


@click.group()
def apikeys() -> None:
    """Create, list and revoke the gateway's API keys."""


def _keys(database: Path | None) -> ApiKeys:
    from unified_accounting.gateway.apikeys import ApiKeys
    from unified_accounting.gateway.database import GatewayDatabase

    return ApiKeys(GatewayDatabase(database or default_database_path()))


@apikeys.command("create")
@click.option("--tenant", required=True, help="The tenant whose connections the key sees.")
@click.option("--name", default="", help="A label to recognise the key by.")
@click.option("--per-minute", type=click.IntRange(min=1), default=DEFAULT_KEY_LIMIT,
              show_default=True, help="Requests a minute the key may send.")
@_database_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def create_key(tenant: str, name: str, per_minute: int, database: Path | None,
               as_json: bool) -> None:
    """Create a key; it is printed once and cannot be shown again."""
    keys = _keys(database)
    record, plain = keys.create(tenant, name=name, per_minute=per_minute)
    if as_json:
        click.echo(json.dumps({"id": record.key_id, "tenant": record.tenant, "key": plain}))
        return
    click.echo(plain)
    click.echo(f"Key {record.key_id} for tenant {record.tenant}: store it now, it is not "
               "kept and cannot be shown again.", err=True)


@apikeys.command("list")
@click.option("--tenant", default=None, help="Only this tenant's keys.")
@_database_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_keys(tenant: str | None, database: Path | None, as_json: bool) -> None:
    """List keys (ids, tenants, limits; never the keys)."""
    keys = _keys(database)
    found = keys.list(tenant)
    if as_json:
        click.echo(json.dumps([vars(key) for key in found]))
        return
    if not found:
        click.echo("No API keys.")
        return
    click.echo(f"{'id':<14}{'tenant':<20}{'per min':>8}  {'created':<27}{'status':<9}name")
    for key in found:
        status = "active" if key.active else "revoked"
        click.echo(f"{key.key_id:<14}{key.tenant:<20}{key.per_minute:>8}  "
                   f"{key.created_at:<27}{status:<9}{key.name}")


@apikeys.command("revoke")
@click.argument("key_id")
@_database_option
def revoke_key(key_id: str, database: Path | None) -> None:
    """Stop accepting a key at once."""
    keys = _keys(database)
    record = keys.revoke(key_id)
    click.echo(f"Key {record.key_id} of tenant {record.tenant} is revoked.")
