"""Sage settings and connection options: defaults, published limits and how to read them.

Settings are the provider's plain mapping (``ua.connect(..., settings={...})``); options are the
extra keyword arguments of ``ua.connect`` (callbacks and objects). Numbers may be given either
way; an option wins over a setting of the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from unified_accounting.errors import ConfigurationError
from unified_accounting.http import RateLimits
from unified_accounting.provider import ProviderContext

__all__ = [
    "DEFAULT_SETTINGS",
    "KNOWN_OPTIONS",
    "callback_option",
    "number_option",
    "rate_limits_from",
]

#: Sage's public endpoints; the sandbox (or a proxy) replaces them through settings.
DEFAULT_SETTINGS: Mapping[str, str] = {
    "base_url": "https://api.accounting.sage.com/v3.1",
    "authorize_url": "https://www.sageone.com/oauth2/auth/central?filter=apiv3.1",
    "token_url": "https://oauth.accounting.sage.com/token",
    "revoke_url": "https://oauth.accounting.sage.com/revoke",
}

# Sage's published allowance: 150 concurrent requests per app, 1,296,000 requests a day.
DEFAULT_MAX_CONCURRENCY = 150
DEFAULT_REQUESTS_PER_DAY = 1_296_000
_SECONDS_PER_DAY = 86_400

#: Options of ``ua.connect`` this provider reads, with what they do.
KNOWN_OPTIONS: Mapping[str, str] = {
    "on_business_change": "callable(BusinessChange), called when Sage routes elsewhere",
    "on_reauthorization_required": "callable(ConnectionState), called once per 403 streak",
    "forbidden_threshold": "consecutive 403 answers that mark the connection (default 3)",
    "include_remote_data": "keep the raw Sage record in remote_data (default False)",
    "static_data_ttl": "seconds reference lists and tax rates stay cached (default 3600)",
    "mapping_store": "a MappingStore persisting account and tax code mappings",
}


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigurationError(f"Sage setting {name!r} must be a positive number")
    return float(value)


def _optional(settings: Mapping[str, Any], name: str) -> float | None:
    value = settings.get(name)
    return None if value is None else _positive(name, value)


def rate_limits_from(settings: Mapping[str, Any]) -> RateLimits:
    """Return Sage's published limits, changed by any of the settings below.

    Settings: ``max_concurrency`` (default 150), ``requests_per_day`` (default 1,296,000,
    i.e. 15 per second), ``requests_per_second`` (wins over the daily figure),
    ``business_requests_per_second`` and ``business_max_concurrency`` (no default).

    Raises:
        ConfigurationError: a value is not a positive number.
    """
    per_second = _optional(settings, "requests_per_second")
    if per_second is None:
        per_day = _positive("requests_per_day",
                            settings.get("requests_per_day", DEFAULT_REQUESTS_PER_DAY))
        per_second = per_day / _SECONDS_PER_DAY
    business_concurrency = _optional(settings, "business_max_concurrency")
    return RateLimits(
        requests_per_second=per_second,
        max_concurrency=int(_positive(
            "max_concurrency", settings.get("max_concurrency", DEFAULT_MAX_CONCURRENCY))),
        business_requests_per_second=_optional(settings, "business_requests_per_second"),
        business_max_concurrency=(None if business_concurrency is None
                                  else int(business_concurrency)),
    )


def number_option(context: ProviderContext, name: str, default: float) -> float:
    """Return a positive number from the options or settings of a connection.

    Raises:
        ConfigurationError: the value is not a positive number.
    """
    value = context.options.get(name, context.settings.get(name, default))
    return _positive(name, value)


def callback_option(context: ProviderContext, name: str) -> Callable[[Any], Any] | None:
    """Return a callable option, or ``None`` when it was not given.

    Raises:
        ConfigurationError: the option is not callable.
    """
    value = context.options.get(name)
    if value is None:
        return None
    if not callable(value):
        raise ConfigurationError(f"Sage option {name!r} must be callable")
    return value  # type: ignore[no-any-return]
