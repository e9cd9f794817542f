"""OAuth as Sage runs it: codes, rotating refresh tokens, expiry, revoke, /user."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from unified_accounting_sage.sandbox import SageSandbox
from unified_accounting_sage.sandbox.messages import SandboxRequest, SandboxResponse
from unified_accounting_sage.sandbox.options import SandboxOptions

REDIRECT = "http://127.0.0.1/callback"


def _exchange(sb: SageSandbox, code: str, **overrides: str) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": sb.client_id, "client_secret": sb.client_secret, **overrides}
    return requests.post(sb.oauth_token_url, data=form, timeout=10)


def _refresh(sb: SageSandbox, refresh_token: str, **overrides: str) -> requests.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": sb.client_id, "client_secret": sb.client_secret, **overrides}
    return requests.post(sb.oauth_token_url, data=form, timeout=10)


def _user(sb: SageSandbox, access_token: str) -> requests.Response:
    return requests.get(sb.base_url + "/user", timeout=10,
                        headers={"Authorization": f"Bearer {access_token}"})


def test_settings_point_at_the_running_sandbox(sb: SageSandbox) -> None:
    assert set(sb.settings) == {"base_url", "authorize_url", "token_url", "revoke_url"}
    assert sb.settings["base_url"] == sb.base_url
    assert sb.base_url.startswith("http://127.0.0.1:")
    assert sb.base_url.endswith("/v3.1")
    assert sb.settings["authorize_url"] == sb.oauth_authorize_url
    assert sb.settings["token_url"] == sb.oauth_token_url


def test_authorize_redirects_with_code_state_and_country(sb: SageSandbox) -> None:
    params = {"response_type": "code", "client_id": sb.client_id, "redirect_uri": REDIRECT,
              "scope": "full_access", "state": "xyz", "country": "fr"}
    reply = requests.get(sb.oauth_authorize_url, params=params, allow_redirects=False,
                         timeout=10)
    assert reply.status_code == 302
    location = reply.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["xyz"]
    assert query["country"] == ["FR"]
    # Codes carry a country prefix with a slash, which must be URL-encoded in the redirect.
    assert query["code"][0].startswith("FR/")
    assert "FR%2F" in location


def test_authorization_code_grant_returns_sage_shaped_tokens(sb: SageSandbox) -> None:
    code = sb.authorize()["code"]
    reply = _exchange(sb, code)
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "refresh_token",
                         "refresh_token_expires_in", "scope", "requested_by_id"}
    assert body["expires_in"] == 300
    assert body["refresh_token_expires_in"] == 31 * 24 * 3600
    assert body["token_type"] == "bearer"
    assert body["scope"] == "full_access"
    assert body["requested_by_id"] == sb.user_id
    assert len(body["access_token"]) == 2048
    assert len(body["refresh_token"]) == 2048
    assert sb.counters.token_grants == 1


def test_codes_are_single_use(sb: SageSandbox) -> None:
    code = sb.authorize()["code"]
    assert _exchange(sb, code).status_code == 200
    second = _exchange(sb, code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"


def test_codes_expire_after_sixty_seconds(sb: SageSandbox) -> None:
    fresh, stale = sb.authorize()["code"], sb.authorize()["code"]
    sb.advance_clock(59)
    assert _exchange(sb, fresh).status_code == 200
    sb.advance_clock(1)
    assert _exchange(sb, stale).json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_the_authorize_request(sb: SageSandbox) -> None:
    code = sb.authorize()["code"]
    reply = _exchange(sb, code, redirect_uri=REDIRECT + "/other")
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_grant"


def test_wrong_client_credentials_give_invalid_client(sb: SageSandbox) -> None:
    code = sb.authorize()["code"]
    reply = _exchange(sb, code, client_secret="wrong")
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_client"
    tokens = sb.issue_tokens()
    assert _refresh(sb, tokens["refresh_token"], client_id="nobody").json()["error"] == (
        "invalid_client")


def test_http_basic_client_authentication_is_accepted(sb: SageSandbox) -> None:
    code = sb.authorize()["code"]
    reply = requests.post(sb.oauth_token_url, timeout=10, auth=(sb.client_id, sb.client_secret),
                          data={"grant_type": "authorization_code", "code": code,
                                "redirect_uri": REDIRECT})
    assert reply.status_code == 200


def test_refresh_rotates_and_the_old_refresh_token_fails(sb: SageSandbox) -> None:
    first = sb.issue_tokens()
    reply = _refresh(sb, first["refresh_token"])
    assert reply.status_code == 200
    second = reply.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    reused = _refresh(sb, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert _refresh(sb, second["refresh_token"]).status_code == 200
    assert sb.counters.refreshes == 2
    assert sb.counters.refresh_failures == 1


def test_access_tokens_expire_after_the_configured_lifetime(sb: SageSandbox) -> None:
    tokens = sb.issue_tokens()
    sb.advance_clock(299)
    assert _user(sb, tokens["access_token"]).status_code == 200
    sb.advance_clock(1)
    expired = _user(sb, tokens["access_token"])
    assert expired.status_code == 401
    assert expired.json()[0]["$dataCode"] == "AuthorizationFailure"
    fresh = _refresh(sb, tokens["refresh_token"]).json()
    assert _user(sb, fresh["access_token"]).status_code == 200


def test_access_token_lifetime_is_configurable() -> None:
    with SageSandbox.running(access_token_ttl=30, token_length=64) as sb:
        tokens = sb.issue_tokens()
        assert tokens["expires_in"] == 30
        assert len(tokens["access_token"]) == 64
        sb.advance_clock(31)
        assert _user(sb, tokens["access_token"]).status_code == 401


def test_refresh_tokens_expire_after_thirty_one_days(sb: SageSandbox) -> None:
    early, late = sb.issue_tokens(), sb.issue_tokens()
    sb.advance_clock(31 * 24 * 3600 - 1)
    assert _refresh(sb, early["refresh_token"]).status_code == 200
    sb.advance_clock(1)
    assert _refresh(sb, late["refresh_token"]).json()["error"] == "invalid_grant"


def test_expire_now_controls(sb: SageSandbox) -> None:
    tokens = sb.issue_tokens()
    sb.expire_access_tokens()
    assert _user(sb, tokens["access_token"]).status_code == 401
    sb.expire_refresh_tokens()
    assert _refresh(sb, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoke_ends_the_refresh_token_and_its_access_tokens(sb: SageSandbox) -> None:
    tokens = sb.issue_tokens()
    other = sb.issue_tokens()
    reply = requests.post(sb.oauth_revoke_url, timeout=10, data={
        "token": tokens["refresh_token"], "client_id": sb.client_id,
        "client_secret": sb.client_secret})
    assert reply.status_code == 200
    assert _refresh(sb, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert _user(sb, tokens["access_token"]).status_code == 401
    assert _user(sb, other["access_token"]).status_code == 200


def test_missing_or_unknown_bearer_is_401(sb: SageSandbox) -> None:
    assert requests.get(sb.base_url + "/contacts", timeout=10).status_code == 401
    assert _user(sb, "not-a-token").status_code == 401


def test_user_endpoint_describes_the_test_user(sb: SageSandbox) -> None:
    tokens = sb.issue_tokens()
    reply = _user(sb, tokens["access_token"])
    body = reply.json()
    assert body["id"] == sb.user_id
    assert {"first_name", "last_name", "email", "locale"} <= set(body)
    assert "X-Business" not in reply.headers


def test_denied_consent_redirects_with_access_denied(sb: SageSandbox) -> None:
    sb.set_consent(False)
    callback = sb.authorize(state="s1")
    assert callback == {"error": "access_denied", "state": "s1"}


def test_readonly_tokens_cannot_write(sb: SageSandbox) -> None:
    tokens = sb.issue_tokens(scope="readonly")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    read = requests.get(sb.base_url + "/contacts", headers=headers, timeout=10)
    assert read.status_code == 200
    write = requests.post(sb.base_url + "/contacts", headers=headers, timeout=10,
                          json={"contact": {"name": "X", "contact_type_ids": ["CUSTOMER"]}})
    assert write.status_code == 403
    assert write.json()[0]["$dataCode"] == "MultiUserAccessDenied"


def test_sandbox_requests_responses_and_options_do_not_repr_their_secrets() -> None:
    request = SandboxRequest("POST", "/token", query=[("code", "GB/code-1")],
                             headers={"authorization": "Bearer access-1"},
                             body=b"client_secret=secret-1&refresh_token=refresh-1")
    response = SandboxResponse(302, {"Location": "http://x/cb?code=GB/code-2"}, b"access-2")
    options = SandboxOptions(client_id="app", client_secret="secret-3")
    shown = repr(request) + repr(response) + repr(options)
    for secret in ("code-1", "access-1", "secret-1", "refresh-1", "code-2", "access-2",
                   "secret-3"):
        assert secret not in shown
    assert "/token" in repr(request)
    assert "app" in repr(options)
