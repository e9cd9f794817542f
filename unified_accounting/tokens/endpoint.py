"""Talking to a provider's OAuth token endpoint: the form POST, its errors, its answer.

Nothing here logs a request or response body: both carry secrets. Errors name the OAuth error
code (``invalid_grant``) and the HTTP status, never the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import requests

from unified_accounting.credentials import (
    DEFAULT_TOKEN_LIFETIME,
    OAuthEndpoints,
    TokenResponseError,
    TokenSet,
    parse_token_response,
)
from unified_accounting.errors import (
    AuthenticationError,
    ProviderUnavailableError,
    RateLimitError,
)
from unified_accounting.http.body import BodyTooLarge, read_limited
from unified_accounting.http.deadline import DeadlineAdapter, deadline_passed, deadline_within
from unified_accounting.http.retry import parse_retry_after

__all__ = [
    "DEFAULT_TOKEN_LIFETIME",
    "OAuthProvider",
    "StandardOAuthProvider",
    "TokenEndpointError",
    "TokenResponseError",
    "check_rotated",
    "parse_retry_after",
    "parse_token_response",
    "post_form",
    "provider_name",
    "rotates_refresh_tokens",
]

_OAUTH_ERROR = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
#: The largest token or revoke answer read: a token response is a few kilobytes.
MAX_OAUTH_BODY = 1024 * 1024


@runtime_checkable
class OAuthProvider(Protocol):
    """The OAuth side of a provider: where its endpoints are and how to read its tokens.

    A provider may also set ``rotates_refresh_tokens = True`` (as Sage does): a refresh answer
    that then keeps the old refresh token is refused (see :func:`rotates_refresh_tokens`).
    """

    def oauth_endpoints(self, settings: Mapping[str, Any]) -> OAuthEndpoints:
        """Return the authorize, token and revoke URLs for these provider settings."""
        ...

    def parse_token_response(self, payload: Mapping[str, Any], now: datetime) -> TokenSet:
        """Turn the token endpoint's JSON answer, received at ``now``, into a token set."""
        ...


class TokenEndpointError(AuthenticationError):
    """The token endpoint refused a grant (a 4xx answer).

    ``code`` holds the OAuth error code, such as ``invalid_grant`` or ``invalid_client``.
    """


class StandardOAuthProvider:
    """A provider known only by its OAuth endpoints, answering with standard token responses.

    Args:
        endpoints: the authorize, token and revoke URLs.
        name: the name stored with its connections.
        rotates_refresh_tokens: whether every refresh must bring a new refresh token.
    """

    def __init__(self, endpoints: OAuthEndpoints, name: str = "oauth", *,
                 rotates_refresh_tokens: bool = False) -> None:
        self.endpoints = endpoints
        self.name = name
        self.rotates_refresh_tokens = rotates_refresh_tokens

    def oauth_endpoints(self, settings: Mapping[str, Any]) -> OAuthEndpoints:
        """Return the fixed endpoints (settings are ignored)."""
        return self.endpoints

    def parse_token_response(self, payload: Mapping[str, Any], now: datetime) -> TokenSet:
        """Read a standard token response (see :func:`parse_token_response`)."""
        return parse_token_response(payload, now)

    def __repr__(self) -> str:
        return f"StandardOAuthProvider(name={self.name!r})"


def rotates_refresh_tokens(provider: object) -> bool:
    """Whether ``provider`` promises a new refresh token on every refresh."""
    return getattr(provider, "rotates_refresh_tokens", False) is True


def check_rotated(provider: object, spent: str, answer: TokenSet) -> None:
    """Refuse a refresh answer that keeps the refresh token a rotating provider just spent.

    Raises:
        TokenResponseError: the provider rotates refresh tokens and the answer carries none,
            or the one just sent.
    """
    if not rotates_refresh_tokens(provider):
        return
    if answer.refresh_token is None or answer.refresh_token.reveal() == spent:
        raise TokenResponseError(
            "the token endpoint did not rotate the refresh token, although this provider "
            "always does; its answer was not stored", code="not_rotated")


def provider_name(provider: object) -> str:
    """The name stored with a connection: the string itself, or the provider's ``name``."""
    if isinstance(provider, str):
        return provider
    name = getattr(provider, "name", None)
    return name if isinstance(name, str) and name else type(provider).__name__.lower()


def post_form(
    url: str,
    form: Mapping[str, str],
    *,
    session: requests.Session | None = None,
    timeout: float = 10.0,
    now: datetime | None = None,
    expect_json: bool = True,
) -> Mapping[str, Any]:
    """POST an OAuth form (token or revoke endpoint) and return its JSON answer.

    Args:
        url: the endpoint.
        form: the form fields; they may carry secrets and are never logged.
        session: the HTTP session to use (a new one when omitted).
        timeout: seconds to wait for the answer.
        now: the current time, to read an HTTP-date ``Retry-After``.
        expect_json: whether a success must carry a JSON object (token endpoint) or may
            carry anything (revoke endpoint, answered as ``{}``).

    Returns:
        The decoded JSON object (empty when the answer has no body).

    Raises:
        ProviderUnavailableError: the endpoint was unreachable or answered 5xx.
        RateLimitError: the endpoint answered 429 (``retry_after`` when it said how long).
        TokenEndpointError: any other 4xx; ``code`` is the OAuth error code.
        TokenResponseError: a success without a JSON object (when ``expect_json``), or an
            answer larger than :data:`MAX_OAUTH_BODY`; it is both an ``AuthenticationError``
            and a ``ProviderError``.
    """
    http = session or _own_session()
    try:
        # The timeout bounds the whole exchange, so a token endpoint that answers one byte at
        # a time cannot hold a refresh (and the lock every worker waits on) for long.
        with deadline_within(timeout):
            try:
                response = http.post(
                    url, data=dict(form), headers={"Accept": "application/json"},
                    timeout=timeout, stream=True,
                )
                content = read_limited(response, MAX_OAUTH_BODY)
            except BodyTooLarge:
                raise TokenResponseError(
                    f"the OAuth endpoint answered with more than {MAX_OAUTH_BODY:,} bytes; "
                    "the answer was refused", status=response.status_code, code="too_large",
                ) from None
            except requests.RequestException as exc:
                late = " within its timeout" if deadline_passed() else ""
                raise ProviderUnavailableError(
                    f"could not reach the OAuth endpoint{late} ({type(exc).__name__})"
                ) from exc
    finally:
        if session is None:
            http.close()
    return _read_answer(response, content, now, expect_json)


def _own_session() -> requests.Session:
    session = requests.Session()
    adapter = DeadlineAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _read_answer(
    response: requests.Response, content: bytes, now: datetime | None, expect_json: bool
) -> Mapping[str, Any]:
    status = response.status_code
    if status == 429:
        raise RateLimitError(
            "the OAuth endpoint is rate limiting",
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After"), now),
        )
    if status >= 500:
        raise ProviderUnavailableError("the OAuth endpoint failed", status=status)
    body = _json_object(content)
    if status >= 400:
        code = body.get("error") if body else None
        code = code if isinstance(code, str) and _OAUTH_ERROR.match(code) else None
        message = f"the OAuth endpoint refused the request ({code or 'no error code'})"
        raise TokenEndpointError(message, status=status, code=code)
    if body is None:
        if not expect_json or not content:
            return {}
        # A success that carries no token is no credential: an AuthenticationError, and a
        # ProviderError so that a refresh records it and keeps the stored tokens.
        raise TokenResponseError("the OAuth endpoint answered without a JSON object",
                                 status=status, code="not_json")
    return body


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
