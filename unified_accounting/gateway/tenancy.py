"""How connections belong to tenants: the tenant is part of the stored connection name.

A connection ``books`` of tenant ``acme`` is stored as ``acme:books`` in the token store.
The binding therefore cannot drift from the tokens (there is no second record to forget or
forge), every store works unchanged, and listing a tenant's connections is a prefix match.
Tenants and connection names are short identifiers without ``:``, so a name splits one way.
"""

from __future__ import annotations

import re

from unified_accounting.errors import ValidationError

__all__ = ["NAME_PATTERN", "check_name", "connection_of", "stored_name"]

#: Tenants and connection names: a letter or digit, then letters, digits, ``_``, ``.``, ``-``.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_SEPARATOR = ":"


def check_name(value: str, field: str) -> str:
    """Return ``value`` when it is a valid tenant or connection name.

    Raises:
        ValidationError: naming ``field`` and the rule.
    """
    if not isinstance(value, str) or NAME_PATTERN.fullmatch(value) is None:
        raise ValidationError({field: [
            "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"]})
    return value


def stored_name(tenant: str, connection: str) -> str:
    """The token store's name of ``connection`` of ``tenant`` (``acme:books``)."""
    return f"{check_name(tenant, 'tenant')}{_SEPARATOR}{check_name(connection, 'connection')}"


def connection_of(tenant: str, stored: str) -> str | None:
    """The tenant's own name of a stored connection, or ``None`` when it is not the tenant's."""
    prefix = tenant + _SEPARATOR
    if not stored.startswith(prefix):
        return None
    name = stored[len(prefix):]
    return name if NAME_PATTERN.fullmatch(name) else None
