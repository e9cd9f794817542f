"""Bodies, money, limits and every error as one problem+json shape."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.gateway.server import running
from unified_accounting.tokens.sqlite import SQLiteTokenStore

from .conftest import LiveGateway, gateway_config


def _post(live: LiveGateway, resource: str, data: bytes | str,
          content_type: str = "application/json") -> requests.Response:
    headers = {**live.headers(), "Content-Type": content_type}
    return requests.post(live.connection_url(f"/{resource}"), data=data, headers=headers,
                         timeout=30)


def _customer_id(live: LiveGateway) -> str:
    answer = requests.post(live.connection_url("/contacts"), headers=live.headers(),
                           json={"name": "Money Ltd", "is_customer": True}, timeout=30)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_a_json_number_for_money_keeps_every_digit(live: LiveGateway) -> None:
    account = live.sandbox.ledger_account_id("GB", 4000)
    body = ('{"type": "sales", "contact_id": "' + _customer_id(live) + '", "issue_date": '
            '"2025-03-01", "status": "draft", "lines": [{"description": "Exact", "quantity": 3, '
            '"unit_price": 0.10, "account_id": "' + account + '", "tax_rate_id": null}]}')
    answer = _post(live, "invoices", body)
    assert answer.status_code == 201, answer.text
    line = answer.json()["lines"][0]
    assert Decimal(line["unit_price"]) == Decimal("0.10")
    # 3 x 0.1 through a float would be 0.30000000000000004.
    assert answer.json()["net_amount"] == "0.30"
    assert isinstance(answer.json()["total_amount"], str)


def test_nan_and_malformed_json_answer_400(live: LiveGateway) -> None:
    for body in ('{"name": NaN, "is_customer": true}', '{"name": ', "[" * 100_000):
        answer = _post(live, "contacts", body)
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"] == "application/problem+json"


def test_a_body_that_is_not_json_answers_415(live: LiveGateway) -> None:
    answer = _post(live, "contacts", "name=x", "application/x-www-form-urlencoded")
    assert answer.status_code == 415


def test_a_body_over_the_limit_answers_413(live: LiveGateway) -> None:
    big = '{"name": "' + "x" * (live.config.max_body_bytes + 1) + '"}'
    before = sum(live.sandbox.counters.requests.values())
    assert _post(live, "contacts", big).status_code == 413
    assert sum(live.sandbox.counters.requests.values()) == before


def test_invalid_input_names_every_field_and_sends_nothing(live: LiveGateway) -> None:
    before = sum(live.sandbox.counters.requests.values())
    answer = _post(live, "journals", '{"date": "2025-13-01", "lines": [{"account_id": "a", '
                                     '"debit": "10"}, {"account_id": "b", "credit": "9"}]}')
    problem = answer.json()
    assert answer.status_code == 422
    assert problem["error"] == "ValidationError"
    assert "date" in problem["errors"]
    assert sum(live.sandbox.counters.requests.values()) == before


def test_a_provider_refusal_carries_its_request_id(live: LiveGateway) -> None:
    answer = requests.get(live.connection_url("/contacts/" + "0" * 32), headers=live.headers(),
                          timeout=30)
    problem = answer.json()
    assert answer.status_code == 404
    assert problem["provider_request_id"]
    assert problem["request_id"] == answer.headers["X-Request-Id"]
    assert problem["retryable"] is False


def test_an_unreachable_provider_answers_503_retryable(live: LiveGateway) -> None:
    live.sandbox.queue_fault("error_503", count=10, path_contains="/contacts")
    try:
        answer = requests.get(live.connection_url("/contacts"), headers=live.headers(),
                              timeout=30)
    finally:
        live.sandbox.clear_faults()
    assert answer.status_code == 503
    assert answer.json()["retryable"] is True
    assert answer.json()["error"] == "ProviderUnavailableError"


def test_a_connection_that_needs_authorizing_again_answers_409(live: LiveGateway) -> None:
    # An expired access token and a refresh token the provider no longer knows.
    lapsed = TokenSet(access_token=Secret("lapsed"), refresh_token=Secret("forgotten"),
                      expires_at=datetime.now(UTC) - timedelta(minutes=1))
    live.store.save("acme:stale", lapsed, provider="sage", client_id=live.sandbox.client_id)
    answer = requests.get(f"{live.url}/v1/connections/stale/contacts", headers=live.headers(),
                          timeout=30)
    assert answer.status_code == 409, answer.text
    assert answer.json()["type"] == "/docs#problem-reauthorization-required"


def test_a_slow_provider_answers_504_within_the_time_limit(live: LiveGateway,
                                                             tmp_path: Path) -> None:
    config = gateway_config(tmp_path, live.sandbox, live.store, request_timeout=0.5,
                            database=live.config.database)
    live.sandbox.queue_fault("latency", count=1, path_contains="/contacts", latency=2.0)
    try:
        with running(config) as url:
            answer = requests.get(f"{url}/v1/connections/books/contacts", timeout=30,
                                  headers=live.headers())
    finally:
        live.sandbox.clear_faults()
    assert answer.status_code == 504
    assert answer.elapsed.total_seconds() < 1.9
    assert answer.json()["retryable"] is True


def test_unknown_routes_and_methods_answer_problems(live: LiveGateway) -> None:
    missing = requests.get(f"{live.url}/v2/nothing", timeout=10)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = requests.put(live.connection_url("/contacts"), headers=live.headers(), timeout=10)
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]


def test_health_and_readiness(live: LiveGateway) -> None:
    assert requests.get(f"{live.url}/healthz", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{live.url}/readyz", timeout=10).json() == {"status": "ready"}


def test_a_damaged_token_store_answers_503_without_naming_its_file(
    live: LiveGateway, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "secret-folder" / "tokens.sqlite3"
    store = SQLiteTokenStore(path)
    store.close()
    path.write_bytes(b"this is not a database" * 100)  # a bad restore, say
    config = gateway_config(tmp_path, live.sandbox, store, database=live.config.database)
    with caplog.at_level(logging.ERROR, logger="unified_accounting.gateway"), \
            running(config) as url:
        answer = requests.get(f"{url}/v1/connections/books/contacts", timeout=30,
                              headers=live.headers())
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body["type"] == "/docs#problem-store-unavailable"
    assert body["error"] == "StoreUnavailableError"
    assert "secret-folder" not in answer.text
    # The operator still learns which file failed.
    assert any(str(path) in record.getMessage() for record in caplog.records)
