"""Signing and verifying webhooks by the Standard Webhooks scheme (HMAC-SHA256, ``v1``).

A request carries three headers: ``webhook-id`` (the event id, the same on every retry),
``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,<base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``, several space-separated
while a secret is being rotated). Secrets are written ``whsec_<base64 of 24 to 64 random
bytes>``; the bytes are the HMAC key.

This module needs nothing but the standard library, so a receiver can verify deliveries with
``import unified_accounting as ua; ua.webhooks.verify(body, headers, secret)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Protocol

from unified_accounting.credentials import Secret

__all__ = [
    "DEFAULT_TOLERANCE",
    "SECRET_PREFIX",
    "ReplayGuard",
    "SeenIds",
    "WebhookVerificationError",
    "generate_secret",
    "secret_key",
    "sign",
    "signed_headers",
    "verify",
]

SECRET_PREFIX = "whsec_"  # noqa: S105 - the marker of a secret, not one
DEFAULT_TOLERANCE = timedelta(minutes=5)
_MIN_KEY_BYTES, _MAX_KEY_BYTES = 24, 64


class WebhookVerificationError(ValueError):
    """A webhook request failed verification; answer it with 400 (or 401), never process it.

    Args:
        message: what was wrong, naming the header at fault.
        reason: a stable code: ``missing_header``, ``bad_timestamp``, ``too_old``,
            ``too_new``, ``bad_signature``, ``replayed``, ``bad_body`` or ``bad_secret``.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def generate_secret(size: int = 32) -> Secret:
    """A new random signing secret, ``whsec_`` and the base64 of ``size`` bytes (24 to 64)."""
    if not _MIN_KEY_BYTES <= size <= _MAX_KEY_BYTES:
        raise ValueError(f"size: a secret has {_MIN_KEY_BYTES} to {_MAX_KEY_BYTES} bytes")
    return Secret(SECRET_PREFIX + base64.b64encode(secrets.token_bytes(size)).decode("ascii"))


def secret_key(secret: str | Secret | bytes, *, strict: bool = False) -> bytes:
    """The HMAC key of a secret: the bytes behind ``whsec_`` (or given as bytes).

    Args:
        secret: ``whsec_<base64>``, bare base64, or the key bytes.
        strict: also require the ``whsec_`` prefix and 24 to 64 bytes (for new endpoints).

    Raises:
        WebhookVerificationError: the secret is empty or not base64 (reason ``bad_secret``);
            the message never repeats it.
    """
    if isinstance(secret, bytes):
        key = secret
    else:
        text = secret.reveal() if isinstance(secret, Secret) else secret
        if strict and not text.startswith(SECRET_PREFIX):
            raise WebhookVerificationError(f"secret: must start with {SECRET_PREFIX!r}",
                                           reason="bad_secret")
        try:
            key = base64.b64decode(text.removeprefix(SECRET_PREFIX), validate=True)
        except (binascii.Error, ValueError):
            raise WebhookVerificationError("secret: not valid base64 after 'whsec_'",
                                           reason="bad_secret") from None
    if not key or (strict and not _MIN_KEY_BYTES <= len(key) <= _MAX_KEY_BYTES):
        raise WebhookVerificationError(
            f"secret: the key must have {_MIN_KEY_BYTES} to {_MAX_KEY_BYTES} bytes",
            reason="bad_secret")
    return key


def sign(webhook_id: str, timestamp: int, body: str | bytes,
         secret: str | Secret | bytes) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) of one attempt."""
    payload = body.encode("utf-8") if isinstance(body, str) else body
    signed = f"{webhook_id}.{timestamp}.".encode() + payload
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(webhook_id: str, body: str | bytes, secret: str | Secret | bytes, *,
                   timestamp: int | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers (and the JSON content type) of one attempt."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(webhook_id, stamp, body, secret),
        "content-type": "application/json",
    }


class ReplayGuard(Protocol):
    """Remembers the webhook ids already accepted (in memory, Redis, a table...)."""

    def first_time(self, webhook_id: str, *, keep_for: float) -> bool:
        """Record ``webhook_id`` for ``keep_for`` seconds; whether it was new."""
        ...

    def forget(self, webhook_id: str) -> None:
        """Drop ``webhook_id`` (its handling failed, so the sender's retry must be accepted)."""
        ...


class SeenIds:
    """A :class:`ReplayGuard` in this process's memory, bounded in size, safe across threads.

    Args:
        max_size: ids kept at most; the oldest go first.
    """

    def __init__(self, max_size: int = 100_000) -> None:
        self.max_size = max_size
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, webhook_id: str, *, keep_for: float) -> bool:
        """Record ``webhook_id`` for ``keep_for`` seconds; whether it was new."""
        now = time.monotonic()
        with self._lock:
            while self._expiry and next(iter(self._expiry.values())) <= now:
                self._expiry.popitem(last=False)
            expires = self._expiry.get(webhook_id)
            if expires is not None and expires > now:
                return False
            self._expiry[webhook_id] = now + keep_for
            self._expiry.move_to_end(webhook_id)
            while len(self._expiry) > self.max_size:
                self._expiry.popitem(last=False)
            return True

    def forget(self, webhook_id: str) -> None:
        """Drop ``webhook_id`` so that its next delivery is accepted."""
        with self._lock:
            self._expiry.pop(webhook_id, None)

    def __len__(self) -> int:
        return len(self._expiry)


def verify(payload: str | bytes, headers: Mapping[str, str], secret: str | Secret | bytes, *,
           tolerance: timedelta | float = DEFAULT_TOLERANCE, seen: ReplayGuard | None = None,
           now: float | None = None) -> dict[str, Any]:
    """Check a delivery's signature and freshness; return its JSON body parsed.

    Args:
        payload: the raw request body, exactly as received (never parsed and dumped again).
        headers: the request headers (any case).
        secret: the endpoint's ``whsec_...`` secret.
        tolerance: how far ``webhook-timestamp`` may be from this host's clock, either way.
        seen: remembers accepted ids; an id seen again within twice the tolerance is a
            replay. Call ``seen.forget(id)`` when handling fails, so the retry is accepted.
        now: this host's time in Unix seconds (tests).

    Raises:
        WebhookVerificationError: a header is missing or malformed, the timestamp is outside
            the tolerance, no ``v1`` signature matches, or the id was already accepted.
    """
    webhook_id, stamp, signatures = _required_headers(headers)
    window = tolerance.total_seconds() if isinstance(tolerance, timedelta) else float(tolerance)
    _check_fresh(stamp, time.time() if now is None else now, window)
    expected = sign(webhook_id, stamp, payload, secret).encode("ascii")
    if not any(hmac.compare_digest(expected, candidate.encode("ascii", "replace"))
               for candidate in signatures.split() if candidate.startswith("v1,")):
        raise WebhookVerificationError(
            "webhook-signature: no v1 signature matches this body and secret",
            reason="bad_signature")
    if seen is not None and not seen.first_time(webhook_id, keep_for=2 * window):
        raise WebhookVerificationError(f"webhook-id: {webhook_id} was already received",
                                       reason="replayed")
    try:
        parsed = json.loads(payload)
    except ValueError:
        raise WebhookVerificationError("body: the signed body is not JSON",
                                       reason="bad_body") from None
    if not isinstance(parsed, dict):
        raise WebhookVerificationError("body: the signed body is not a JSON object",
                                       reason="bad_body")
    return parsed


def _required_headers(headers: Mapping[str, str]) -> tuple[str, int, str]:
    lowered = {name.lower(): value for name, value in headers.items()}
    missing = [name for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
               if not lowered.get(name)]
    if missing:
        raise WebhookVerificationError(f"{', '.join(missing)}: header missing",
                                       reason="missing_header")
    webhook_id = lowered["webhook-id"]
    if "." in webhook_id:
        raise WebhookVerificationError("webhook-id: must not contain '.'",
                                       reason="missing_header")
    raw_stamp = lowered["webhook-timestamp"].strip()
    if not raw_stamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp: not whole Unix seconds",
                                       reason="bad_timestamp")
    return webhook_id, int(raw_stamp), lowered["webhook-signature"]


def _check_fresh(stamp: int, now: float, window: float) -> None:
    if stamp < now - window:
        raise WebhookVerificationError(
            f"webhook-timestamp: {now - stamp:.0f} s old, more than the {window:.0f} s "
            "tolerance (a replay, or a clock out of step)", reason="too_old")
    if stamp > now + window:
        raise WebhookVerificationError(
            f"webhook-timestamp: {stamp - now:.0f} s in the future, more than the "
            f"{window:.0f} s tolerance", reason="too_new")
