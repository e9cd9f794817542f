"""Reading token responses and mapping the token endpoint's answers, one request at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses
from ua_example_provider import ExampleProvider

from unified_accounting.credentials import OAuthEndpoints, Secret
from unified_accounting.errors import (
    AuthenticationError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)
from unified_accounting.plugins import resolve_provider
from unified_accounting.provider import standard_token_set
from unified_accounting.tokens.endpoint import (
    DEFAULT_TOKEN_LIFETIME,
    StandardOAuthProvider,
    TokenEndpointError,
    TokenResponseError,
    parse_retry_after,
    parse_token_response,
    post_form,
    provider_name,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://oauth.example.test/token"


def test_parses_a_sage_style_token_response() -> None:
    tokens = parse_token_response(
        {
            "access_token": "at",
            "expires_in": 300,
            "token_type": "bearer",
            "refresh_token": "rt",
            "refresh_token_expires_in": 2678400,
            "scope": "full_access",
            "requested_by_id": "user-9",
            "id_token": "header.payload.signature",
        },
        NOW,
    )
    assert tokens.access_token == Secret("at")
    assert tokens.refresh_token == Secret("rt")
    assert tokens.expires_at == NOW + timedelta(seconds=300)
    assert tokens.refresh_token_expires_at == NOW + timedelta(days=31)
    assert (tokens.token_type, tokens.scope) == ("bearer", "full_access")
    assert tokens.extra == {"requested_by_id": "user-9"}


def test_missing_optional_fields_get_defaults() -> None:
    tokens = parse_token_response({"access_token": "at", "scope": ["a", "b"]}, NOW)
    assert tokens.refresh_token is None
    assert tokens.expires_at == NOW + timedelta(seconds=DEFAULT_TOKEN_LIFETIME)
    assert tokens.refresh_token_expires_at is None
    assert tokens.scope == "a b"


@pytest.mark.parametrize(
    "payload", [{}, {"access_token": ""}, {"access_token": "at", "expires_in": "soon"}]
)
def test_malformed_token_responses_are_provider_errors(payload: dict[str, object]) -> None:
    with pytest.raises(ProviderError) as caught:
        parse_token_response(payload, NOW)
    # Also what the provider contract promises callers of parse_token_response.
    assert isinstance(caught.value, AuthenticationError)
    assert isinstance(caught.value, TokenResponseError)


def test_token_type_is_lower_cased() -> None:
    assert parse_token_response({"access_token": "at", "token_type": "Bearer"}, NOW).token_type == (
        "bearer"
    )


def test_providers_get_the_same_parser_the_token_manager_uses() -> None:
    payload = {"access_token": "at", "scope": ["a", "b"], "id_token": "h.p.s", "user": "u1"}
    assert standard_token_set(payload, NOW) == parse_token_response(payload, NOW)
    assert standard_token_set(payload, NOW).extra == {"user": "u1"}


def test_provider_name() -> None:
    class Named:
        name = "sage"

    class Anonymous:
        pass

    assert provider_name("xero") == "xero"
    assert provider_name(Named()) == "sage"
    assert provider_name(Anonymous()) == "anonymous"


@responses.activate
def test_success_returns_the_json_and_sends_a_form() -> None:
    responses.post(URL, json={"access_token": "at"})
    assert post_form(URL, {"grant_type": "refresh_token", "refresh_token": "rt"}) == {
        "access_token": "at"
    }
    sent = responses.calls[0].request
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["Accept"] == "application/json"
    assert sent.body == "grant_type=refresh_token&refresh_token=rt"


@responses.activate
def test_invalid_grant_is_a_token_endpoint_error_without_the_body() -> None:
    responses.post(
        URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "token rt-SECRET was used"},
    )
    with pytest.raises(TokenEndpointError) as caught:
        post_form(URL, {})
    assert (caught.value.status, caught.value.code) == (400, "invalid_grant")
    assert "rt-SECRET" not in str(caught.value)
    assert "rt-SECRET" not in repr(caught.value)


@responses.activate
def test_an_error_code_that_is_not_a_code_is_not_echoed() -> None:
    responses.post(URL, status=401, json={"error": "Bearer abc.def ghi"})
    with pytest.raises(TokenEndpointError) as caught:
        post_form(URL, {})
    assert caught.value.code is None
    assert "abc.def" not in str(caught.value)


@responses.activate
def test_429_carries_retry_after() -> None:
    responses.post(URL, status=429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimitError) as caught:
        post_form(URL, {})
    assert caught.value.retry_after == 7


@responses.activate
@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_provider_unavailable(status: int) -> None:
    responses.post(URL, status=status, body="<html>down</html>")
    with pytest.raises(ProviderUnavailableError) as caught:
        post_form(URL, {})
    assert caught.value.status == status


@responses.activate
def test_unreachable_endpoint_is_provider_unavailable() -> None:
    responses.post(URL, body=requests.ConnectionError("refused"))
    with pytest.raises(ProviderUnavailableError, match="could not reach"):
        post_form(URL, {})


@responses.activate
def test_success_without_json_is_an_error_unless_not_expected() -> None:
    responses.post(URL, body="OK")
    with pytest.raises(ProviderError):
        post_form(URL, {})
    assert post_form(URL, {}, expect_json=False) == {}


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("12", 12.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_names_resolve_through_the_plugin_loader() -> None:
    provider = resolve_provider("example")
    assert isinstance(provider, ExampleProvider)
    assert provider_name(provider) == "example"
    assert provider.parse_token_response({"access_token": "at"}, NOW).access_token == Secret("at")


def test_provider_objects_are_used_as_they_are() -> None:
    provider = StandardOAuthProvider(OAuthEndpoints(authorize_url="a", token_url="t"))
    assert resolve_provider(provider) is provider
