"""Rotation-safe access tokens for one connection, refreshed once for every worker.

A provider that rotates refresh tokens (Sage does, on every refresh) disconnects a customer
for good when two workers refresh with the same refresh token: the second one receives
``invalid_grant`` and the token the first one received may be overwritten by a failure. The
:class:`TokenManager` prevents that:

1. it refreshes proactively, when less than min(60 s, a fifth of the lifetime) remains, and
   once more after a 401;
2. a refresh takes the store's lock for the connection, then re-reads the store and uses the
   token another worker may just have saved;
3. it saves the new refresh token (compare-and-swap on the old one, with the lock's fence)
   *before* handing out the new access token;
4. on ``invalid_grant`` it re-reads the store once and only then reports
   :class:`~unified_accounting.errors.ReauthorizationRequired`;
5. it never retries a refresh after a 4xx, backs off after 429/5xx/unreachable, and after a
   failure holds every worker back for a short cooldown.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import requests

from unified_accounting.credentials import OAuthEndpoints, Secret, TokenSet
from unified_accounting.errors import (
    AccountingError,
    AuthenticationError,
    ConfigurationError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    ReauthorizationRequired,
)
from unified_accounting.plugins import resolve_provider
from unified_accounting.tokens.base import (
    ConnectionInfo,
    ConnectionRecord,
    Health,
    LockTimeoutError,
    StoreLock,
    TokenStore,
)
from unified_accounting.tokens.codec import refreshed_info
from unified_accounting.tokens.endpoint import (
    OAuthProvider,
    TokenEndpointError,
    check_rotated,
    post_form,
    provider_name,
)
from unified_accounting.tokens.policy import (
    RefreshPolicy,
    cooldown_error,
    cooldown_remaining,
    error_code,
    needs_refresh,
    retry_delay,
)
from unified_accounting.utctime import utcnow

__all__ = ["TokenManager"]

_log = logging.getLogger(__name__)
# Waits before re-trying to save rotated tokens after a transient store error.
_SAVE_RETRY_DELAYS = (0.1, 0.5, 1.0)


class TokenManager:
    """Hands out a connection's access token and refreshes it at most once for all workers.

    Implements :class:`~unified_accounting.credentials.AccessTokenSource`, so the transport
    calls :meth:`access_token` before each request and :meth:`refresh_after_unauthorized`
    once after a 401. Many managers (threads, processes, machines) may serve one connection:
    they coordinate through the store.

    Args:
        connection: the connection name in the store.
        token_store: where the tokens live; it owns the refresh lock.
        provider: a provider object, or the name of an installed provider plugin.
        client_secret: the OAuth client secret.
        client_id: the OAuth client id; defaults to the one stored with the connection.
        settings: provider settings (for example a sandbox's token URL).
        session: the HTTP session for token requests.
        policy: refresh margins, retries, cooldown and timeouts.
        clock: returns the current aware UTC time (injectable for tests).
        sleep: waits a number of seconds (injectable for tests).
        jitter: returns a number in [0, 1) that spreads backoffs (injectable for tests).
    """

    def __init__(
        self,
        connection: str,
        *,
        token_store: TokenStore,
        provider: OAuthProvider | str,
        client_secret: str | Secret,
        client_id: str | None = None,
        settings: Mapping[str, Any] | None = None,
        session: requests.Session | None = None,
        policy: RefreshPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.connection = connection
        self.token_store = token_store
        self.policy = policy or RefreshPolicy()
        self._provider_spec = provider
        self._provider: OAuthProvider | None = None
        self._endpoints: OAuthEndpoints | None = None
        self._client_secret = Secret(client_secret)
        self._client_id = client_id
        self._settings = dict(settings or {})
        self._session = session
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._cached: ConnectionRecord | None = None

    def __repr__(self) -> str:
        return f"TokenManager(connection={self.connection!r}, store={self.token_store!r})"

    # -- AccessTokenSource ------------------------------------------------------------------

    def access_token(self) -> Secret:
        """Return an access token with time left, refreshing it first when it is due.

        Raises:
            ReauthorizationRequired: no tokens are stored, or the grant is gone.
            ProviderUnavailableError: the refresh failed (or is cooling down) and the current
                token has expired.
            AuthenticationError: the token endpoint refused the client.
            LockTimeoutError: another worker's refresh did not finish in time.
        """
        now = self._clock()
        record = self._cached
        if record is None or self._due(record, now):
            record = self._load()
            self._cached = record
        if not self._due(record, now):
            return record.tokens.access_token
        _log.debug(
            "access token of connection %r has %.0fs left; refreshing",
            self.connection,
            record.tokens.seconds_left(now),
        )
        return self._refresh(rejected=None)

    def refresh_after_unauthorized(self, rejected: Secret) -> Secret:
        """Return a token to retry with after the provider refused ``rejected`` with a 401.

        When another worker already replaced ``rejected``, its token is returned without a
        new refresh.

        Raises:
            ReauthorizationRequired: the grant is gone; a person must authorize again.
            ProviderUnavailableError, AuthenticationError, LockTimeoutError: as
                :meth:`access_token`.
        """
        _log.debug("access token of connection %r was refused; refreshing", self.connection)
        return self._refresh(rejected=rejected)

    def refresh(self) -> Secret:
        """Refresh now, whatever the current token's expiry, and return the new access token."""
        return self._refresh(rejected=self._load().tokens.access_token)

    def health(self) -> ConnectionInfo:
        """The connection's health, last refresh and last failure, as the store has them.

        Raises:
            ReauthorizationRequired: when the connection is not in the store.
        """
        info = self.token_store.describe(self.connection)
        if info is None:
            raise self._reauthorization("no tokens are stored for it")
        return info

    # -- refresh ----------------------------------------------------------------------------

    def _refresh(self, rejected: Secret | None) -> Secret:
        try:
            with self.token_store.lock(self.connection, timeout=self.policy.lock_timeout) as held:
                # Another worker may have refreshed while this one waited for the lock.
                record = self._load()
                if self._usable(record, rejected):
                    self._cached = record
                    return record.tokens.access_token
                return self._refresh_locked(record, held, rejected, retried=False)
        except LockTimeoutError:
            record = self._load()
            if self._usable(record, rejected):
                return record.tokens.access_token
            raise

    def _refresh_locked(
        self, record: ConnectionRecord, held: StoreLock, rejected: Secret | None, *, retried: bool
    ) -> Secret:
        if record.info.health is Health.NEEDS_REAUTHORIZATION:
            raise self._reauthorization("its refresh token was refused before")
        wait = cooldown_remaining(record.info, self._clock(), self.policy)
        if wait > 0:
            return self._fallback(record, rejected, cooldown_error(record.info, wait))
        old = record.tokens.refresh_token
        if old is None:
            self._record(Health.NEEDS_REAUTHORIZATION, "no_refresh_token")
            raise self._reauthorization("it has no refresh token")
        self._oauth()  # configuration errors surface here, not as refresh failures
        try:
            new = self._request_with_backoff(old)
        except TokenEndpointError as exc:
            if exc.code == "invalid_grant":
                return self._after_invalid_grant(record, held, rejected, retried=retried)
            self._record(Health.REFRESH_FAILED, error_code(exc))
            return self._fallback(record, rejected, exc)
        except (ProviderUnavailableError, RateLimitError, ProviderError) as exc:
            self._record(Health.REFRESH_FAILED, error_code(exc))
            return self._fallback(record, rejected, exc)
        return self._save(record, held, new, old, rejected)

    def _request_with_backoff(self, refresh_token: Secret) -> TokenSet:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._request(refresh_token)
            except (RateLimitError, ProviderUnavailableError) as exc:
                delay = retry_delay(attempt, exc, self.policy, self._jitter())
                if delay is None:
                    raise
                _log.info(
                    "token refresh of connection %r failed (%s); retrying in %.1fs",
                    self.connection,
                    error_code(exc),
                    delay,
                )
                self._sleep(delay)

    def _request(self, refresh_token: Secret) -> TokenSet:
        provider, endpoints = self._oauth()
        client_id = self._client_id or self._describe_client_id()
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token.reveal(),
            "client_id": client_id,
            "client_secret": self._client_secret.reveal(),
        }
        payload = post_form(
            endpoints.token_url,
            form,
            session=self._session,
            timeout=self.policy.request_timeout,
            now=self._clock(),
        )
        answer = provider.parse_token_response(payload, self._clock())
        check_rotated(provider, form["refresh_token"], answer)
        return answer

    def _save(
        self,
        record: ConnectionRecord,
        held: StoreLock,
        new: TokenSet,
        old: Secret,
        rejected: Secret | None,
    ) -> Secret:
        if new.refresh_token is None:  # the provider kept the refresh token as it was
            new = replace(new, refresh_token=old)
        now = self._clock()
        if self._swap(old, new, held.fence, now):
            _log.info(
                "refreshed tokens of connection %r; access token valid for %.0fs",
                self.connection,
                new.seconds_left(now),
            )
            info = refreshed_info(record.info, new, now, held.fence)
            self._cached = ConnectionRecord(info=info, tokens=new)
            return new.access_token
        # Someone wrote the connection since it was read: a re-authorization, a deletion or a
        # later lock holder. Their tokens win; the ones just received are dropped unused.
        _log.warning(
            "connection %r changed during its refresh; keeping the stored tokens", self.connection
        )
        current = self._load()
        if self._usable(current, rejected):
            return current.tokens.access_token
        raise AuthenticationError(
            f"the tokens of connection {self.connection!r} changed during a refresh; try again",
            retryable=True,
        )

    def _swap(self, old: Secret, new: TokenSet, fence: int, now: datetime) -> bool:
        """Save rotated tokens, retrying briefly: the old refresh token is already spent."""
        delays = _SAVE_RETRY_DELAYS
        for attempt, delay in enumerate((*delays, None)):
            try:
                return self.token_store.compare_and_swap(
                    self.connection, old, new, fence=fence, now=now
                )
            except self.token_store.transient_errors as exc:
                if delay is None or getattr(exc, "retryable", True) is False:
                    _log.error(
                        "could not save the refreshed tokens of connection %r (%s); "
                        "it will need to be authorized again",
                        self.connection,
                        type(exc).__name__,
                    )
                    raise
                _log.warning(
                    "saving the refreshed tokens of connection %r failed (attempt %d); retrying",
                    self.connection,
                    attempt + 1,
                )
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _after_invalid_grant(
        self, record: ConnectionRecord, held: StoreLock, rejected: Secret | None, *, retried: bool
    ) -> Secret:
        # A sibling may have rotated the token outside this lock (a lease that expired): read
        # the store once more before declaring the grant dead.
        current = self._load()
        if current.tokens.refresh_token != record.tokens.refresh_token:
            if self._usable(current, rejected):
                return current.tokens.access_token
            if not retried:
                return self._refresh_locked(current, held, rejected, retried=True)
        self._record(Health.NEEDS_REAUTHORIZATION, "invalid_grant")
        raise self._reauthorization(
            "the provider refused its refresh token (invalid_grant)", status=400
        )

    # -- internals --------------------------------------------------------------------------

    def _oauth(self) -> tuple[OAuthProvider, OAuthEndpoints]:
        if self._provider is None or self._endpoints is None:
            provider = resolve_provider(self._provider_spec)
            self._endpoints = provider.oauth_endpoints(self._settings)
            self._provider = provider
        return self._provider, self._endpoints

    def _describe_client_id(self) -> str:
        info = self.token_store.describe(self.connection)
        if info is None or not info.client_id:
            raise ConfigurationError(
                f"no client id given for connection {self.connection!r} and none is stored"
            )
        return info.client_id

    def _load(self) -> ConnectionRecord:
        record = self.token_store.load(self.connection)
        if record is None:
            raise self._reauthorization("no tokens are stored for it")
        return record

    def _due(self, record: ConnectionRecord, now: datetime) -> bool:
        return needs_refresh(record.tokens.expires_at, record.info.issued_at, now, self.policy)

    def _usable(self, record: ConnectionRecord, rejected: Secret | None) -> bool:
        if rejected is not None and record.tokens.access_token == rejected:
            return False
        return not self._due(record, self._clock())

    def _fallback(
        self, record: ConnectionRecord, rejected: Secret | None, error: AccountingError
    ) -> Secret:
        """Keep serving a token that has not expired yet when a proactive refresh failed."""
        left = record.tokens.seconds_left(self._clock())
        if rejected is None and left > 0:
            _log.warning(
                "token refresh of connection %r failed (%s); using the current token for %.0fs",
                self.connection,
                error_code(error),
                left,
            )
            return record.tokens.access_token
        raise error

    def _record(self, health: Health, error: str) -> None:
        self.token_store.record_health(self.connection, health, error=error, now=self._clock())
        self._cached = None

    def _reauthorization(self, reason: str, status: int | None = None) -> ReauthorizationRequired:
        return ReauthorizationRequired(
            f"connection {self.connection!r} must be authorized again: {reason}",
            connection=self.connection,
            status=status,
            code="invalid_grant" if status == 400 else None,
            provider=provider_name(self._provider_spec),
        )
