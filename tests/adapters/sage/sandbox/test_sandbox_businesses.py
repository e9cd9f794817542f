"""Businesses, lead business, X-Business routing and response headers."""

from __future__ import annotations

import requests
from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Api

COUNTRIES = ["GB", "IE", "US", "CA", "FR", "ES", "DE"]


def test_user_has_one_business_per_country_with_gb_as_lead(sb: SageSandbox, api: Api) -> None:
    reply = api.get("/businesses")
    body = reply.json()
    assert body["$total"] == 7
    assert body["$items_per_page"] == 2147483647  # the user service's own envelope key
    assert "$itemsPerPage" not in body
    assert [item["country"]["id"] for item in body["$items"]] == COUNTRIES
    assert [item["id"] for item in body["$items"]] == [sb.business_id(c) for c in COUNTRIES]
    assert api.get("/businesses/lead").json()["id"] == sb.business_id("GB")
    assert "X-Business" not in reply.headers


def test_business_ids_are_32_hex_and_stable_for_a_seed() -> None:
    with SageSandbox.running(seed=3) as one, SageSandbox.running(seed=3) as two:
        assert one.business_id("DE") == two.business_id("DE")
        assert len(one.business_id("DE")) == 32
        int(one.business_id("DE"), 16)
    with SageSandbox.running(seed=4) as other:
        assert other.business_id("DE") != one.business_id("DE")


def test_get_business_by_id(sb: SageSandbox, api: Api) -> None:
    body = api.get(f"/businesses/{sb.business_id('ES')}").json()
    assert body["country"]["id"] == "ES"
    assert api.get("/businesses/0123456789abcdef0123456789abcdef").status_code == 404


def test_absent_x_business_uses_the_lead_business(sb: SageSandbox, api: Api) -> None:
    reply = api.get("/financial_settings")
    assert reply.headers["X-Business"] == sb.business_id("GB")
    assert reply.json()["base_currency"]["id"] == "GBP"


def test_x_business_selects_the_business(sb: SageSandbox, api: Api) -> None:
    reply = api.get("/financial_settings", headers={"X-Business": sb.business_id("CA")})
    assert reply.headers["X-Business"] == sb.business_id("CA")
    assert reply.json()["base_currency"]["id"] == "CAD"


def test_records_are_kept_per_business(sb: SageSandbox, api: Api) -> None:
    created = api.contact("Only in France")
    api.business = sb.business_id("FR")
    assert api.get(f"/contacts/{created['id']}").status_code == 404
    assert api.get("/contacts").json()["$total"] == 0
    assert sb.record_counts()["GB"]["contacts"] == 1


def test_unknown_or_inaccessible_business_is_403(sb: SageSandbox, api: Api) -> None:
    unknown = api.get("/contacts", headers={"X-Business": "f" * 32})
    assert unknown.status_code == 403
    assert unknown.json()[0]["$severity"] == "error"
    sb.set_business_access("IE", accessible=False)
    denied = api.get("/contacts", headers={"X-Business": sb.business_id("IE")})
    assert denied.status_code == 403
    assert api.get("/businesses").json()["$total"] == 6
    sb.set_business_access("IE", accessible=True)
    assert api.get("/contacts", headers={"X-Business": sb.business_id("IE")}).status_code == 200


def test_lead_business_can_be_changed(sb: SageSandbox, api: Api) -> None:
    sb.set_lead_business("US")
    assert sb.lead_business_id == sb.business_id("US")
    assert api.get("/businesses/lead").json()["id"] == sb.business_id("US")
    reply = api.get("/financial_settings")
    assert reply.headers["X-Business"] == sb.business_id("US")
    assert reply.json()["base_currency"]["id"] == "USD"


def test_every_response_carries_a_request_id(sb: SageSandbox, api: Api) -> None:
    replies = [
        api.get("/contacts"),
        api.get("/businesses"),
        api.get("/no_such_thing"),
        requests.post(sb.oauth_token_url, data={"grant_type": "refresh_token"}, timeout=10),
        requests.get(sb.base_url + "/contacts", timeout=10),
    ]
    ids = [reply.headers["x-request-id"] for reply in replies]
    assert all(len(value) == 32 for value in ids)
    assert len(set(ids)) == len(ids)
    assert [reply.status_code for reply in replies] == [200, 200, 404, 400, 401]


def test_business_can_be_renamed(sb: SageSandbox, api: Api) -> None:
    reply = api.put("/businesses/lead", {"business": {"name": "Renamed Ltd"}})
    assert reply.status_code == 200
    assert api.get("/businesses/lead").json()["displayed_as"] == "Renamed Ltd"


def test_unknown_path_is_404_and_wrong_verb_405(api: Api) -> None:
    assert api.get("/no_such_thing").status_code == 404
    assert api.delete("/ledger_accounts").status_code == 405
