"""``connect`` for providers that log in without OAuth: ask for the fields they declare.

A provider lists its login fields (``Provider.credential_fields``: name, prompt, whether it
is secret, an environment variable). Each value comes from ``--credential NAME=VALUE``, else
from the field's environment variable, else from a prompt (without echo for secrets). The
login is tried once before it is stored, so a wrong password is never kept (and never tried
again by a worker: some providers block a user after a few failed logins).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import click

from unified_accounting.errors import AccountingError, AuthenticationError
from unified_accounting.login_credentials import (
    CredentialField,
    LoginCredentials,
    save_credentials,
)
from unified_accounting.provider import Provider
from unified_accounting.tokens.base import ConnectionInfo, TokenStore

__all__ = ["read_login", "store_login"]


def read_login(fields: Sequence[CredentialField], given: Mapping[str, str]) -> LoginCredentials:
    """Collect every field: option, environment variable, or prompt.

    Raises:
        click.BadParameter: ``--credential`` names a field the provider does not take.
    """
    names = {item.name for item in fields}
    unknown = sorted(set(given) - names)
    if unknown:
        raise click.BadParameter(f"unknown field(s) {', '.join(unknown)}; the provider takes "
                                 f"{', '.join(sorted(names))}", param_hint="--credential")
    values: dict[str, str] = {}
    for item in fields:
        value = given.get(item.name) or (os.environ.get(item.env) if item.env else None)
        if not value:
            value = click.prompt(item.prompt, hide_input=item.secret)
        values[item.name] = value
    return LoginCredentials(values)


def _check(provider: Provider, login: LoginCredentials,
           settings: Mapping[str, str]) -> int:
    """Log in once (the businesses list); return how many businesses the login reaches."""
    from unified_accounting.connection import connect

    with connect(provider, credentials=login, settings=settings, select_business=False) as c:
        return sum(1 for _ in c.businesses.list())


def store_login(provider: Provider, login: LoginCredentials, *, connection: str,
                store: TokenStore, settings: Mapping[str, str], check: bool) -> ConnectionInfo:
    """Try the login (unless ``check`` is false) and store it under ``connection``.

    Raises:
        click.ClickException: the provider refused the login (nothing is stored).
    """
    if check:
        try:
            reached = _check(provider, login, settings)
        except AuthenticationError as exc:
            raise click.ClickException(
                f"{provider.name} refused the login; nothing was stored ({exc.message})"
            ) from exc
        except AccountingError as exc:
            raise click.ClickException(f"could not try the login: {exc}") from exc
        click.echo(f"The login reaches {reached} business(es).", err=True)
    return save_credentials(store, connection, provider.name, login)
