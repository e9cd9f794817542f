"""SQLite persistence, the responses face, the CLI, seed data and the money arithmetic."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import responses
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from unified_accounting_sage.cli import sandbox as sandbox_cli
from unified_accounting_sage.sandbox import SageSandbox
from unified_accounting_sage.sandbox.amounts import line_amounts, payment_status

from .conftest import START


def test_sqlite_file_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.sqlite3")
    with SageSandbox.running(db_path=db, start_time=START) as sb:
        tokens = sb.issue_tokens()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = requests.post(sb.base_url + "/contacts", headers=headers, timeout=10, json={
            "contact": {"name": "Durable", "contact_type_ids": ["CUSTOMER"],
                        "reference": "DUR1"}}).json()
        requests.delete(sb.base_url + f"/contacts/{created['id']}", headers=headers, timeout=10)
        kept = requests.post(sb.base_url + "/contacts", headers=headers, timeout=10, json={
            "contact": {"name": "Kept", "contact_type_ids": ["CUSTOMER"]}}).json()
    with SageSandbox.running(db_path=db, start_time=START) as again:
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        listed = requests.get(again.base_url + "/contacts", headers=headers, timeout=10).json()
        assert [item["id"] for item in listed["$items"]] == [kept["id"]]
        deleted = requests.get(again.base_url + "/contacts", headers=headers, timeout=10,
                               params={"deleted_since": "2000-01-01T00:00:00Z"}).json()
        assert deleted["$items"][0]["id"] == created["id"]
        refreshed = requests.post(again.oauth_token_url, timeout=10, data={
            "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": again.client_id, "client_secret": again.client_secret})
        assert refreshed.status_code == 200
        assert again.record_counts()["GB"]["tax_rates"] == 5  # seeded once, not twice


def test_responses_face_answers_sage_urls_without_a_server() -> None:
    sb = SageSandbox(seed=1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        sb.register(mock)
        assert sb.settings["base_url"] == "https://api.accounting.sage.com/v3.1"
        tokens = sb.issue_tokens()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        reply = requests.post(sb.base_url + "/contacts", headers=headers, timeout=10,
                              json={"contact": {"name": "Mocked",
                                                "contact_type_ids": ["VENDOR"]}})
        assert reply.status_code == 201
        assert reply.headers["X-Business"] == sb.business_id("GB")
        assert len(reply.headers["x-request-id"]) == 32
        sb.queue_fault("drop_after_commit")
        with pytest.raises(requests.ConnectionError):
            requests.post(sb.base_url + "/contacts", headers=headers, timeout=10,
                          json={"contact": {"name": "Lost reply",
                                            "contact_type_ids": ["VENDOR"]}})
        listed = requests.get(sb.base_url + "/contacts", headers=headers, timeout=10).json()
        assert listed["$total"] == 2
    assert sb.counters.requests["POST /contacts"] == 2


def test_cli_serve_prints_urls_and_credentials_and_serves() -> None:
    command = [sys.executable, "-c", "from unified_accounting.cli import main; main()",
               "sandbox", "serve", "--port", "0", "--seed", "5", "--access-token-ttl", "120",
               "--rate-limit", "business_per_minute=1000", "--fault-rate", "error_503=0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        printed = dict(process.stdout.readline().split(":", 1) for _ in range(6))
        values = {key.strip(): value.strip() for key, value in printed.items()}
        assert values["base_url"].endswith("/v3.1")
        assert values["token_url"].endswith("/token")
        code_reply = requests.get(values["authorize_url"], allow_redirects=False, timeout=10,
                                  params={"response_type": "code", "redirect_uri": "http://x/cb",
                                          "client_id": values["client_id"]})
        assert code_reply.status_code == 302
        token = requests.post(values["token_url"], timeout=10, data={
            "grant_type": "authorization_code", "redirect_uri": "http://x/cb",
            "code": code_reply.headers["Location"].split("code=")[1].split("&")[0]
            .replace("%2F", "/"),
            "client_id": values["client_id"], "client_secret": values["client_secret"]})
        assert token.json()["expires_in"] == 120
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_rejects_unknown_limits() -> None:
    result = CliRunner().invoke(sandbox_cli, ["serve", "--rate-limit", "per_week=1"])
    assert result.exit_code != 0
    assert "per_week" in result.output


def test_unknown_options_are_refused() -> None:
    with pytest.raises(ValueError, match="bogus"):
        SageSandbox(bogus=1)
    with pytest.raises(ValueError, match="country"):
        SageSandbox(lead_country="ZA")


EXPECTED_RATES = {
    "GB": {"GB_STANDARD": "20.0", "GB_LOWER": "5.0", "GB_ZERO": "0.0", "GB_EXEMPT": "0.0",
           "GB_NO_TAX": "0.0"},
    "IE": {"23.0", "13.5", "9.0", "4.8", "0.0"},
    "FR": {"20.0", "10.0", "5.5", "2.1"},
    "ES": {"21.0", "10.0", "4.0"},
    "DE": {"19.0", "7.0"},
    "CA": {"5.0", "13.0", "15.0", "9.975", "7.0"},
}


@pytest.mark.parametrize("country", ["GB", "IE", "US", "CA", "FR", "ES", "DE"])
def test_seeded_business_per_country(country: str) -> None:
    with SageSandbox.running(seed=2) as sb:
        token = sb.issue_tokens()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "X-Business": sb.business_id(country)}

        def items(path: str) -> list[dict[str, object]]:
            reply = requests.get(sb.base_url + path, headers=headers, timeout=10,
                                 params={"attributes": "all", "items_per_page": 200})
            result: list[dict[str, object]] = reply.json()["$items"]
            return result

        rates = {str(item["id"]): str(item["percentage"]) for item in items("/tax_rates")}
        expected = EXPECTED_RATES.get(country)
        if isinstance(expected, dict):
            assert rates == expected
        elif expected is not None:
            assert expected <= set(rates.values())
        else:  # US rates are user-defined records with components
            combined = [item for item in items("/tax_rates") if item["is_combined_rate"]]
            assert combined
            assert all(len(str(item["id"])) == 32 for item in combined)
        codes = {item["nominal_code"] for item in items("/ledger_accounts")}
        types = {item["ledger_account_type"]["id"]  # type: ignore[index]
                 for item in items("/ledger_accounts")}
        assert {"SALES", "BANK", "CURRENT_ASSETS", "CURRENT_LIABILITY"} <= types
        if country == "GB":
            assert {1100, 1200, 2100, 2200, 2201, 4000, 5000, 7900, 9999} <= codes
        currency = requests.get(sb.base_url + "/financial_settings", headers=headers,
                                timeout=10).json()["base_currency"]["id"]
        assert currency == {"GB": "GBP", "US": "USD", "CA": "CAD"}.get(country, "EUR")


def test_gb_tax_rate_labels_follow_sage() -> None:
    with SageSandbox.running() as sb:
        token = sb.issue_tokens()["access_token"]
        reply = requests.get(sb.base_url + "/tax_rates/GB_LOWER", timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
        assert reply.json()["displayed_as"] == "Lower Rate 5.00%"


@given(quantity=st.decimals("0", "1000", places=2), price=st.decimals("0", "10000", places=2),
       rate=st.sampled_from([Decimal(0), Decimal(5), Decimal("13.5"), Decimal("9.975"),
                             Decimal(20)]))
def test_line_amounts_add_up_exactly(quantity: Decimal, price: Decimal, rate: Decimal) -> None:
    amounts = line_amounts(quantity, price, rate)
    assert amounts.total == amounts.net + amounts.tax
    assert amounts.net == amounts.net.quantize(Decimal("0.01"))
    assert abs(amounts.tax - amounts.net * rate / 100) <= Decimal("0.005")


def test_tax_inclusive_price_and_status() -> None:
    amounts = line_amounts(Decimal(1), Decimal("120.00"), Decimal(20), includes_tax=True)
    assert (amounts.net, amounts.tax, amounts.total) == (Decimal("100.00"), Decimal("20.00"),
                                                         Decimal("120.00"))
    assert payment_status(Decimal(10), Decimal(10)) == "UNPAID"
    assert payment_status(Decimal(10), Decimal(4)) == "PART_PAID"
    assert payment_status(Decimal(10), Decimal(0)) == "PAID"
