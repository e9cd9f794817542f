"""The transport every mapped resource and the proxy send their requests through.

One call goes: check the path, add business routing and the idempotency token once, take the
business's write lock when the provider marks the write sequential, then for each attempt wait
for a limiter slot, send with the current bearer token, and map the outcome. A 401 triggers one
token refresh; transient failures are retried as :mod:`unified_accounting.http.retry` decides.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, BinaryIO

import requests

from unified_accounting.credentials import AccessTokenSource, Secret
from unified_accounting.errors import (
    AccountingError,
    DeadlineExceededError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from unified_accounting.http.body import (
    MAX_RESPONSE_BYTES,
    BodyTooLarge,
    copy_json,
    encode_json,
    read_limited,
)
from unified_accounting.http.deadline import DeadlineAdapter, deadline_passed, deadline_within
from unified_accounting.http.idempotency import next_chosen_key
from unified_accounting.http.limiter import Limiter, LimitScope
from unified_accounting.http.options import CallOptions, RetryConfig, Timeouts
from unified_accounting.http.page_guard import MAX_PAGES, PageGuard
from unified_accounting.http.paths import check_path, relative_to_base
from unified_accounting.http.policies import OutgoingRequest, Page, ProviderPolicies
from unified_accounting.http.redaction import install_query_redaction
from unified_accounting.http.response import HttpResponse
from unified_accounting.http.retry import (
    Jitter,
    RetryPlan,
    backoff_delay,
    full_jitter,
    is_read,
    parse_retry_after,
    plan_retry,
)
from unified_accounting.http.streaming import StreamedBody, StreamedField, copy_body

__all__ = ["Transport"]

_log = logging.getLogger("unified_accounting.http")


def _dist_version() -> str:
    try:
        return metadata.version("unified-accounting")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0"


_USER_AGENT = f"unified-accounting/{_dist_version()}"
ResponseHook = Callable[[HttpResponse], None]
RequestHook = Callable[[OutgoingRequest, "str | None"], None]


@dataclass(frozen=True)
class _Call:
    """One call as prepared before its first attempt; every retry resends it unchanged."""

    out: OutgoingRequest
    has_key: bool
    policy: RetryConfig
    scope: LimitScope
    timeouts: Timeouts
    deadline: float | None
    raise_for_status: bool
    streamed: StreamedField | None = None
    sink: BinaryIO | None = None
    sink_start: int | None = None  # where a seekable sink is rewound to before each attempt
    received: list[int] = field(default_factory=lambda: [0])  # bytes the sink took

    def time_left(self, now: float) -> float | None:
        """Seconds until the deadline (``None`` without one)."""
        return None if self.deadline is None else self.deadline - now


@dataclass
class _Failure:
    """A connection-level failure of one attempt."""

    error: AccountingError
    retryable: bool


class Transport:
    """Sends requests for one connection; see the module docstring for the steps.

    Args:
        provider: the provider whose policies apply (any :class:`ProviderPolicies`).
        base_url: the API root.
        token_source: gives bearer tokens and refreshes after a 401.
        limiter: the client-side limiter; ``app_key`` names the provider app in it.
        session: an injected ``requests.Session`` (its adapters are left alone).
        business_id: the business requests are routed to.
        retry, timeouts: the defaults of every call.
        pool_size: connections kept per host when the transport makes its own session.
        sleep, clock, jitter, now: injectable for tests.
        max_response_bytes: the largest response body read (:data:`MAX_RESPONSE_BYTES`).
        max_pages: the most pages one list may have (:data:`~.page_guard.MAX_PAGES`).
    """

    def __init__(
        self,
        *,
        provider: ProviderPolicies,
        base_url: str,
        token_source: AccessTokenSource,
        limiter: Limiter,
        app_key: str,
        session: requests.Session | None = None,
        business_id: str | None = None,
        retry: RetryConfig | None = None,
        timeouts: Timeouts | None = None,
        pool_size: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Jitter = full_jitter,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.business_id = business_id
        self.app_key = app_key
        self.retry = retry or RetryConfig()
        self.timeouts = timeouts or Timeouts()
        self.limiter = limiter
        self.response_hooks: list[ResponseHook] = []
        self.request_hooks: list[RequestHook] = []
        self._tokens = token_source
        self._owns_session = session is None
        self.session = session or self._make_session(pool_size, self.base_url)
        self._sleep, self._clock, self._jitter, self._now = sleep, clock, jitter, now
        self.max_response_bytes = max_response_bytes
        self.max_pages = max_pages
        install_query_redaction()

    @property
    def token_source(self) -> AccessTokenSource:
        """Where this transport's bearer tokens come from."""
        return self._tokens

    @staticmethod
    def _make_session(pool_size: int, base_url: str) -> requests.Session:
        session = requests.Session()
        # Retries are ours; the adapter must not retry behind our back.
        # Its connections also keep each call's deadline while a response trickles in.
        adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=max(1, pool_size),
                                  max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _settle_environment(session, base_url)
        return session

    def with_options(self, *, retry: RetryConfig | None = None,
                     timeouts: Timeouts | None = None) -> Transport:
        """Return a transport sharing session, tokens, limiter and hooks, with other defaults."""
        clone = object.__new__(Transport)
        clone.__dict__.update(self.__dict__)
        clone.retry = retry or self.retry
        clone.timeouts = timeouts or self.timeouts
        clone._owns_session = False
        return clone

    def close(self) -> None:
        """Close the session if the transport created it."""
        if self._owns_session:
            self.session.close()

    def new_idempotency_key(self) -> str:
        """Return a fresh idempotency token in the provider's format, or the next one the
        caller chose (:func:`~unified_accounting.http.idempotency.chosen_idempotency_keys`)."""
        return next_chosen_key() or self.provider.new_idempotency_key()

    # -- one call ------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        sequential: bool | None = None,
        business_id: str | None = None,
        options: CallOptions | None = None,
        raise_for_status: bool = True,
        streamed: StreamedField | None = None,
    ) -> HttpResponse:
        """Send one request with limits, retries and error mapping.

        Args:
            method: HTTP method.
            path: path under the base URL (query allowed); checked by ``check_path``.
            params: query parameters.
            json: the body, encoded once (``Decimal`` as text) and resent unchanged.
            headers: extra headers; authentication headers always win.
            idempotency_key: attach this token (the provider decides where); a write is
                retried only when it has one.
            sequential: force or skip the business write lock (the provider decides when
                ``None``).
            business_id: route to this business instead of the connection's.
            options: per-call retry and timeout overrides.
            raise_for_status: when false, the final non-2xx response is returned instead of
                raised (after any retries).
            streamed: a field of ``json`` whose value is a file, base64-encoded while it is
                sent (:class:`~unified_accounting.http.streaming.StreamedBody`).

        Returns:
            The response (2xx unless ``raise_for_status`` is false).

        Raises:
            AccountingError: the provider's error mapped to the unified hierarchy.
        """
        call, serial = self._prepare(method, path, params, json, headers, idempotency_key,
                                     business_id, options, raise_for_status)
        call = replace(call, streamed=streamed)
        return self._run(call, serial if sequential is None else sequential)

    def download(self, path: str, to: BinaryIO, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None,
                 options: CallOptions | None = None) -> int:
        """``GET`` a file and write its body to ``to`` as it arrives (never held whole).

        A retry after a failure mid-body rewinds a seekable ``to`` and writes again; with a
        sink that cannot seek, such a failure is raised instead.

        Returns:
            The number of bytes written.
        """
        call, serial = self._prepare("GET", path, params, None, headers, None, None, options,
                                     True)
        call = replace(call, sink=to, sink_start=to.tell() if to.seekable() else None)
        self._run(call, serial)
        return call.received[0]

    def _prepare(self, method: str, path: str, params: Mapping[str, Any] | None, json: Any,
                 headers: Mapping[str, str] | None, idempotency_key: str | None,
                 business_id: str | None, options: CallOptions | None,
                 raise_for_status: bool) -> tuple[_Call, bool]:
        """The call as every attempt sends it, and whether the provider serializes it."""
        verb = method.upper()
        target = business_id or self.business_id
        out = OutgoingRequest(verb, check_path(path), dict(params) if params else None, json,
                              dict(headers or {}))
        out.headers.update(self.provider.business_headers(target, out.path))
        routing = self.provider.business_params(target, out.path)
        if routing:
            out.params = {**(out.params or {}), **routing}
        for hook in self.request_hooks:
            # A hook may refuse the call before anything is sent (e.g. a business the
            # provider has blocked for a while).
            hook(out, target)
        if idempotency_key:
            # The provider may write the token into the body; the caller's object stays as is.
            out.json = copy_json(out.json)
            out = self.provider.apply_idempotency_key(out, idempotency_key)
        policy = self._policy(options)
        call = _Call(
            out=out, has_key=bool(idempotency_key), policy=policy,
            scope=LimitScope(self.app_key, target),
            timeouts=(options.timeouts if options else None) or self.timeouts,
            deadline=None if policy.deadline is None else self._clock() + policy.deadline,
            raise_for_status=raise_for_status,
        )
        return call, self.provider.is_sequential(verb, out.path)

    def _run(self, call: _Call, serial: bool) -> HttpResponse:
        lock = (self.limiter.sequential(call.scope, call.time_left(self._clock())) if serial
                else nullcontext())
        with lock:
            return self._send(call)

    def _policy(self, options: CallOptions | None) -> RetryConfig:
        if options is None:
            return self.retry
        changes: dict[str, Any] = {}
        if options.max_retries is not None:
            changes["max_retries"] = options.max_retries
        if options.deadline is not None:
            changes["deadline"] = None if math.isinf(options.deadline) else options.deadline
        if options.retry_after_cap is not None:
            changes["retry_after_cap"] = options.retry_after_cap
        return replace(self.retry, **changes)

    def _send(self, call: _Call) -> HttpResponse:
        out = call.out
        body: bytes | StreamedBody | None = None
        if call.streamed is not None:
            body = StreamedBody(out.json, call.streamed)
        elif out.json is not None:
            body = encode_json(out.json)
        token = self._tokens.access_token()
        retries, attempt, refreshed = 0, 0, False
        while True:
            attempt += 1
            result = self._attempt(call, body, token, attempt)
            if isinstance(result, HttpResponse):
                if result.status == 401 and not refreshed:
                    refreshed = True
                    token = self._tokens.refresh_after_unauthorized(token)
                    continue
                if result.ok:
                    return result
            elif not result.retryable:
                raise result.error
            plan, retry_after = self._plan(call, result, retries)
            if not plan.retry:
                if isinstance(result, _Failure):
                    raise result.error
                if not call.raise_for_status:
                    return result
                raise self._error_for(result, retry_after)
            retries += 1
            _log.info("retrying %s %s in %.2f s (retry %d of %d, after %s)", out.method,
                      _route(out.path), plan.delay, retries, call.policy.max_retries,
                      result.status if isinstance(result, HttpResponse) else "connection error")
            self._sleep(plan.delay)

    def _plan(self, call: _Call, result: HttpResponse | _Failure,
              retries: int) -> tuple[RetryPlan, float | None]:
        """Return the retry plan for a failed attempt and the ``Retry-After`` it carried."""
        status = result.status if isinstance(result, HttpResponse) else None
        retry_after = (parse_retry_after(result.headers.get("Retry-After"), self._now())
                       if isinstance(result, HttpResponse) else None)
        policy = call.policy
        plan = plan_retry(
            method=call.out.method, status=status, has_idempotency_key=call.has_key,
            retries_done=retries, max_retries=policy.max_retries, retry_after=retry_after,
            retry_after_cap=policy.retry_after_cap, time_left=call.time_left(self._clock()),
            backoff=backoff_delay(retries + 1, base=policy.backoff_base,
                                  cap=policy.backoff_cap, jitter=self._jitter),
        )
        return plan, retry_after

    def _attempt(self, call: _Call, body: bytes | StreamedBody | None, token: Secret,
                 attempt: int) -> HttpResponse | _Failure:
        out = call.out
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT, **out.headers}
        if body is not None:
            headers["Content-Type"] = "application/json"
        headers.update(self.provider.auth_headers(token))
        params = _with_auth(out.params, self.provider.auth_params(token))
        with self.limiter.acquire(call.scope, _positive(call.time_left(self._clock()))):
            # The wait for a slot used part of the time: what is left bounds the exchange.
            left = _positive(call.time_left(self._clock()))
            started = self._clock()
            with deadline_within(left):
                try:
                    raw = self.session.request(
                        out.method, self.base_url + out.path, params=params, data=body,
                        headers=headers, timeout=_timeouts(call.timeouts, left),
                        allow_redirects=False, stream=True,
                    )
                    content = self._read(call, raw)
                except BodyTooLarge:
                    raise self._too_large(out, raw) from None
                except requests.RequestException as exc:
                    if deadline_passed():
                        return self._deadline_failure(call, exc, attempt, started)
                    failure = self._connection_failure(out, exc, attempt, started, bool(body))
                    if call.sink is not None:
                        failure.retryable = _download_retryable(failure, exc, call)
                    return failure
        return self._response(out, raw, content, attempt, self._clock() - started)

    def _read(self, call: _Call, raw: requests.Response) -> bytes:
        """The body of an answer, or nothing when a download's body went to its sink."""
        if call.sink is None or not raw.ok:
            return read_limited(raw, self.max_response_bytes)
        if call.sink_start is not None:
            call.sink.seek(call.sink_start)
            call.sink.truncate()
        call.received[0] = 0
        for written in copy_body(raw, call.sink):
            call.received[0] += written
        return b""

    def _too_large(self, out: OutgoingRequest, raw: requests.Response) -> ProviderError:
        return ProviderError(
            f"{out.method} {_route(out.path)} answered {raw.status_code} with more than "
            f"{self.max_response_bytes:,} bytes; the response was refused",
            status=raw.status_code, provider=self.provider.name,
            request_id=self.provider.request_id(raw.headers))

    def _response(self, out: OutgoingRequest, raw: requests.Response, content: bytes,
                  attempt: int, elapsed: float) -> HttpResponse:
        headers = dict(raw.headers)
        response = HttpResponse.build(
            raw.status_code, headers, content, method=out.method, path=_route(out.path),
            request_id=self.provider.request_id(headers),
            rate_limit=self.provider.rate_limit_info(headers), attempts=attempt,
            elapsed=elapsed,
        )
        _log.debug("%s %s -> %d in %.1f ms (attempt %d, request id %s)", out.method,
                   response.path, response.status, elapsed * 1000, attempt, response.request_id)
        for hook in self.response_hooks:
            hook(response)
        return response

    def _connection_failure(self, out: OutgoingRequest, exc: requests.RequestException,
                            attempt: int, started: float, has_body: bool) -> _Failure:
        kind = type(exc).__name__
        _log.debug("%s %s -> %s after %.1f ms (attempt %d)", out.method, _route(out.path),
                   kind, (self._clock() - started) * 1000, attempt)
        message = f"could not complete {out.method} {_route(out.path)} ({kind})"
        if not is_read(out.method) and isinstance(exc, requests.ReadTimeout):
            message += "; the write may have happened: look the record up before resending"
        transient = isinstance(exc, requests.ConnectionError | requests.Timeout)
        # A broken TLS handshake will not heal on retry.
        transient = transient and not isinstance(exc, requests.exceptions.SSLError)
        error = ProviderUnavailableError(message, retryable=transient,
                                         provider=self.provider.name)
        error.__cause__ = _without_query(exc)
        return _Failure(error, transient)

    def _deadline_failure(self, call: _Call, exc: requests.RequestException, attempt: int,
                          started: float) -> _Failure:
        """The provider was still connecting or sending when the call's time ran out."""
        out = call.out
        _log.debug("%s %s -> deadline passed after %.1f ms (attempt %d, %s)", out.method,
                   _route(out.path), (self._clock() - started) * 1000, attempt,
                   type(exc).__name__)
        message = (f"{out.method} {_route(out.path)} did not finish within the call's deadline "
                   f"of {call.policy.deadline:g} s; the provider was still connecting or "
                   "sending its answer")
        if not is_read(out.method):
            message += "; the write may have happened: look the record up before resending"
        error = DeadlineExceededError(message, retryable=True, provider=self.provider.name)
        error.__cause__ = _without_query(exc)
        return _Failure(error, retryable=False)

    def _error_for(self, response: HttpResponse, retry_after: float | None) -> AccountingError:
        error = self.provider.map_error(response)
        error.request_id = error.request_id or response.request_id
        error.provider = error.provider or self.provider.name
        if error.status is None:
            error.status = response.status
        if isinstance(error, RateLimitError):
            if error.retry_after is None:
                error.retry_after = retry_after
            if not error.rate_limit:
                error.rate_limit = dict(response.rate_limit)
        return error

    # -- lists ---------------------------------------------------------------------------

    def pages(self, path: str, params: Mapping[str, Any] | None = None, *,
              options: CallOptions | None = None) -> Iterator[Page]:
        """Yield pages lazily: each page is fetched only when the previous one was taken.

        The first request carries ``provider.prepare_list_params(params)``; later ones follow
        the provider's next-page path as given.
        """
        first = self.provider.prepare_list_params(params)
        response = self.request("GET", path, params=first, options=options)
        guard = PageGuard(self.provider.name, _route(path), check_path(path), self.max_pages)
        current: tuple[str, Mapping[str, Any] | None] = (path, first)
        while True:
            page = self.provider.parse_page_at(response.json(), *current)
            yield page
            if not page.next_path:
                return
            next_path = relative_to_base(page.next_path, self.base_url)
            guard.follow(next_path)
            current = (next_path, None)
            response = self.request("GET", next_path, options=options)

    def paginate(self, path: str, params: Mapping[str, Any] | None = None, *,
                 options: CallOptions | None = None) -> Iterator[dict[str, Any]]:
        """Yield the records of every page, fetching pages as they are needed."""
        for page in self.pages(path, params, options=options):
            yield from page.items

    def __repr__(self) -> str:
        return (f"Transport(provider={self.provider.name!r}, base_url={self.base_url!r}, "
                f"business_id={self.business_id!r})")


_QUERY = re.compile(r"\?[^\s'\")]*")


def _download_retryable(failure: _Failure, exc: requests.RequestException, call: _Call) -> bool:
    """Whether a download that failed may go again: a file cut off mid-body may, into a sink
    that rewinds; a sink that cannot holds part of the file already and must not."""
    cut_off = isinstance(exc, requests.exceptions.ChunkedEncodingError)
    return (failure.retryable or cut_off) and (call.sink_start is not None
                                               or not call.received[0])


def _settle_environment(session: requests.Session, base_url: str) -> None:
    """Take the proxy and CA bundle settings of the environment once, for the base URL.

    With ``trust_env`` on, ``requests`` reads every proxy variable, the CA bundle variables
    and ``~/.netrc`` again for each request (about a tenth of a small request's CPU here).
    Every request of a transport goes to one base URL, so the answer is the same each time;
    it is taken when the session is made. (A ``.netrc`` entry is not wanted anyway: it would
    replace the provider's own Authorization header.)
    """
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


def _without_query(exc: requests.RequestException) -> BaseException:
    """The failure as a cause safe to show: urllib3 puts the whole URL in its messages, and a
    query may carry an API key (``Provider.auth_params``)."""
    text = str(exc)
    if "?" not in text:
        return exc
    safe = requests.ConnectionError(_QUERY.sub("?<query removed>", text))
    safe.__cause__ = None
    safe.__suppress_context__ = True
    return safe


def _positive(left: float | None) -> float | None:
    """Time left for a wait: at least a millisecond, so that a late call fails at once."""
    return None if left is None else max(0.001, left)


def _timeouts(timeouts: Timeouts, left: float | None) -> tuple[float, float]:
    """Connect and read timeouts of one attempt, neither longer than the time left."""
    if left is None:
        return timeouts.connect, timeouts.read
    return min(timeouts.connect, left), min(timeouts.read, left)


def _with_auth(params: dict[str, Any] | None,
               auth: Mapping[str, str]) -> dict[str, Any] | None:
    """The query of one attempt: the call's parameters plus the provider's auth parameters."""
    if not auth:
        return params
    return {**(params or {}), **auth}


def _route(path: str) -> str:
    """The path without its query, which is what logs and errors show."""
    return path.split("?", 1)[0]

