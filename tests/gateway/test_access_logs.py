"""One JSON access-log line per request, with its request id, and never a secret."""

from __future__ import annotations

import json
import logging

import pytest
import requests

from .conftest import CONNECTION, LiveGateway


def test_access_lines_carry_ids_and_no_secret(live: LiveGateway,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {**live.headers(), "X-Request-Id": "trace-0001-abcd"}
    requests.get(live.connection_url("/contacts?limit=1"), headers=headers, timeout=30)
    requests.post(live.connection_url("/contacts"), headers=live.headers(), timeout=30,
                  json={"name": "Logged Ltd", "is_customer": True})
    requests.get(f"{live.url}/v1/connections", headers={"Authorization": "Bearer wrong"},
                 timeout=30)
    lines = [json.loads(record.getMessage()) for record in caplog.records
             if record.name == "unified_accounting.gateway.access"]
    assert {line["status"] for line in lines} >= {200, 201, 401}
    traced = next(line for line in lines if line["request_id"] == "trace-0001-abcd")
    assert traced["path"] == f"/v1/connections/{CONNECTION}/contacts"  # the query is left out
    assert traced["tenant"] == "acme"
    text = caplog.text
    secrets = [live.key, live.other_key, live.sandbox.client_secret,
               *live.sandbox.issued_secrets()]
    assert not [secret for secret in secrets if secret in text]
