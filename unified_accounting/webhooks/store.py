"""Webhook endpoints and deliveries, kept in the mirror's own database.

:class:`WebhookStore` is the contract; :class:`~unified_accounting.webhooks.sqlite_store.
SQLiteWebhookStore` and :class:`~unified_accounting.webhooks.postgres_store.
PostgresWebhookStore` keep the tables the mirrors write events into (see
:mod:`unified_accounting.events.sqlite_log`);
:func:`~unified_accounting.webhooks.registry.open_webhook_store` opens the one beside a mirror.

A delivery is claimed by a worker for a lease (its ``due_at`` moves past the lease), sent, then
finished: delivered, due again after a backoff, or failed for good. Only the oldest delivery
not yet delivered of each (endpoint, record) can be claimed, so one record's events reach an
endpoint in the order they happened; a failed one holds back the later ones of its record
until it is retried.
"""

from __future__ import annotations

import json
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from unified_accounting.credentials import Secret
from unified_accounting.errors import ConfigurationError, ValidationError
from unified_accounting.events.model import ACTIONS
from unified_accounting.provider import RESOURCE_KINDS
from unified_accounting.tokens.crypto import TokenCipher, cipher_from_env
from unified_accounting.webhooks.signing import (
    WebhookVerificationError,
    generate_secret,
    secret_key,
)

__all__ = [
    "ClaimedDelivery",
    "Delivery",
    "DeliveryState",
    "Endpoint",
    "Outcome",
    "WebhookStore",
    "redacted_url",
]

DeliveryState = Literal["pending", "delivered", "failed"]
_ENCRYPTED = "fernet:"
ENDPOINT_COLUMNS = ("id, url, secret, event_types, connection, description, created_at, "
                    "disabled_at, disabled_reason")
"""The endpoint columns :meth:`WebhookStore._endpoint_from_row` reads, in order."""


def redacted_url(url: str) -> str:
    """``url`` without user information, query or fragment (they may hold credentials)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    hidden = "?..." if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) + hidden


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """A registered URL. Its ``secret`` signs every delivery; ``repr`` never shows it."""

    id: str
    url: str
    secret: Secret
    event_types: tuple[str, ...] = ()
    connection: str | None = None
    description: str | None = None
    created_at: float = 0.0
    disabled_at: float | None = None
    disabled_reason: str | None = None

    def __repr__(self) -> str:
        return (f"Endpoint(id={self.id!r}, url={redacted_url(self.url)!r}, "
                f"event_types={self.event_types!r}, connection={self.connection!r}, "
                f"disabled={self.disabled_at is not None})")


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One event's delivery to one endpoint, as an operator inspects it."""

    endpoint_id: str
    event_id: str
    event_seq: int
    event_type: str
    record_id: str
    state: DeliveryState
    attempts: int
    due_at: float
    last_status: int | None
    last_error: str | None
    last_attempt_at: float | None
    delivered_at: float | None


@dataclass(frozen=True, kw_only=True)
class ClaimedDelivery:
    """A delivery a worker holds until ``lease_until``: what to send, where, signed how."""

    endpoint_id: str
    event_seq: int
    event_id: str
    body: str
    url: str
    secret: Secret
    attempts: int
    claim: str
    lease_until: float

    def __repr__(self) -> str:
        return (f"ClaimedDelivery(endpoint_id={self.endpoint_id!r}, event_id={self.event_id!r},"
                f" url={redacted_url(self.url)!r}, attempts={self.attempts})")


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What an attempt ended in, as the worker decided it.

    Args:
        delivered: the endpoint answered 2xx.
        status: the HTTP status, when one came back.
        error: a short reason for a failure (never the response body).
        retry_at: when to try again (Unix seconds); ``None`` with ``delivered`` false means
            failed for good.
        disable_reason: set when the endpoint asked to stop (410 Gone); it is disabled.
        released: not sent at all (the lease ran short): due again at once, no attempt counted.
    """

    delivered: bool
    status: int | None = None
    error: str | None = None
    retry_at: float | None = None
    disable_reason: str | None = None
    released: bool = False


class WebhookStore(ABC):
    """Endpoints, and the deliveries a mirror's commits queue for them."""

    def __init__(self, cipher: TokenCipher | None = None) -> None:
        # Secrets are encrypted at rest with the token store's key, when one is configured.
        self._cipher = cipher if cipher is not None else cipher_from_env()

    # -- endpoints ---------------------------------------------------------------------------

    def add_endpoint(self, url: str, *, secret: str | Secret | None = None,
                     event_types: Sequence[str] = (), connection: str | None = None,
                     description: str | None = None) -> Endpoint:
        """Register ``url``; it receives every event committed from now on that it wants.

        Args:
            url: an ``http`` or ``https`` URL.
            secret: ``whsec_...`` (24 to 64 bytes); a new random one when omitted.
            event_types: patterns such as ``invoices.created``, ``contacts.*``, ``*.deleted``;
                none means every event.
            connection: only events of this connection.
            description: a note for people.

        Raises:
            ValidationError: a field is not acceptable; the error names it.
        """
        chosen = Secret(secret) if secret is not None else generate_secret()
        _check_endpoint(url, chosen, event_types)
        endpoint = Endpoint(id="ep_" + secrets.token_hex(8), url=url, secret=chosen,
                            event_types=tuple(event_types), connection=connection,
                            description=description, created_at=time.time())
        self._insert_endpoint(endpoint, self._seal(chosen))
        return endpoint

    @abstractmethod
    def _insert_endpoint(self, endpoint: Endpoint, sealed_secret: str) -> None:
        """Store a new endpoint with its secret as it is kept at rest."""

    @abstractmethod
    def endpoints(self) -> list[Endpoint]:
        """Every endpoint, oldest first."""

    def endpoint(self, endpoint_id: str) -> Endpoint | None:
        """One endpoint, or ``None``."""
        return next((e for e in self.endpoints() if e.id == endpoint_id), None)

    @abstractmethod
    def remove_endpoint(self, endpoint_id: str) -> bool:
        """Delete an endpoint and its deliveries; whether it existed."""

    @abstractmethod
    def set_disabled(self, endpoint_id: str, reason: str | None) -> bool:
        """Disable an endpoint (``reason``) or enable it (``None``); whether it exists.

        A disabled endpoint gets no new deliveries and its pending ones wait.
        """

    # -- deliveries --------------------------------------------------------------------------

    @abstractmethod
    def claim(self, limit: int, *, lease: float, now: float | None = None) -> list[ClaimedDelivery]:
        """Take up to ``limit`` due deliveries, each the oldest unfinished of its record."""

    @abstractmethod
    def finish(self, results: Sequence[tuple[ClaimedDelivery, Outcome]],
               *, now: float | None = None) -> None:
        """Save the outcome of claimed deliveries in one transaction."""

    @abstractmethod
    def deliveries(self, *, states: Sequence[DeliveryState] = ("failed",),
                   endpoint_id: str | None = None, with_errors: bool = False,
                   limit: int = 100) -> list[Delivery]:
        """Deliveries in ``states``, oldest event first; ``with_errors`` adds retrying ones."""

    @abstractmethod
    def retry(self, *, endpoint_id: str | None = None,
              event_ids: Sequence[str] | None = None, now: float | None = None) -> int:
        """Queue failed deliveries again (all, one endpoint's, or some events'); how many."""

    @abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """Deliveries per endpoint id and state."""

    @abstractmethod
    def prune(self, *, older_than: float) -> int:
        """Delete deliveries delivered before ``older_than`` and events left without any."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> WebhookStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- helpers for subclasses ----------------------------------------------------------------

    def _endpoint_from_row(self, row: Sequence[Any]) -> Endpoint:
        """An endpoint from the columns of :data:`ENDPOINT_COLUMNS`."""
        (endpoint_id, url, secret, types, connection, description, created_at, disabled_at,
         reason) = row
        return Endpoint(id=endpoint_id, url=url, secret=self._unseal(secret),
                        event_types=tuple(json.loads(types) if isinstance(types, str) else types),
                        connection=connection, description=description, created_at=created_at,
                        disabled_at=disabled_at, disabled_reason=reason)

    def _claimed(self, rows: Sequence[Sequence[Any]], claim: str,
                 until: float) -> list[ClaimedDelivery]:
        """Claimed deliveries from rows of (endpoint, seq, attempts, url, secret, id, body)."""
        return [ClaimedDelivery(endpoint_id=endpoint_id, event_seq=seq, attempts=attempts,
                                url=url, secret=self._unseal(secret), event_id=event_id,
                                body=body, claim=claim, lease_until=until)
                for endpoint_id, seq, attempts, url, secret, event_id, body in rows]

    def _seal(self, secret: Secret) -> str:
        if self._cipher is None:
            return secret.reveal()
        return _ENCRYPTED + self._cipher.encrypt(secret.reveal())

    def _unseal(self, stored: str) -> Secret:
        if not stored.startswith(_ENCRYPTED):
            return Secret(stored)
        if self._cipher is None:
            raise ConfigurationError("webhook secrets are encrypted: set UNIFIED_ACCOUNTING_"
                                     "TOKEN_KEY to the key they were stored with")
        return Secret(self._cipher.decrypt(stored.removeprefix(_ENCRYPTED)))


# How each outcome is saved; only the table name ({t}) and the driver's placeholder ({p}) are
# formatted in, values travel as parameters.
_FINISH_SQL = {
    "delivered": "UPDATE {t} SET state = 'delivered', attempts = attempts + 1, "
                 "delivered_at = {p}, last_attempt_at = {p}, last_status = {p}, "
                 "last_error = NULL, claimed_by = NULL "
                 "WHERE endpoint_id = {p} AND event_seq = {p}",
    "released": "UPDATE {t} SET due_at = {p}, claimed_by = NULL "
                "WHERE endpoint_id = {p} AND event_seq = {p} AND claimed_by = {p}",
    "attempted": "UPDATE {t} SET state = {p}, attempts = attempts + 1, due_at = {p}, "
                 "last_attempt_at = {p}, last_status = {p}, last_error = {p}, "
                 "claimed_by = NULL WHERE endpoint_id = {p} AND event_seq = {p} "
                 "AND claimed_by = {p} AND state = 'pending'",
}


def finish_statement(table: str, delivery: ClaimedDelivery, outcome: Outcome, at: float, *,
                     mark: str) -> tuple[str, tuple[object, ...]]:
    """The UPDATE that saves one outcome, with ``mark`` as the driver's placeholder.

    A delivered outcome is saved whoever holds the claim now (the endpoint has the event);
    any other only while this claim still holds it, so a worker whose lease ran out cannot
    overwrite the newer holder's result.
    """
    key = (delivery.endpoint_id, delivery.event_seq)
    params: tuple[object, ...]
    if outcome.delivered:
        kind, params = "delivered", (at, at, outcome.status, *key)
    elif outcome.released:
        kind, params = "released", (at, *key, delivery.claim)
    else:
        kind = "attempted"
        params = ("pending" if outcome.retry_at is not None else "failed",
                  at if outcome.retry_at is None else outcome.retry_at, at, outcome.status,
                  outcome.error, *key, delivery.claim)
    return _FINISH_SQL[kind].format(t=table, p=mark), params


DELIVERY_COLUMNS = """d.endpoint_id, ev.id, d.event_seq, ev.type, ev.record_id, d.state,
d.attempts, d.due_at, d.last_status, d.last_error, d.last_attempt_at, d.delivered_at"""
"""The columns :func:`delivery_from_row` reads (``d``: deliveries, ``ev``: change events)."""


def delivery_from_row(row: Sequence[Any]) -> Delivery:
    """A :class:`Delivery` from a row of :data:`DELIVERY_COLUMNS`."""
    (endpoint_id, event_id, seq, event_type, record_id, state, attempts, due_at, last_status,
     last_error, last_attempt_at, delivered_at) = row
    return Delivery(endpoint_id=endpoint_id, event_id=event_id, event_seq=int(seq),
                    event_type=event_type, record_id=record_id, state=state,
                    attempts=int(attempts), due_at=float(due_at), last_status=last_status,
                    last_error=last_error, last_attempt_at=last_attempt_at,
                    delivered_at=delivered_at)


def delivery_filter(states: Sequence[DeliveryState], endpoint_id: str | None,
                    with_errors: bool, *, mark: str) -> tuple[str, list[Any]]:
    """The WHERE clause (on deliveries ``d``) and parameters of :meth:`WebhookStore.deliveries`."""
    where = f"(d.state IN ({', '.join([mark] * len(states))})" if states else "(1 = 0"
    where += " OR (d.state = 'pending' AND d.last_error IS NOT NULL))" if with_errors else ")"
    params: list[Any] = list(states)
    if endpoint_id is not None:
        where += f" AND d.endpoint_id = {mark}"
        params.append(endpoint_id)
    return where, params


def retry_filter(endpoint_id: str | None, event_ids: Sequence[str] | None, *, mark: str,
                 events_table: str) -> tuple[str, list[Any]]:
    """The WHERE clause and parameters of :meth:`WebhookStore.retry` (failed deliveries)."""
    where, params = "state = 'failed'", []
    if endpoint_id is not None:
        where += f" AND endpoint_id = {mark}"
        params.append(endpoint_id)
    if event_ids is not None:
        marks = ", ".join([mark] * len(event_ids)) or "NULL"
        where += (f" AND event_seq IN (SELECT seq FROM {events_table} "  # noqa: S608
                  f"WHERE id IN ({marks}))")
        params.extend(event_ids)
    return where, params


def types_json(event_types: Sequence[str]) -> str:
    """The stored form of an endpoint's event types."""
    return json.dumps(list(event_types))


def _check_endpoint(url: str, secret: Secret, event_types: Sequence[str]) -> None:
    errors: dict[str, list[str]] = {}
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = ["must be an http:// or https:// URL with a host"]
    try:
        secret_key(secret, strict=True)
    except WebhookVerificationError as exc:
        errors["secret"] = [str(exc).removeprefix("secret: ")]
    for index, pattern in enumerate(event_types):
        resource, dot, action = pattern.partition(".")
        if pattern != "*" and not (dot and (resource == "*" or resource in RESOURCE_KINDS)
                                   and (action == "*" or action in ACTIONS)):
            errors[f"event_types[{index}]"] = [
                f"{pattern!r} is not RESOURCE.ACTION (resources: {', '.join(RESOURCE_KINDS)};"
                f" actions: {', '.join(ACTIONS)}; '*' for any)"]
    if errors:
        raise ValidationError(errors)

