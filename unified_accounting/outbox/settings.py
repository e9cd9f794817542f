"""What every outbox worker of a deployment agrees on, read from the environment.

The same variables reach ``unified-accounting outbox run``, the Celery task and code that
builds an :class:`~unified_accounting.outbox.worker.OutboxWorker` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from unified_accounting.env_settings import EnvSettings
from unified_accounting.errors import ConfigurationError
from unified_accounting.outbox.outcomes import RetryPolicy

__all__ = ["ENVIRONMENT", "OutboxSettings"]

#: Setting -> the environment variable it is read from.
ENVIRONMENT = {
    "outbox_url": "UNIFIED_ACCOUNTING_OUTBOX",
    "token_store": "UNIFIED_ACCOUNTING_TOKEN_STORE",
    "provider_settings": "UNIFIED_ACCOUNTING_PROVIDER_SETTINGS",
    "lease_seconds": "UNIFIED_ACCOUNTING_OUTBOX_LEASE",
    "max_failures": "UNIFIED_ACCOUNTING_OUTBOX_MAX_FAILURES",
    "backoff_base": "UNIFIED_ACCOUNTING_OUTBOX_BACKOFF",
    "backoff_cap": "UNIFIED_ACCOUNTING_OUTBOX_BACKOFF_CAP",
    "call_retries": "UNIFIED_ACCOUNTING_OUTBOX_CALL_RETRIES",
    "limiter_url": "UNIFIED_ACCOUNTING_LIMITER_URL",
    # The sync jobs' own variables: outbox workers and sync workers that name the same Redis
    # and prefix pace themselves against one quota.
    "limiter_prefix": "UNIFIED_ACCOUNTING_JOBS_PREFIX",
    "limit_headroom": "UNIFIED_ACCOUNTING_LIMIT_HEADROOM",
}


@dataclass(frozen=True, kw_only=True, repr=False)
class OutboxSettings(EnvSettings):
    """Where the outbox and the connections live, and how hard delivery tries.

    :meth:`from_env` reads them from the variables of :data:`ENVIRONMENT`; :meth:`to_env`
    writes them out for another process.

    Args:
        outbox_url: the store (``sqlite:///path`` or ``postgresql://...?schema=``); empty for
            the default SQLite file.
        token_store: the token store URL the workers connect through; empty for the default.
        provider_settings: passed to ``ua.connect(settings=...)`` (base URLs, quotas).
        lease_seconds: how long a worker that died while sending keeps an item; live workers
            renew their lease every third of it.
        max_failures: failed attempts (not counting rate limits) before an item is dead.
        backoff_base, backoff_cap: the first and the longest wait after a failure.
        call_retries: retries of the transport within one attempt (the same idempotency
            token); a rate limit is never slept through inside an attempt.
        limiter_url: a Redis (``redis://host:6379/0``) where every worker's requests draw on
            one shared rate limiter per provider; empty for a limiter per client, which
            knows nothing of other workers, other processes or the sync jobs.
        limiter_prefix: the Redis key prefix of the shared limiter; the sync jobs' prefix
            (the same variable), so that both kinds of worker share one quota.
        limit_headroom: how much longer than the provider's the shared limiter's rate window
            is, as for the sync jobs.
    """

    ENVIRONMENT: ClassVar[Mapping[str, str]] = ENVIRONMENT

    outbox_url: str = ""
    token_store: str = ""
    provider_settings: Mapping[str, Any] = field(default_factory=dict)
    lease_seconds: float = 60.0
    max_failures: int = 8
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    call_retries: int = 2
    limiter_url: str = ""
    limiter_prefix: str = "unified-accounting:"
    limit_headroom: float = 0.04

    def __post_init__(self) -> None:
        problems = {
            "lease_seconds": self.lease_seconds > 0,
            "max_failures": self.max_failures >= 1,
            "backoff_base": 0 <= self.backoff_base <= self.backoff_cap,
            "call_retries": self.call_retries >= 0,
            "limit_headroom": 0 <= self.limit_headroom < 1,
        }
        wrong = [name for name, good in problems.items() if not good]
        if wrong:
            raise ConfigurationError(
                "outbox settings out of range: " + ", ".join(wrong)
                + " (lease > 0, max_failures >= 1, 0 <= backoff <= cap, call_retries >= 0, "
                "0 <= limit_headroom < 1)")

    @property
    def policy(self) -> RetryPolicy:
        """The retry policy these settings describe."""
        return RetryPolicy(max_failures=self.max_failures, backoff_base=self.backoff_base,
                           backoff_cap=self.backoff_cap)

    def but(self, **changes: Any) -> OutboxSettings:
        """A copy with some settings replaced (``None`` values keep the current one)."""
        return replace(self, **{name: value for name, value in changes.items()
                                if value is not None})
