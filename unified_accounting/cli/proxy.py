"""``unified-accounting proxy METHOD PATH``: any provider path, printed as JSON."""

from __future__ import annotations

from typing import Any

import click

from unified_accounting.cli.options import ClientOptions, client_options, open_client
from unified_accounting.cli.output import echo_json
from unified_accounting.cli.parsing import parse_pairs, read_json_file

__all__ = ["proxy"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs, sent as typed; a name given twice is sent twice."""
    params: dict[str, Any] = {}
    for name, value in parse_pairs(pairs, "--param", strip=False):
        if name in params:
            previous = params[name]
            params[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[name] = value
    return params


@click.command()
@click.argument("method", type=click.Choice(_METHODS, case_sensitive=False))
@click.argument("path")
@click.option("--param", "pairs", multiple=True, metavar="NAME=VALUE",
              help="Query parameter (repeatable).")
@click.option("--json", "body_file", metavar="FILE",
              help="Send the JSON in FILE as the body (-: stdin).")
@click.option("--all", "all_pages", is_flag=True,
              help="Follow every page of a list and print all its records as one array.")
@click.option("--idempotency-key", metavar="KEY",
              help="Attach this token the provider's way, so that a retried write is safe.")
@client_options()
def proxy(method: str, path: str, pairs: tuple[str, ...], body_file: str | None,
          all_pages: bool, idempotency_key: str | None, conn: ClientOptions) -> None:
    """Send METHOD PATH to the provider's API and print the JSON answer.

    The request carries the connection's authentication and business, and goes through the
    same limits and retries as every other call. Example:

        unified-accounting proxy GET /financial_settings
    """
    method = method.upper()
    params = _params(pairs)
    body = read_json_file(body_file, "--json") if body_file else None
    if all_pages and (method != "GET" or body is not None):
        raise click.UsageError("--all follows the pages of a GET list only")
    with open_client(conn) as client:
        if all_pages:
            echo_json(list(client.proxy.paginate(path, params)))
            return
        response = client.proxy.request(method, path, params=params or None, json=body,
                                        idempotency_key=idempotency_key)
    try:
        answer = response.json()
    except ValueError:
        click.echo(response.text)
        return
    if answer is not None:
        echo_json(answer)
