"""The connect page for a provider that logs in without OAuth (Sage v2.0, South Africa).

The page shows a form of the fields the provider declares; a real headless Chromium fills it
in against the v2 sandbox, and the login is tried once and stored under ``tenant:connection``.
A refused login stores nothing; a post without the page's CSRF token is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from unified_accounting_sage_za.sandbox import SageZASandbox

from unified_accounting.gateway.apikeys import ApiKeys
from unified_accounting.gateway.config import GatewayConfig
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.gateway.server import running
from unified_accounting.tokens import SQLiteTokenStore

from .browser import chromium_page

TENANT = "acme"


@dataclass
class LoginGateway:
    url: str
    sandbox: SageZASandbox
    store: SQLiteTokenStore
    key: str

    def link(self, connection: str) -> str:
        answer = requests.post(f"{self.url}/v1/connect_links",
                               headers={"Authorization": f"Bearer {self.key}"},
                               json={"provider": "sage_za", "connection": connection},
                               timeout=30)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["url"])


@pytest.fixture(scope="module")
def za_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoginGateway]:
    folder = tmp_path_factory.mktemp("gateway-za")
    with SageZASandbox(seed=5).running() as sandbox:
        store = SQLiteTokenStore(folder / "tokens.sqlite3")
        config = GatewayConfig(database=folder / "gateway.sqlite3", token_store=store,
                               provider_settings={"sage_za": sandbox.settings()})
        _, key = ApiKeys(GatewayDatabase(config.database)).create(TENANT, name="tests")
        with running(config) as url:
            yield LoginGateway(url, sandbox, store, key)
        store.close()


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r"<input type=hidden name=(\w+) value='([^']*)'>", html))


def test_the_page_asks_for_the_declared_fields_and_shows_no_value(za_live: LoginGateway) -> None:
    page = requests.get(za_live.link("shown"), timeout=30)
    assert page.status_code == 200
    for name in ("username", "password", "api_key"):
        assert f"name=login_{name} " in page.text
    assert "type=password id=f_password" in page.text
    assert "csrf" in _hidden(page.text)
    for value in za_live.sandbox.credentials.values():
        assert value not in page.text


def test_a_post_without_the_pages_csrf_token_stores_nothing(za_live: LoginGateway) -> None:
    session = requests.Session()
    page = session.get(za_live.link("forged"), timeout=30)
    fields = {**_hidden(page.text), "csrf": "0" * 64,
              **{f"login_{k}": v for k, v in za_live.sandbox.credentials.items()}}
    answer = session.post(page.url.split("?")[0], data=fields, timeout=30)
    assert answer.status_code == 403
    assert za_live.store.describe(f"{TENANT}:forged") is None


def test_a_refused_login_stores_nothing_and_echoes_nothing(za_live: LoginGateway) -> None:
    session = requests.Session()
    page = session.get(za_live.link("wrong"), timeout=30)
    login = {**za_live.sandbox.credentials, "password": "not-the-password-1234"}
    fields = {**_hidden(page.text), **{f"login_{k}": v for k, v in login.items()}}
    answer = session.post(page.url.split("?")[0], data=fields, timeout=30)
    assert answer.status_code == 401
    assert "refused the login; nothing was stored" in answer.text
    assert "not-the-password-1234" not in answer.text
    assert za_live.store.describe(f"{TENANT}:wrong") is None


def test_a_browser_connects_books_with_a_login(za_live: LoginGateway, tmp_path: Path) -> None:
    images = Path(os.environ.get("UA_SCREENSHOT_DIR") or tmp_path)
    login = za_live.sandbox.credentials
    with chromium_page() as page:
        page.goto(za_live.link("books"))
        assert page.title() == "Connect Sage Accounting (South Africa)"
        for name, value in login.items():
            page.fill(f"#f_{name}", value)
        page.screenshot(path=str(images / "gateway-connect-login.png"))
        with page.expect_navigation():
            page.click("#connect")
        connected = page.locator("#connected").inner_text()
        assert connected.startswith("Your Sage Accounting (South Africa) books")
        shown = page.locator("ul.businesses li").all_inner_texts()
    assert (images / "gateway-connect-login.png").read_bytes().startswith(b"\x89PNG")
    info = za_live.store.describe(f"{TENANT}:books")
    assert info is not None
    assert info.provider == "sage_za"
    assert info.business_ids == (za_live.sandbox.company_id,)
    assert len(shown) == 1
    answer = requests.get(f"{za_live.url}/v1/connections/books/tax_rates",
                          params={"business_id": za_live.sandbox.company_id},
                          headers={"Authorization": f"Bearer {za_live.key}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    rates = {item["rate"] for item in answer.json()["items"]}
    assert "15.00" in rates or "15" in rates or "15.0" in rates, rates
