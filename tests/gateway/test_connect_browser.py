"""The connect page in a real headless Chromium, through the sandbox's authorize page.

Screenshots go to the test's temporary folder, or to ``UA_SCREENSHOT_DIR`` when set: the
images in ``docs/img/`` come from ``UA_SCREENSHOT_DIR=docs/img pytest tests/gateway -k browser``.
"""

from __future__ import annotations

import os
from pathlib import Path

import requests

from .browser import chromium_page
from .conftest import LiveGateway
from .test_connect_page import connect_link


def test_a_browser_connects_books_through_the_sandbox(live: LiveGateway,
                                                       tmp_path: Path) -> None:
    images = Path(os.environ.get("UA_SCREENSHOT_DIR") or tmp_path)
    link = connect_link(live, "browser")
    with chromium_page() as page:
        page.goto(link)
        assert page.title() == "Connect Sage"
        page.screenshot(path=str(images / "gateway-connect.png"))
        with page.expect_navigation(url="**/oauth/callback**"):
            page.click("#connect")
        assert page.locator("#connected").inner_text().startswith("Your Sage books")
        shown = page.locator("ul.businesses li").all_inner_texts()
        page.screenshot(path=str(images / "gateway-connected.png"))
        page.goto(link.replace("signature=", "signature=0"))
        assert "cannot be used" in page.locator("h1").inner_text()
        page.screenshot(path=str(images / "gateway-refused.png"))
    for name in ("gateway-connect.png", "gateway-connected.png", "gateway-refused.png"):
        assert (images / name).read_bytes().startswith(b"\x89PNG")
    info = live.store.describe("acme:browser")
    assert info is not None
    lead = live.sandbox.lead_business_id
    assert info.business_ids[0] == lead
    assert any("(main business)" in text for text in shown)
    assert len(shown) == len(info.business_ids)
    answer = requests.get(f"{live.url}/v1/connections/browser/businesses",
                          headers=live.headers(), timeout=30)
    assert {item["id"] for item in answer.json()["items"]} == set(info.business_ids)
