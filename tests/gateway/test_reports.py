"""``GET /v1/connections/{c}/reports/trial_balance`` and ``/ledger_entries`` through the
gateway, against the Sage sandbox."""

from __future__ import annotations

from typing import Any

import requests

from unified_accounting.gateway.openapi import openapi_document

from .conftest import LiveGateway


def _get(live: LiveGateway, suffix: str, **params: str) -> requests.Response:
    return requests.get(live.connection_url(suffix), headers=live.headers(), params=params,
                        timeout=30)


def _post(live: LiveGateway, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(live.connection_url(f"/{resource}"), headers=live.headers(),
                           json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def test_the_trial_balance_of_a_journal_over_http(live: LiveGateway) -> None:
    wages = live.sandbox.ledger_account_id("GB", 7000)
    accruals = live.sandbox.ledger_account_id("GB", 2109)
    _post(live, "journals", {"date": "2025-02-28", "reference": "GW-TB", "lines": [
        {"account_id": wages, "debit": "1234.56"}, {"account_id": accruals,
                                                     "credit": "1234.56"}]})
    answer = _get(live, "/reports/trial_balance", as_of="2025-02-28")
    assert answer.status_code == 200, answer.text
    balance = answer.json()
    assert (balance["as_of"], balance["total_debit"], balance["total_credit"]) == (
        "2025-02-28", "1234.56", "1234.56")
    assert {(line["code"], line["debit"], line["credit"]) for line in balance["lines"]} == {
        ("2109", "0.00", "1234.56"), ("7000", "1234.56", "0.00")}
    entries = _get(live, "/ledger_entries", to_date="2025-02-28", limit="10").json()
    assert sorted(e["ledger_account_id"] for e in entries["items"]) == sorted([wages, accruals])
    refused = requests.post(live.connection_url("/ledger_entries"), headers=live.headers(),
                            json={}, timeout=30)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET"


def test_a_missing_or_malformed_date_is_refused(live: LiveGateway) -> None:
    missing = _get(live, "/reports/trial_balance")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"as_of": ["is required"]}
    malformed = _get(live, "/reports/trial_balance", as_of="31/03/2025")
    assert malformed.status_code == 422
    assert malformed.json()["errors"] == {"as_of": ["must be a date (YYYY-MM-DD)"]}
    anonymous = requests.get(live.connection_url("/reports/trial_balance"),
                             params={"as_of": "2025-03-31"}, timeout=30)
    assert anonymous.status_code == 401


def test_the_report_is_described_in_the_openapi_document() -> None:
    path = openapi_document()["paths"]["/v1/connections/{connection}/reports/trial_balance"]
    ok = path["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/TrialBalance"}
    assert [p["name"] for p in path["get"]["parameters"]] == ["as_of", "business_id"]
