"""Tenants, connections, cursors and the proxy."""

from __future__ import annotations

import uuid

import requests

from .conftest import CONNECTION, LiveGateway, authorize


def _get(live: LiveGateway, path: str, key: str | None = None) -> requests.Response:
    return requests.get(live.url + path, headers=live.headers(key), timeout=30)


def test_a_key_lists_only_its_tenants_connections(live: LiveGateway) -> None:
    authorize(live.sandbox, live.store, "globex", "ledger")
    mine = {item["name"] for item in _get(live, "/v1/connections").json()["items"]}
    theirs = _get(live, "/v1/connections", live.other_key).json()["items"]
    assert CONNECTION in mine
    assert "ledger" not in mine
    assert [item["name"] for item in theirs] == ["ledger"]
    assert all("token" not in str(item).lower() for item in theirs)


def test_another_tenants_connection_answers_404_on_every_route(live: LiveGateway) -> None:
    authorize(live.sandbox, live.store, "globex", "private")
    for path in ("", "/contacts", "/contacts/abc", "/proxy/financial_settings"):
        answer = _get(live, f"/v1/connections/private{path}")
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["detail"] == "no connection named 'private'"
    refused = requests.delete(f"{live.url}/v1/connections/private", headers=live.headers(),
                              timeout=30)
    assert refused.status_code == 404
    assert live.store.describe("globex:private") is not None


def test_revoking_a_connection_revokes_it_at_the_provider(live: LiveGateway) -> None:
    authorize(live.sandbox, live.store, "acme", "closing")
    assert _get(live, "/v1/connections/closing/contacts").status_code == 200
    answer = requests.delete(f"{live.url}/v1/connections/closing", headers=live.headers(),
                             timeout=30)
    assert answer.status_code == 204
    assert live.store.describe("acme:closing") is None
    assert _get(live, "/v1/connections/closing/contacts").status_code == 404


def test_a_connection_shows_its_capabilities(live: LiveGateway) -> None:
    shown = _get(live, f"/v1/connections/{CONNECTION}").json()
    assert shown["provider"] == "sage"
    assert "update" not in shown["capabilities"]["journals"]["operations"]
    assert "updated_since" in shown["capabilities"]["contacts"]["filters"]


def test_a_cursor_keeps_the_query_and_refuses_changes(live: LiveGateway) -> None:
    for index in range(3):
        requests.post(live.connection_url("/contacts"), headers=live.headers(), timeout=30,
                      json={"name": f"Cursor {index}", "is_supplier": True})
    first = _get(live, f"/v1/connections/{CONNECTION}/contacts?limit=1&contact_type=supplier")
    page = first.json()
    assert first.headers["Link"] == f'<{page["next"]}>; rel="next"'
    second = requests.get(live.url + page["next"], headers=live.headers(), timeout=30).json()
    assert all(item["is_supplier"] for item in second["items"])
    assert second["items"][0]["id"] != page["items"][0]["id"]
    cursor = page["next"].split("cursor=", 1)[1]
    tampered = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    bad = _get(live, f"/v1/connections/{CONNECTION}/contacts?cursor={tampered}")
    assert bad.status_code == 422
    assert "cursor" in bad.json()["errors"]
    mixed = _get(live, f"/v1/connections/{CONNECTION}/contacts?cursor={cursor}&limit=5")
    assert mixed.status_code == 400


def test_the_limit_is_at_most_200(live: LiveGateway) -> None:
    answer = _get(live, f"/v1/connections/{CONNECTION}/contacts?limit=201")
    assert answer.status_code == 422
    assert "limit" in answer.json()["errors"]


def test_the_proxy_passes_requests_and_answers_through(live: LiveGateway) -> None:
    answer = _get(live, f"/v1/connections/{CONNECTION}/proxy/financial_settings")
    assert answer.status_code == 200, answer.text
    assert "base_currency" in answer.json()
    missing = _get(live, f"/v1/connections/{CONNECTION}/proxy/contacts/{'0' * 32}")
    assert missing.status_code == 404
    assert isinstance(missing.json(), list)  # Sage's own error body, unchanged
    assert missing.headers["Provider-Request-Id"]


def test_a_proxied_write_with_one_idempotency_key_creates_once(live: LiveGateway) -> None:
    url = live.connection_url("/proxy/contacts")
    headers = {**live.headers(), "Idempotency-Key": uuid.uuid4().hex}
    body = {"contact": {"name": "Proxy Ltd", "contact_type_ids": ["CUSTOMER"]}}
    first = requests.post(url, json=body, headers=headers, timeout=30)
    again = requests.post(url, json=body, headers=headers, timeout=30)
    assert first.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]


def test_the_callers_api_key_never_reaches_the_provider(live: LiveGateway) -> None:
    seen: list[str] = []
    original = live.sandbox.core.handle

    def spy(request: object) -> object:
        seen.append(str(getattr(request, "headers", {})))
        return original(request)  # type: ignore[arg-type]

    live.sandbox.core.handle = spy  # type: ignore[method-assign]
    try:
        _get(live, f"/v1/connections/{CONNECTION}/proxy/financial_settings")
    finally:
        live.sandbox.core.handle = original  # type: ignore[method-assign]
    assert seen
    assert all(live.key not in headers for headers in seen)
