"""Refresh through the whole stack against the Sage sandbox, and what the logs of it show.

Client -> Sage provider -> transport -> token manager -> token store, over real HTTP to the
sandbox, whose token endpoint rotates refresh tokens and counts every refresh.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import quote

import pytest
from support.sandbox_connections import expire_access_token, first_contacts, next_worker
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.tokens import Health, TokenStore
from unified_accounting.utctime import utcnow


def test_a_token_the_provider_refuses_is_refreshed_once_and_the_call_retried(
    sage_sandbox: SageSandbox, any_store: TokenStore
) -> None:
    with sage_sandbox.connect(token_store=any_store, connection="acme") as client:
        first_contacts(client)
        before = any_store.load("acme")
        assert before is not None
        # The sandbox ends the token early; the client still believes it has minutes left.
        sage_sandbox.expire_access_tokens()
        assert before.tokens.expires_at > utcnow() + timedelta(seconds=200)
        sage_sandbox.reset_counters()

        first_contacts(client)

        counters = sage_sandbox.counters
        assert counters.requests == {"GET /contacts": 2, "POST /token": 1}
        assert counters.statuses == {401: 1, 200: 2}  # refused, refreshed, retried
        assert (counters.refreshes, counters.refresh_failures) == (1, 0)
        after = any_store.load("acme")
        assert after is not None
        assert after.tokens.access_token != before.tokens.access_token
        assert after.tokens.refresh_token != before.tokens.refresh_token
        assert after.info.health is Health.OK
        assert after.info.last_refresh_at is not None

        # The new token serves the next call without another refresh.
        sage_sandbox.reset_counters()
        first_contacts(client)
        assert sage_sandbox.counters.requests == {"GET /contacts": 1}


def test_a_refused_token_whose_grant_is_gone_needs_reauthorization(
    sage_sandbox: SageSandbox, any_store: TokenStore
) -> None:
    with sage_sandbox.connect(token_store=any_store, connection="acme") as client:
        sage_sandbox.expire_refresh_tokens()
        sage_sandbox.expire_access_tokens()
        with pytest.raises(ua.ReauthorizationRequired) as caught:
            first_contacts(client)
    assert caught.value.connection == "acme"
    counters = sage_sandbox.counters
    assert (counters.refreshes, counters.refresh_failures) == (0, 1)
    assert counters.statuses.get(401) == 1


def test_debug_logs_of_the_whole_flow_hold_no_token_code_or_secret(
    sage_sandbox: SageSandbox, any_store: TokenStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: the library, urllib3, the sandbox
    shown: list[str] = []
    sb = sage_sandbox
    with sb.connect(token_store=any_store, connection="acme") as client:
        list(client.businesses.list())
        created = client.contacts.create(ua.Contact(name="Leak Check Ltd", is_customer=True))
        shown += [repr(client), repr(created)]
        sb.expire_access_tokens()
        first_contacts(client)  # 401, reactive refresh, retry
    expire_access_token(sb, any_store, "acme")
    with next_worker(sb, any_store, "acme") as client:
        first_contacts(client)  # proactive refresh
        sb.expire_refresh_tokens()
        sb.expire_access_tokens()
        with pytest.raises(ua.ReauthorizationRequired) as caught:
            first_contacts(client)  # 401, refresh refused with invalid_grant
        last = any_store.load("acme")
        assert last is not None
        shown += [str(caught.value), repr(caught.value), repr(last)]
    ua.revoke(connection="acme", client_secret=sb.client_secret, token_store=any_store,
              settings=sb.settings)

    counters = sb.counters
    assert (counters.token_grants, counters.refreshes, counters.refresh_failures) == (1, 2, 1)
    assert "acme" in caplog.text
    assert "GET /contacts" in caplog.text
    secrets = sb.issued_secrets()
    assert len(secrets) >= 8  # the client secret, a code, three token pairs
    assert last.tokens.access_token.reveal() in secrets  # the tokens used are among them
    text = caplog.text + "\n".join(shown)
    leaked = [s for s in {*secrets, *(quote(s, safe="") for s in secrets)} if s in text]
    assert leaked == []
    assert "Bearer " not in text  # no Authorization header value either
