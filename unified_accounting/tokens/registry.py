"""Finding token stores: built-in ones and those other packages register as entry points.

A package adds a store by declaring, in its ``pyproject.toml``::

    [project.entry-points."unified_accounting.token_stores"]
    dynamo = "my_package.store:DynamoTokenStore"

where ``DynamoTokenStore`` subclasses :class:`~unified_accounting.tokens.base.TokenStore`,
lists its URL schemes in ``url_schemes`` and implements ``from_url``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from unified_accounting.errors import ConfigurationError, PluginNotFoundError
from unified_accounting.plugins import (
    TOKEN_STORE_ENTRY_POINT_GROUP,
    load_plugin_class,
    plugin_names,
)
from unified_accounting.tokens.base import TokenStore

__all__ = [
    "STORE_ENV",
    "TOKEN_STORE_ENTRY_POINT_GROUP",
    "available_token_stores",
    "default_token_store",
    "token_store_class",
    "token_store_from_url",
]

#: Environment variable naming the default store by URL (``redis://...``, ``sqlite:///...``).
STORE_ENV = "UNIFIED_ACCOUNTING_TOKEN_STORE"



def _builtin_store(name: str) -> type[TokenStore] | None:
    """The core's own stores, for a source checkout where its entry points are not installed."""
    if name == "sqlite":
        from unified_accounting.tokens.sqlite import SQLiteTokenStore

        return SQLiteTokenStore
    if name == "redis":
        from unified_accounting.tokens.redis import RedisTokenStore

        return RedisTokenStore
    return None


_BUILTIN_NAMES = frozenset({"sqlite", "redis"})


def available_token_stores() -> list[str]:
    """Names of every installed token store, sorted."""
    return sorted(set(plugin_names(TOKEN_STORE_ENTRY_POINT_GROUP)) | _BUILTIN_NAMES)


def token_store_class(name: str) -> type[TokenStore]:
    """Load the token store class registered under ``name``.

    Raises:
        PluginNotFoundError: when no store has that name (a ``ConfigurationError``).
        PluginLoadError: when it fails to import or is not a ``TokenStore``.
    """
    try:
        return load_plugin_class(TOKEN_STORE_ENTRY_POINT_GROUP, name, TokenStore)  # type: ignore[type-abstract]
    except PluginNotFoundError:
        builtin = _builtin_store(name)
        if builtin is None:
            raise
        return builtin


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
