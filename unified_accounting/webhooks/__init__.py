"""Signed webhooks of change events (Standard Webhooks), and the receiver's check.

Receivers need only :func:`verify` (standard library only)::

    import unified_accounting as ua
    event = ua.webhooks.verify(body, headers, "whsec_...", seen=ua.webhooks.SeenIds())

Senders register endpoints in the store beside their mirror (:func:`open_webhook_store`) and
run a :class:`Deliverer` (``unified-accounting webhooks deliver``, or the Celery task in
:mod:`unified_accounting.jobs.webhook_tasks`). See docs/events.md.

The names are resolved lazily, so ``ua.webhooks.verify`` does not import the store or
``requests``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unified_accounting.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from unified_accounting.webhooks.delivery import Deliverer, DeliveryPolicy, DeliveryStats
    from unified_accounting.webhooks.registry import open_webhook_store
    from unified_accounting.webhooks.signing import (
        ReplayGuard,
        SeenIds,
        WebhookVerificationError,
        generate_secret,
        sign,
        signed_headers,
        verify,
    )
    from unified_accounting.webhooks.store import (
        Delivery,
        Endpoint,
        WebhookStore,
    )

_SIGNING = "unified_accounting.webhooks.signing"
_STORE = "unified_accounting.webhooks.store"
_DELIVERY = "unified_accounting.webhooks.delivery"
_IMPORTS: dict[str, str] = {
    "Deliverer": _DELIVERY,
    "Delivery": _STORE,
    "DeliveryPolicy": _DELIVERY,
    "DeliveryStats": _DELIVERY,
    "Endpoint": _STORE,
    "ReplayGuard": _SIGNING,
    "SeenIds": _SIGNING,
    "WebhookStore": _STORE,
    "WebhookVerificationError": _SIGNING,
    "generate_secret": _SIGNING,
    "open_webhook_store": "unified_accounting.webhooks.registry",
    "sign": _SIGNING,
    "signed_headers": _SIGNING,
    "verify": _SIGNING,
}

__all__ = [
    "Deliverer",
    "Delivery",
    "DeliveryPolicy",
    "DeliveryStats",
    "Endpoint",
    "ReplayGuard",
    "SeenIds",
    "WebhookStore",
    "WebhookVerificationError",
    "generate_secret",
    "open_webhook_store",
    "sign",
    "signed_headers",
    "verify",
]

__getattr__, __dir__ = lazy_exports(globals(), _IMPORTS)
