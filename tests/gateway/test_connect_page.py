"""The connect page over plain HTTP: signed links, CSRF, the OAuth round trip, tenant binding."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests

from .conftest import LiveGateway


def connect_link(live: LiveGateway, connection: str, key: str | None = None) -> str:
    """A signed connect link for ``connection`` of the key's tenant."""
    answer = requests.post(f"{live.url}/v1/connect_links", headers=live.headers(key),
                           json={"provider": "sage", "connection": connection}, timeout=30)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["url"])


def _form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r"<input type=hidden name=(\w+) value='([^']*)'>", html))


def test_the_whole_flow_stores_the_connection_under_the_tenant(live: LiveGateway) -> None:
    browser = requests.Session()
    page = browser.get(connect_link(live, "web"), timeout=30)
    assert page.status_code == 200
    assert "Connect Sage" in page.text
    done = browser.post(page.url, data=_form_fields(page.text), timeout=30)
    assert done.status_code == 200, done.text
    assert "are connected" in done.text
    info = live.store.describe("acme:web")
    assert info is not None
    assert info.provider == "sage"
    assert info.business_ids[0] == live.sandbox.lead_business_id
    shown = requests.get(f"{live.url}/v1/connections/web", headers=live.headers(), timeout=30)
    assert shown.json()["business_ids"] == list(info.business_ids)
    contacts = requests.get(f"{live.url}/v1/connections/web/contacts", headers=live.headers(),
                            timeout=30)
    assert contacts.status_code == 200


def test_an_altered_or_unsigned_link_is_refused(live: LiveGateway) -> None:
    link = connect_link(live, "web2")
    altered = link.replace("tenant=acme", "tenant=globex")
    assert requests.get(altered, timeout=30).status_code == 403
    bare = link.split("&signature=")[0]
    assert requests.get(bare, timeout=30).status_code == 403


def test_a_form_posted_without_the_pages_cookie_is_refused(live: LiveGateway) -> None:
    page = requests.get(connect_link(live, "web3"), timeout=30)
    forged = requests.post(page.url, data=_form_fields(page.text), timeout=30,
                           allow_redirects=False)
    assert forged.status_code == 403
    assert live.store.describe("acme:web3") is None


def test_a_callback_in_another_browser_connects_nothing(live: LiveGateway) -> None:
    browser = requests.Session()
    page = browser.get(connect_link(live, "web4"), timeout=30)
    to_provider = browser.post(page.url, data=_form_fields(page.text), timeout=30,
                               allow_redirects=False)
    assert to_provider.status_code == 303
    consent = requests.get(to_provider.headers["location"], allow_redirects=False, timeout=30)
    callback = consent.headers["location"]
    assert parse_qs(urlsplit(callback).query)["state"]
    stranger = requests.get(callback, timeout=30)
    assert stranger.status_code == 400
    assert live.store.describe("acme:web4") is None
