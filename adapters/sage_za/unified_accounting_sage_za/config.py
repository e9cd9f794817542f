"""Settings of the ``sage_za`` provider and the login it asks for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.errors import ConfigurationError
from unified_accounting.http import RateLimits
from unified_accounting.provider import CredentialField

__all__ = [
    "CREDENTIAL_FIELDS",
    "DAILY_BUDGET",
    "DEFAULT_SETTINGS",
    "PER_MINUTE_LIMIT",
    "rate_limits_from",
    "setting_flag",
    "setting_int",
]

PER_MINUTE_LIMIT = 100
"""Sage's limit per company; one request more blocks the company for an hour."""
DAILY_BUDGET = 5000
"""Sage's daily requests per company (counted; the page says it is not enforced yet)."""

DEFAULT_SETTINGS: Mapping[str, Any] = {
    "base_url": "https://accounting.sageone.co.za/api/2.0.0",
    # About one request a second, as Sage advises: well under the minute limit, so that a
    # burst of workers can never trip the hour-long block.
    "requests_per_minute": 60,
    "daily_budget": DAILY_BUDGET,
    "enforce_daily_budget": False,
    # No source confirms that ``$filter`` on ``Modified`` works; off until a user turns it on.
    "modified_filter": False,
    "write_attempts": 4,
}

CREDENTIAL_FIELDS = (
    CredentialField("username", "Sage One login e-mail", secret=False,
                    env="SAGE_ZA_USERNAME"),
    CredentialField("password", "Sage One password", env="SAGE_ZA_PASSWORD"),
    CredentialField("api_key", "Sage API key", env="SAGE_ZA_API_KEY"),
)


def setting_int(settings: Mapping[str, Any], name: str) -> int:
    """A positive whole-number setting.

    Raises:
        ConfigurationError: naming the setting when it is not one.
    """
    value = settings.get(name, DEFAULT_SETTINGS.get(name))
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigurationError(f"sage_za setting {name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"sage_za setting {name} must be a whole number") from None
    if number < 1:
        raise ConfigurationError(f"sage_za setting {name} must be at least 1")
    return number


def setting_flag(settings: Mapping[str, Any], name: str) -> bool:
    """A true/false setting (``"true"``/``"false"`` text from the CLI too)."""
    value = settings.get(name, DEFAULT_SETTINGS.get(name))
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def rate_limits_from(settings: Mapping[str, Any]) -> RateLimits:
    """Pace each company at ``requests_per_minute`` (60 by default; Sage blocks above 100).

    Raises:
        ConfigurationError: the setting is not a whole number.
    """
    per_minute = setting_int(settings, "requests_per_minute")
    return RateLimits(business_requests_per_second=per_minute / 60)
