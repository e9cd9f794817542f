"""What every sync worker of a deployment must agree on, read from the environment.

Workers of one product share a broker, a token store, a mirror and a rate-limit prefix; the
settings say where those are. Each has an environment variable, so the same value reaches
``unified-accounting worker``, ``celery -A unified_accounting.jobs.app`` and the code that
enqueues jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from unified_accounting.env_settings import EnvSettings
from unified_accounting.errors import ConfigurationError

__all__ = ["ENVIRONMENT", "JobSettings"]

#: Setting -> the environment variable it is read from.
ENVIRONMENT = {
    "broker_url": "UNIFIED_ACCOUNTING_BROKER_URL",
    "result_backend": "UNIFIED_ACCOUNTING_RESULT_BACKEND",
    "prefix": "UNIFIED_ACCOUNTING_JOBS_PREFIX",
    "token_store": "UNIFIED_ACCOUNTING_TOKEN_STORE",
    "mirror_url": "UNIFIED_ACCOUNTING_MIRROR",
    "provider_settings": "UNIFIED_ACCOUNTING_PROVIDER_SETTINGS",
    "lock_ttl": "UNIFIED_ACCOUNTING_JOB_LOCK_TTL",
    "visibility_timeout": "UNIFIED_ACCOUNTING_VISIBILITY_TIMEOUT",
    "page_size": "UNIFIED_ACCOUNTING_SYNC_PAGE_SIZE",
    "limit_headroom": "UNIFIED_ACCOUNTING_LIMIT_HEADROOM",
}
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True, kw_only=True, repr=False)
class JobSettings(EnvSettings):
    """Where the shared parts of a sync deployment live.

    :meth:`from_env` reads them from the variables of :data:`ENVIRONMENT`; :meth:`to_env`
    writes them out for another process.

    Args:
        broker_url: the Redis broker (``redis://host:6379/0``).
        result_backend: where task results go; the broker by default.
        prefix: prepended to every Redis key of the jobs: Celery's queues and results, the
            job locks and the shared rate limiter. Workers sharing a quota share a prefix.
        token_store: the token store URL (a Redis one, so that every worker refreshes a
            connection's token once); ``None`` uses ``UNIFIED_ACCOUNTING_TOKEN_STORE``'s
            default.
        mirror_url: ``postgresql://...`` (``?schema=`` optional) or ``sqlite:///path``.
        provider_settings: passed to ``ua.connect`` as ``settings`` (base URLs, quotas).
        lock_ttl: seconds a job lock outlives a worker that died holding it; live holders
            renew it every third of that.
        visibility_timeout: seconds after which the broker hands an unacknowledged job to
            another worker when the worker holding it vanished whole (a lost machine). Keep
            it longer than the longest sync.
        page_size: records per request and per mirror commit.
        limit_headroom: how much longer than the provider's the shared limiter's rate window
            is (0.04 = 4 %, as the local limiter's): room for requests delayed on their way.
    """

    ENVIRONMENT: ClassVar[Mapping[str, str]] = ENVIRONMENT

    broker_url: str = DEFAULT_BROKER
    result_backend: str | None = None
    prefix: str = "unified-accounting:"
    token_store: str | None = None
    mirror_url: str = ""
    provider_settings: Mapping[str, Any] = field(default_factory=dict)
    lock_ttl: float = 30.0
    visibility_timeout: float = 3600.0
    page_size: int = 200
    limit_headroom: float = 0.04

    def __post_init__(self) -> None:
        if not self.lock_ttl > 0 or not self.visibility_timeout > 0:
            raise ConfigurationError("lock_ttl and visibility_timeout must be positive seconds")
        if not 0 <= self.limit_headroom < 1:
            raise ConfigurationError("limit_headroom must be at least 0 and below 1")
        if not 1 <= self.page_size <= 1000:
            raise ConfigurationError("page_size must be between 1 and 1000")

    @property
    def results(self) -> str:
        """The result backend actually used."""
        return self.result_backend or self.broker_url
