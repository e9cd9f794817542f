"""Finding and opening outbox stores: by URL, by plugin name, or the default one.

A package adds a store by declaring, in its ``pyproject.toml``::

    [project.entry-points."unified_accounting.outboxes"]
    dynamo = "my_package.outbox:DynamoOutbox"

where ``DynamoOutbox`` subclasses :class:`~unified_accounting.outbox.store.OutboxStore`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from unified_accounting.errors import ConfigurationError
from unified_accounting.outbox.store import OutboxStore
from unified_accounting.plugins import OUTBOX_ENTRY_POINT_GROUP, load_plugin_class, plugin_names

__all__ = [
    "OUTBOX_ENTRY_POINT_GROUP",
    "OUTBOX_ENV",
    "available_outboxes",
    "default_outbox",
    "load_outbox",
    "open_outbox",
]

#: Environment variable naming the outbox by URL: ``sqlite:///path`` or ``postgresql://...``.
OUTBOX_ENV = "UNIFIED_ACCOUNTING_OUTBOX"


def available_outboxes() -> list[str]:
    """Names of the installed outbox stores, sorted."""
    return plugin_names(OUTBOX_ENTRY_POINT_GROUP)


def load_outbox(name: str, **options: Any) -> OutboxStore:
    """Create the store registered under ``name`` with ``options``.

    Example: ``load_outbox("sqlite", path="outbox.sqlite3")``.

    Raises:
        PluginNotFoundError: no store has that name (a ``ConfigurationError``).
        PluginLoadError: it failed to import, or it is not an :class:`OutboxStore`.
    """
    factory = load_plugin_class(OUTBOX_ENTRY_POINT_GROUP, name, OutboxStore)  # type: ignore[type-abstract]
    return factory(**options)


def open_outbox(url: str) -> OutboxStore:
    """Open the store a URL names: ``sqlite:///path`` or ``postgresql://...?schema=``.

    Raises:
        ConfigurationError: another scheme, or no URL.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from unified_accounting.outbox.postgres_store import PostgresOutbox

        return PostgresOutbox.from_url(url)
    if url.startswith("sqlite://"):
        from unified_accounting.outbox.sqlite_store import SQLiteOutbox

        return SQLiteOutbox(url.removeprefix("sqlite://"))
    raise ConfigurationError(f"{OUTBOX_ENV} must be a postgresql:// or sqlite:/// URL"
                             + ("" if url else " (it is empty)"))


def default_outbox(environ: Mapping[str, str] | None = None) -> OutboxStore:
    """The store ``UNIFIED_ACCOUNTING_OUTBOX`` names, else ``outbox.sqlite3`` in the user's
    data folder (beside the default token store)."""
    env = os.environ if environ is None else environ
    url = env.get(OUTBOX_ENV, "").strip()
    if url:
        return open_outbox(url)
    from unified_accounting.outbox.sqlite_store import SQLiteOutbox, default_path

    return SQLiteOutbox(default_path())
