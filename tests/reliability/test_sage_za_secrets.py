"""sage_za: the password and API key never show in a log, repr, error or traceback."""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.login_credentials import LoginCredentials, save_credentials
from unified_accounting.tokens import SQLiteTokenStore


def _shown(error: BaseException) -> str:
    return "\n".join([str(error), repr(error),
                      "".join(traceback.format_exception(type(error), error, error.__traceback__))])


def test_no_flow_shows_the_password_or_the_api_key(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # A frozen clock keeps every call inside one fixed minute window.
    sandbox = SageZASandbox(seed=41, limits={"per_minute": 8},
                            start_time=datetime(2026, 6, 1, 10, 0, 5, tzinfo=UTC))
    secrets = [sandbox.credentials["password"], sandbox.credentials["api_key"],
               sandbox.credentials["api_key"].strip("{}")]
    errors: list[BaseException] = []
    objects: list[Any] = []
    store = SQLiteTokenStore(tmp_path / "tokens.db")
    save_credentials(store, "shop", "sage_za", LoginCredentials(sandbox.credentials))
    with sandbox.running():
        client = ua.connect("sage_za", connection="shop", token_store=store,
                            settings=sandbox.settings(), business_id=sandbox.company_id,
                            sleep=lambda s: None)
        objects += [client, client.context, client.context.transport, client.proxy,
                    client.contacts, client.context.transport.token_source, store.load("shop"),
                    LoginCredentials(sandbox.credentials)]
        objects.append(list(client.tax_rates.list()))
        sandbox.queue_fault("drop", 4)
        for action in (lambda: client.tax_rates.get("1"),
                       lambda: client.contacts.get("C999999"),
                       lambda: client.contacts.create(ua.Contact(name="", is_customer=True)),
                       lambda: client.proxy.request("POST", "/Customer/Save", json={})):
            try:
                objects.append(action())
            except ua.AccountingError as error:
                errors.append(error)
        try:  # over the minute limit: a 429 and an hour's block
            for _ in range(10):
                list(client.tax_rates.list())
        except ua.AccountingError as error:
            errors.append(error)
        # Another company, so that the block of the first one does not stop the call.
        wrong = ua.connect("sage_za", settings=sandbox.settings(), business_id="424242",
                           credentials={**sandbox.credentials, "password": "wrong-password-1"})
        try:
            wrong.tax_rates.get("1")
        except ua.AccountingError as error:
            errors.append(error)
    gone = ua.connect("sage_za", settings=sandbox.settings(base_url="http://127.0.0.1:9/api"),
                      business_id="7", credentials=sandbox.credentials, sleep=lambda s: None)
    try:  # nothing listens: urllib3 names the whole URL, query included, in its message
        gone.tax_rates.get("1")
    except ua.AccountingError as error:
        errors.append(error)
    kinds = {type(error).__name__ for error in errors}
    assert {"NotFoundError", "ValidationError", "RateLimitError", "ProviderUnavailableError",
            "ReauthorizationRequired"} <= kinds, kinds
    shown = [record.getMessage() for record in caplog.records]
    shown += [_shown(error) for error in errors] + [repr(item) for item in objects]
    for secret in secrets:
        assert not [text for text in shown if secret in text], secret[:3]
