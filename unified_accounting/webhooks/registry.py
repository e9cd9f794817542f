"""Opening the webhook store beside a mirror, from the path or URL that names the mirror."""

from __future__ import annotations

from unified_accounting.errors import ConfigurationError
from unified_accounting.webhooks.store import WebhookStore

__all__ = ["open_webhook_store"]


def open_webhook_store(location: str) -> WebhookStore:
    """The store next to a mirror: ``postgresql://...[?schema=]``, ``sqlite:///path`` or a path.

    Raises:
        ConfigurationError: the location is empty or ``:memory:``.
    """
    if not location or location == ":memory:":
        raise ConfigurationError("name the mirror's file or PostgreSQL URL for the webhook "
                                 "store (UNIFIED_ACCOUNTING_MIRROR or --mirror)")
    if location.startswith(("postgresql://", "postgres://")):
        from unified_accounting.webhooks.postgres_store import PostgresWebhookStore

        return PostgresWebhookStore.from_url(location)
    from unified_accounting.webhooks.sqlite_store import SQLiteWebhookStore

    return SQLiteWebhookStore(location.removeprefix("sqlite://"))
