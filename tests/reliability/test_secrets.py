"""Secrets: nothing a flow of data calls logs, raises, prints or stores shows a credential.

``tests/integration/test_sandbox_refresh.py`` searches the DEBUG logs of the connection
flows (authorize, refresh, reauthorization, revoke). This test drives the data side through
every way a call can end: success, 404, Sage's 422, a local ValidationError, 500, 503 and 429
until the retries run out, a dropped connection, a 401 that forces a refresh, a refused
proxy path and a refused ``Authorization`` header, a sync into a mirror, and a grant that is
gone. Then it searches the DEBUG log records (every logger), every error's message, repr and
whole traceback (causes included), the reprs of every object the flow handed out, and the
bytes of the mirror file, for every code, token and secret the sandbox ever issued.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from support.sandbox_connections import first_contacts
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.tokens import SQLiteTokenStore

# A bearer header value: the scheme followed by something as long as a token.
BEARER = re.compile(r"Bearer\s+[A-Za-z0-9._~+/=-]{16,}")


class Trail:
    """Everything the flow showed: raised errors and objects whose repr a product may log."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.objects: list[Any] = []

    def attempt(self, action: Callable[[], Any]) -> Any:
        """Run ``action``; keep what it returned or raised."""
        try:
            result = action()
        except ua.AccountingError as error:
            self.errors.append(error)
            return None
        self.objects.append(result)
        return result

    def text(self) -> str:
        """Messages, reprs and formatted tracebacks of the errors; reprs of the objects."""
        shown = []
        for error in self.errors:
            shown += [str(error), repr(error), "".join(traceback.format_exception(error))]
        shown += [repr(obj) for obj in self.objects] + [str(obj) for obj in self.objects]
        return "\n".join(shown)


def _data_calls(client: ua.Client, sb: SageSandbox, trail: Trail) -> None:
    """Calls that end in success, in every kind of error, and in a reactive refresh."""
    contact = trail.attempt(lambda: client.contacts.create(
        ua.Contact(name="Secret Check Ltd", is_customer=True, reference="SEC1")))
    trail.attempt(lambda: list(client.contacts.list()))
    trail.attempt(lambda: client.contacts.get(contact.id))
    trail.attempt(lambda: client.contacts.get("0" * 32))  # 404
    trail.attempt(lambda: client.contacts.create(  # Sage's 422: duplicate reference
        ua.Contact(name="Secret Check 2", is_customer=True, reference="SEC1")))
    trail.attempt(lambda: client.contacts.create(ua.Contact(name="")))  # local refusal
    for fault in ("error_503", "error_500", "drop"):
        sb.queue_fault(fault, count=10, method="GET")
        trail.attempt(lambda: client.contacts.get(contact.id))
        sb.clear_faults()
    sb.set_rate_limits(business_per_minute=1)
    trail.attempt(lambda: client.contacts.get(contact.id))
    trail.attempt(lambda: client.contacts.get(contact.id))  # 429 until retries run out
    sb.set_rate_limits()
    trail.attempt(lambda: client.proxy.request("GET", "/financial_settings"))
    trail.attempt(lambda: client.proxy.request("GET", "/../token"))
    token = client.context.transport.token_source.access_token()
    trail.attempt(lambda: client.proxy.request(
        "GET", "/contacts", headers={"Authorization": f"Bearer {token.reveal()}"}))
    sb.expire_access_tokens()
    trail.attempt(lambda: first_contacts(client))  # 401, refresh, retried


def test_no_credential_in_logs_errors_reprs_or_the_mirror(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    trail = Trail()
    mirror_path = tmp_path / "mirror.sqlite3"
    store = SQLiteTokenStore(tmp_path / "tokens.sqlite3")
    with SageSandbox.running(port=0, seed=31) as sb:
        client = sb.connect(token_store=store, connection="acme", sleep=lambda s: None,
                            limiter=LocalLimiter(RateLimits()))
        _data_calls(client, sb, trail)
        trail.attempt(lambda: ua.sync(client, mirror_path, ["contacts"]))
        trail.objects += [client, client.context, client.context.transport,
                          client.context.transport.token_source, client.proxy, store,
                          store.load("acme"), client.with_options(max_retries=0)]
        sb.expire_refresh_tokens()
        sb.expire_access_tokens()
        trail.attempt(lambda: first_contacts(client))  # the grant is gone
        client.close()
        secrets = sb.issued_secrets()
        counters = sb.counters

    kinds = {type(error).__name__ for error in trail.errors}
    assert kinds >= {"NotFoundError", "ValidationError", "ProviderUnavailableError",
                     "RateLimitError", "ReauthorizationRequired"}, kinds
    assert counters.refreshes == 1  # the 401 was refreshed; the last grant was gone
    assert len(secrets) >= 6  # client secret, code, two token pairs at least
    searched = {
        "logs": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        "errors and reprs": trail.text(),
        "mirror": b"".join(p.read_bytes() for p in tmp_path.glob("mirror.sqlite3*")
                           if p.is_file())
                  .decode("latin-1"),
    }
    assert "GET /contacts" in searched["logs"]  # the flow did log at DEBUG
    assert "Secret Check Ltd" in searched["mirror"]  # and the sync did write the mirror
    # Whole values, URL-quoted ones, and their first 24 characters (a shortened token leaks
    # as much as a whole one).
    needles = {*secrets, *(quote(s, safe="") for s in secrets), *(s[:24] for s in secrets)}
    for where, text in searched.items():
        assert [s[:12] + "..." for s in needles if s in text] == [], where
        assert BEARER.search(text) is None, where
