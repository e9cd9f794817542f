"""Finding token stores: built-in ones and those other packages register as entry points.

A package adds a store by declaring, in its ``pyproject.toml``::

    [project.entry-points."unified_accounting.token_stores"]
    dynamo = "my_package.store:DynamoTokenStore"

where ``DynamoTokenStore`` subclasses :class:`~unified_accounting.tokens.base.TokenStore`,
lists its URL schemes in ``url_schemes`` and implements ``from_url``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from importlib.metadata import entry_points
from urllib.parse import urlsplit

from unified_accounting.errors import ConfigurationError
from unified_accounting.tokens.base import TokenStore

__all__ = [
    "STORE_ENV",
    "TOKEN_STORE_ENTRY_POINT_GROUP",
    "available_token_stores",
    "default_token_store",
    "token_store_class",
    "token_store_from_url",
]

TOKEN_STORE_ENTRY_POINT_GROUP = "unified_accounting.token_stores"  # noqa: S105 - not a secret
#: Environment variable naming the default store by URL (``redis://...``, ``sqlite:///...``).
STORE_ENV = "UNIFIED_ACCOUNTING_TOKEN_STORE"

# Used when the core distribution's own entry points are not installed (a source checkout).
_BUILTIN = {
    "sqlite": "unified_accounting.tokens.sqlite:SQLiteTokenStore",
    "redis": "unified_accounting.tokens.redis:RedisTokenStore",
}


def available_token_stores() -> list[str]:
    """Names of every installed token store, sorted."""
    registered = {ep.name for ep in entry_points(group=TOKEN_STORE_ENTRY_POINT_GROUP)}
    return sorted(registered | set(_BUILTIN))


def token_store_class(name: str) -> type[TokenStore]:
    """Load the token store class registered under ``name``.

    Raises:
        ConfigurationError: when no store has that name or it is not a ``TokenStore``.
    """
    found = entry_points(group=TOKEN_STORE_ENTRY_POINT_GROUP, name=name)
    target = next((ep.value for ep in found), None) or _BUILTIN.get(name)
    if target is None:
        raise ConfigurationError(f"no token store named {name!r}")
    module_name, _, attribute = target.partition(":")
    loaded = getattr(importlib.import_module(module_name), attribute)
    if not (isinstance(loaded, type) and issubclass(loaded, TokenStore)):
        raise ConfigurationError(f"token store {name!r} is not a TokenStore subclass")
    return loaded


def _class_for_scheme(scheme: str) -> type[TokenStore]:
    names = available_token_stores()
    if scheme in names:
        return token_store_class(scheme)
    for name in names:
        cls = token_store_class(name)
        if scheme in cls.url_schemes:
            return cls
    raise ConfigurationError(f"no token store understands URLs of scheme {scheme!r}")


def token_store_from_url(url: str) -> TokenStore:
    """Open the store a URL names: ``sqlite:///path``, ``redis://host:6379/0?prefix=app:``...

    Raises:
        ConfigurationError: when no installed store understands the URL.
    """
    scheme = urlsplit(url).scheme.lower()
    if not scheme:
        raise ConfigurationError("a token store URL needs a scheme, such as sqlite: or redis:")
    return _class_for_scheme(scheme).from_url(url)


def default_token_store(environ: Mapping[str, str] | None = None) -> TokenStore:
    """The store named by ``UNIFIED_ACCOUNTING_TOKEN_STORE``, else the default SQLite file."""
    env = os.environ if environ is None else environ
    url = env.get(STORE_ENV, "").strip()
    if url:
        return token_store_from_url(url)
    from unified_accounting.tokens.sqlite import SQLiteTokenStore

    return SQLiteTokenStore()
