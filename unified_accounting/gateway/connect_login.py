"""The connect page for providers that log in without OAuth (a user name, password, API key).

A provider declares its login fields (``Provider.credential_fields``); the page then shows a
form of those fields instead of a button to the provider's sign-in page. The form carries the
same signed link and CSRF token as the OAuth button. On a post the login is tried once (the
businesses list) before it is stored under ``tenant:connection``: a wrong password is never
kept, and never tried again by a worker (such providers block a user after a few failed
logins). The values are never echoed back into the page, a log line or an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import unified_accounting as ua
from unified_accounting.gateway.context import Gateway
from unified_accounting.login_credentials import (
    CredentialField,
    LoginCredentials,
    save_credentials,
)
from unified_accounting.plugins import PROVIDER_ENTRY_POINT_GROUP, load_plugin

__all__ = ["credential_fields", "login_inputs", "read_login", "store_login"]


def credential_fields(provider: str) -> Sequence[CredentialField]:
    """The login fields ``provider`` declares; empty for an OAuth provider."""
    plugin = load_plugin(PROVIDER_ENTRY_POINT_GROUP, provider)
    fields: Sequence[CredentialField] = getattr(plugin, "credential_fields", ()) or ()
    return fields


def login_inputs(fields: Sequence[CredentialField]) -> str:
    """The form's labelled inputs, secrets as password inputs, nothing pre-filled."""
    rows = []
    for field in fields:
        kind = "password" if field.secret else "text"
        autocomplete = "current-password" if field.secret else "username"
        rows.append(f"<label for=f_{field.name}>{escape(field.prompt)}</label>"
                    f"<input type={kind} id=f_{field.name} name=login_{field.name} "
                    f"autocomplete={autocomplete} required>")
    return "".join(rows)


def read_login(fields: Sequence[CredentialField], form: Mapping[str, Any]) -> LoginCredentials:
    """The posted values of every declared field.

    Raises:
        ValidationError: a field is missing or empty (named by its field name).
    """
    values: dict[str, str] = {}
    missing: dict[str, list[str]] = {}
    for field in fields:
        value = str(form.get(f"login_{field.name}", "")).strip()
        if value:
            values[field.name] = value
        else:
            missing[field.name] = ["is required"]
    if missing:
        raise ua.ValidationError(missing)
    return LoginCredentials(values)


def store_login(gateway: Gateway, provider: str, stored: str,
                login: LoginCredentials) -> list[dict[str, Any]]:
    """Try the login once, then store it as ``stored`` with the businesses it reaches.

    Returns:
        The businesses, in unified JSON, the lead one (where the provider says) first.

    Raises:
        AuthenticationError: the provider refused the login; nothing is stored.
        AccountingError: the login could not be tried.
    """
    settings = gateway.config.settings_for(provider)
    with ua.connect(provider, credentials=login, settings=settings, select_business=False,
                    **dict(gateway.config.connect_options)) as client:
        found = [ua.dump(business) for business in client.businesses.list()]
    found.sort(key=lambda business: not business.get("is_lead"))
    gateway.hub.forget(stored)
    save_credentials(gateway.hub.store, stored, provider, login)
    gateway.hub.store.set_business_ids(stored, tuple(str(b["id"]) for b in found))
    return found
