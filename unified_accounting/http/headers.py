"""Pure functions that read response headers: rate-limit values and the request id."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

__all__ = ["REQUEST_ID_HEADERS", "normalize_rate_limit", "request_id_from"]

REQUEST_ID_HEADERS: tuple[str, ...] = (
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-amzn-requestid",
)

# Header spellings seen in the wild, mapped to the IETF draft names we expose.
_RATE_LIMIT_NAMES: dict[str, tuple[str, ...]] = {
    "ratelimit-limit": ("ratelimit-limit", "x-ratelimit-limit", "x-rate-limit-limit"),
    "ratelimit-remaining": (
        "ratelimit-remaining",
        "x-ratelimit-remaining",
        "x-rate-limit-remaining",
    ),
    "ratelimit-reset": ("ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"),
}
_COMBINED_KEYS = {"limit": "ratelimit-limit", "remaining": "ratelimit-remaining",
                  "reset": "ratelimit-reset", "r": "ratelimit-remaining",
                  "t": "ratelimit-reset"}
_COMBINED_ITEM = re.compile(r"(?:^|[,;\s])([a-z]+)\s*=\s*\"?([0-9]+)\"?")
# A reset value this large is a Unix timestamp, not a number of seconds.
_EPOCH_THRESHOLD = 1_000_000_000


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def normalize_rate_limit(headers: Mapping[str, str], now: float | None = None) -> dict[str, str]:
    """Return rate-limit values under ``ratelimit-limit``/``-remaining``/``-reset``.

    Understands the IETF draft headers (separate, or combined in ``RateLimit:``) and the
    common ``X-RateLimit-*`` / ``X-Rate-Limit-*`` spellings. A reset given as a Unix
    timestamp becomes seconds from ``now``.

    Args:
        headers: response headers, any case.
        now: the current Unix time (``time.time()`` when omitted).

    Returns:
        Only the keys the response carried; an empty dict when it carried none.
    """
    lowered = _lower(headers)
    found: dict[str, str] = {}
    combined = lowered.get("ratelimit")
    if combined:
        for key, value in _COMBINED_ITEM.findall(combined.lower()):
            if key in _COMBINED_KEYS:
                found.setdefault(_COMBINED_KEYS[key], value)
    for unified, spellings in _RATE_LIMIT_NAMES.items():
        for spelling in spellings:
            if spelling in lowered and unified not in found:
                found[unified] = lowered[spelling].strip()
    reset = found.get("ratelimit-reset")
    if reset and reset.isdigit() and int(reset) >= _EPOCH_THRESHOLD:
        moment = time.time() if now is None else now
        found["ratelimit-reset"] = str(max(0, int(reset) - int(moment)))
    return found


def request_id_from(
    headers: Mapping[str, str], names: tuple[str, ...] = REQUEST_ID_HEADERS
) -> str | None:
    """Return the first request-id header present, or ``None``."""
    lowered = _lower(headers)
    for name in names:
        value = lowered.get(name)
        if value:
            return value
    return None
