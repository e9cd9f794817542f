"""The sandbox's settings: token lifetimes, rate limits, fault rates, persistence."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from unified_accounting.sandbox_kit.faults import FaultRates

__all__ = [
    "COUNTRIES",
    "SAGE_REPORTED_LIMITS",
    "FaultRates",
    "SandboxOptions",
    "SandboxRateLimits",
]

COUNTRIES = ("GB", "IE", "US", "CA", "FR", "ES", "DE")
THIRTY_ONE_DAYS = 31 * 24 * 3600


@dataclass
class SandboxRateLimits:
    """Request quotas; None means unlimited.

    ``app_*`` count per OAuth client, ``business_*`` per business. Windows are fixed and
    aligned to the sandbox clock (minute and UTC day), so tests can roll them with
    ``advance_clock``.
    """

    app_per_minute: int | None = None
    app_per_day: int | None = None
    app_concurrent: int | None = None
    business_per_minute: int | None = None
    business_per_day: int | None = None
    business_concurrent: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, int | None]) -> SandboxRateLimits:
        """Build limits from ``{"business_per_minute": 100, ...}``.

        Raises:
            ValueError: a key is not a known limit.
        """
        return cls(**_checked(cls, values))


#: The limits third-party guides attribute to Sage (unverified): 100/min and 2,500/day per
#: business. Pass ``rate_limits=SAGE_REPORTED_LIMITS`` to rehearse against them.
SAGE_REPORTED_LIMITS = SandboxRateLimits(business_per_minute=100, business_per_day=2500)


@dataclass
class SandboxOptions:
    """Everything configurable about one sandbox.

    Args:
        seed: makes ids of seeded data, credentials, tokens and fault draws reproducible.
        access_token_ttl: access-token lifetime in seconds (Sage: 300).
        refresh_token_ttl: refresh-token lifetime in seconds (Sage: 31 days).
        code_ttl: authorization-code lifetime in seconds (Sage: 60).
        token_length: length of access and refresh tokens in bytes (up to 2048).
        lead_country: country of the user's lead business.
        countries: the businesses the test user has, one per country.
        client_id: OAuth client id of the test app (derived from the seed when None).
        client_secret: its secret (derived from the seed when None).
        redirect_uris: allowed redirect URIs; empty allows any (like a permissive app).
        rate_limits: request quotas.
        faults: fault probabilities.
        db_path: SQLite file to persist state across restarts; None keeps it in memory.
        start_time: freezes the clock at this moment (it then moves only when advanced).
        sleep: how injected latency waits (tests may replace it).
        attachment_max_bytes: the largest attachment file taken (Sage: 2,621,440 bytes).
    """

    seed: int = 0
    access_token_ttl: int = 300
    refresh_token_ttl: int = THIRTY_ONE_DAYS
    code_ttl: int = 60
    token_length: int = 2048
    lead_country: str = "GB"
    countries: tuple[str, ...] = COUNTRIES
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    redirect_uris: tuple[str, ...] = ()
    rate_limits: SandboxRateLimits = field(default_factory=SandboxRateLimits)
    faults: FaultRates = field(default_factory=FaultRates)
    db_path: str | None = None
    start_time: datetime | None = None
    sleep: Callable[[float], None] | None = None
    attachment_max_bytes: int = 2_621_440

    @classmethod
    def build(cls, **options: Any) -> SandboxOptions:
        """Build options from keywords; mappings are accepted for limits and faults.

        Raises:
            ValueError: an unknown option, country or limit name.
        """
        limits = options.pop("rate_limits", None)
        faults = options.pop("faults", None)
        built = cls(**_checked(cls, options))
        if isinstance(limits, Mapping):
            limits = SandboxRateLimits.from_mapping(limits)
        if isinstance(faults, Mapping):
            faults = FaultRates.from_mapping(faults)
        built.rate_limits = limits or SandboxRateLimits()
        built.faults = faults or FaultRates()
        built.countries = tuple(country.upper() for country in built.countries)
        built.lead_country = built.lead_country.upper()
        unknown = [c for c in (*built.countries, built.lead_country) if c not in COUNTRIES]
        if unknown or built.lead_country not in built.countries:
            raise ValueError(f"unsupported or missing country: {unknown or built.lead_country}")
        if not 16 <= built.token_length <= 2048:
            raise ValueError("token_length must be between 16 and 2048")
        return built


def _checked(cls: type, values: Mapping[str, Any]) -> dict[str, Any]:
    known = {item.name for item in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} option(s): {', '.join(unknown)}")
    return dict(values)
