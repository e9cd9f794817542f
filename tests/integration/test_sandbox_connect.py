"""``SageSandbox.connect``: the real OAuth code flow, headless, into a token store, over HTTP."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
import responses
from support.sandbox_connections import first_contacts
from unified_accounting_sage.sandbox import SageSandbox
from unified_accounting_sage.sandbox.connecting import consent_redirect

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.tokens import Health, SQLiteTokenStore


def test_connect_runs_the_code_flow_and_returns_a_client_of_the_business(
    sage_sandbox: SageSandbox,
) -> None:
    with sage_sandbox.connect() as client:
        assert (client.provider, client.connection) == ("sage", "sandbox")
        assert client.business_id == sage_sandbox.business_id("GB")
        names = {business.id for business in client.businesses.list()}
        assert sage_sandbox.business_id("GB") in names
        first_contacts(client)
    counters = sage_sandbox.counters
    assert counters.requests["GET /oauth2/auth/central"] == 1
    assert counters.token_grants == 1
    assert counters.requests["GET /contacts"] == 1
    assert counters.statuses.get(401, 0) == 0


def test_connect_to_another_country_routes_every_call_to_its_business(
    sage_sandbox: SageSandbox,
) -> None:
    with sage_sandbox.connect(country="fr", connection="paris") as client:
        assert client.business_id == sage_sandbox.business_id("FR")
        rates = {rate.name for rate in client.tax_rates.list()}
    assert rates
    assert rates.isdisjoint(_gb_rate_names(sage_sandbox))


def _gb_rate_names(sb: SageSandbox) -> set[str]:
    with sb.connect(country="GB") as client:
        return {rate.name for rate in client.tax_rates.list()}


def test_tokens_go_to_the_given_store_and_serve_any_later_client(
    sage_sandbox: SageSandbox, sqlite_store: SQLiteTokenStore
) -> None:
    sage_sandbox.connect(token_store=sqlite_store, connection="acme").close()
    info = sqlite_store.describe("acme")
    assert info is not None
    assert (info.provider, info.client_id, info.health) == ("sage", sage_sandbox.client_id,
                                                            Health.OK)
    assert info.metadata.get("country") == "GB"  # Sage's callback names the country
    assert sage_sandbox.token_store_folder is None  # the sandbox's own store was not needed

    # Any client over that store works without running the flow again.
    with ua.connect("sage", connection="acme", settings=sage_sandbox.settings,
                    business_id=sage_sandbox.business_id("GB"), token_store=sqlite_store,
                    client_secret=sage_sandbox.client_secret) as client:
        first_contacts(client)
    assert sage_sandbox.counters.token_grants == 1


def test_the_sandbox_removes_its_own_store_when_it_stops() -> None:
    with SageSandbox.running(port=0) as sb:
        first = sb.connect()
        second = sb.connect(country="DE", connection="berlin")
        folder = sb.token_store_folder
        assert folder is not None
        assert Path(folder).is_dir()
        store = SQLiteTokenStore(Path(folder) / "tokens.sqlite3")
        assert [info.connection for info in store.list_connections()] == ["berlin", "sandbox"]
        store.close()
        mode = os.stat(Path(folder) / "tokens.sqlite3").st_mode & 0o777
        assert mode == 0o600
        first.close()
        second.close()
    assert not Path(folder).exists()
    assert sb.token_store_folder is None


def test_connect_options_reach_ua_connect_and_settings_are_merged(
    sage_sandbox: SageSandbox,
) -> None:
    limiter = LocalLimiter(RateLimits())
    with sage_sandbox.connect(
        settings={"requests_per_second": 50}, limiter=limiter, include_remote_data=True,
    ) as client:
        settings = client.context.settings
        assert settings["requests_per_second"] == 50
        assert settings["base_url"] == sage_sandbox.base_url  # still the sandbox
        assert client.context.transport.limiter is limiter
        assert client.context.options == {"include_remote_data": True}


def test_a_business_id_option_replaces_the_country(sage_sandbox: SageSandbox) -> None:
    chosen = sage_sandbox.business_id("IE")
    with sage_sandbox.connect(country="GB", business_id=chosen) as client:
        assert client.business_id == chosen


def test_denied_consent_is_an_authentication_error(sage_sandbox: SageSandbox) -> None:
    sage_sandbox.set_consent(False)
    with pytest.raises(ua.AuthenticationError, match="access_denied"):
        sage_sandbox.connect()
    assert sage_sandbox.counters.token_grants == 0


def test_connect_uses_the_registered_redirect_uri() -> None:
    with SageSandbox.running(port=0, redirect_uris=("https://app.example/callback",)) as sb:
        with sb.connect() as client:
            assert client.business_id == sb.business_id("GB")
        assert sb.counters.token_grants == 1


def test_an_authorize_page_that_does_not_redirect_is_an_authentication_error(
    sage_sandbox: SageSandbox,
) -> None:
    unknown = sage_sandbox.oauth_authorize_url + "&" + urlencode(
        {"response_type": "code", "client_id": "nobody", "redirect_uri": "http://127.0.0.1/cb"})
    with pytest.raises(ua.AuthenticationError, match="invalid_client") as caught:
        consent_redirect(unknown)
    assert (caught.value.status, caught.value.code) == (400, "invalid_client")


def test_connect_also_works_on_the_responses_face() -> None:
    sb = SageSandbox(seed=1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        sb.register(mock)
        with sb.connect(country="IE") as client:
            assert client.business_id == sb.business_id("IE")
            assert list(client.tax_rates.list())
        assert {call.request.url.split("?")[0] for call in mock.calls} >= {
            "https://www.sageone.com/oauth2/auth/central",
            "https://oauth.accounting.sage.com/token",
        }
    assert sb.token_store_folder is not None
    sb.stop()
    assert sb.token_store_folder is None
