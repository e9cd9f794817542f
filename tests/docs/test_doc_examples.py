"""Every Python example in README.md and docs/*.md runs, page by page, against the Sage sandbox.

The examples are written for a real Sage account: they name Sage's own hosts, a connection
called ``acme`` in the default token store, and the client secret in the environment. The
fixture gives them exactly that: a sandbox answering Sage's hosts (its ``register`` face, with
loopback traffic passed through), the connection ``acme`` authorized through the sandbox's
OAuth code flow into a SQLite store in a temporary home, and a temporary working directory.
docs/sandbox.md starts its own sandboxes and runs without that setup.

Three pages have their own tests (listed in :data:`RUN_ELSEWHERE`); a block of any page may
be skipped with a ``<!-- not-run: reason -->`` line right before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:^<!--\s*([^\n]*?)\s*-->\n)?^```python\n(.*?)^```", re.M | re.S)
NOT_RUN = "not-run:"
RUN_ELSEWHERE = {
    "docs/models.md": "tests/unit/test_models_docs.py",
    "docs/providers.md": "tests/unit/test_docs_providers.py",
    "docs/sage.md": "tests/adapters/sage/test_docs_sage.py",
}
# A block whose comment starts so is run by the test the comment names (docs/sync.md's by
# tests/unit/test_sync_docs.py, docs/scaling.md's by tests/integration/test_sync_jobs.py).
MARKED_ELSEWHERE = "this example runs as a test"
OWN_SANDBOX = {"docs/sandbox.md"}
CONNECTION = "acme"
REDIRECT_URI = "https://app.example.com/oauth/sage/callback"


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def runnable_blocks(page: Path) -> list[str]:
    """The page's Python blocks that this test runs, in order."""
    found = []
    for comment, source in BLOCK.findall(page.read_text(encoding="utf-8")):
        if comment.startswith(NOT_RUN) or comment.startswith(MARKED_ELSEWHERE):
            continue
        found.append(source)
    return found


PAGES_RUN_HERE = [p for p in PAGES if _name(p) not in RUN_ELSEWHERE and runnable_blocks(p)]


def _add_an_invoice(client: ua.Client) -> None:
    """Give the business a customer and an open invoice, as a real one has, to sync and read."""
    customer = client.contacts.create(ua.Contact(name="Docs Ltd", is_customer=True))
    sales = next(a for a in client.ledger_accounts.list() if a.code == "4000")
    client.invoices.create(ua.Invoice(
        type="sales", contact_id=customer.id or "", issue_date=date.today(),
        lines=[ua.InvoiceLine(description="Support", quantity=Decimal("1"),
                              unit_price=Decimal("10.00"), account_id=sales.id,
                              tax_code="standard")]))


@pytest.fixture
def sage_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Names the examples use, with the sandbox standing in for Sage's hosts."""
    monkeypatch.chdir(tmp_path)
    for variable in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / "home"))
    monkeypatch.delenv("UNIFIED_ACCOUNTING_TOKEN_STORE", raising=False)
    sandbox = SageSandbox(seed=3)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(re.compile(r"http://127\.0\.0\.1(:\d+)?/"))
        sandbox.register(mock)
        monkeypatch.setenv("UNIFIED_ACCOUNTING_CLIENT_SECRET", sandbox.client_secret)
        with sandbox.connect(token_store=ua.SQLiteTokenStore(), connection=CONNECTION) as gb:
            _add_an_invoice(gb)
        names: dict[str, Any] = {
            "CLIENT_ID": sandbox.client_id,
            "CLIENT_SECRET": sandbox.client_secret,
            "BUSINESS_ID": sandbox.business_id("GB"),
            "tenant_id": CONNECTION,
            "clients": [sandbox.connect(country=c) for c in ("GB", "FR")],
        }

        def redirect_user_to(url: str) -> None:
            # The user's browser: Sage shows its consent page and redirects to the callback.
            reply = requests.get(url, allow_redirects=False, timeout=10)
            assert reply.status_code == 302, reply.text
            names["callback_url"] = reply.headers["Location"]

        names["redirect_user_to"] = redirect_user_to
        yield names
        for client in names["clients"]:
            client.close()
    sandbox.stop()


@pytest.mark.parametrize("page", PAGES_RUN_HERE, ids=_name)
def test_page_examples_run_in_order(page: Path, request: pytest.FixtureRequest,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if _name(page) in OWN_SANDBOX:
        monkeypatch.chdir(tmp_path)
        namespace: dict[str, Any] = {}
    else:
        namespace = request.getfixturevalue("sage_account")
    namespace["__name__"] = f"docs_{page.stem}"
    for number, source in enumerate(runnable_blocks(page), start=1):
        code = compile(source, f"{_name(page)} (python block {number})", "exec")
        exec(code, namespace)  # noqa: S102 - our own documentation


def test_every_python_block_is_run_somewhere_or_says_why_not() -> None:
    for page in PAGES:
        blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
        for comment, _ in blocks:
            if comment.startswith(NOT_RUN):
                assert comment.removeprefix(NOT_RUN).strip(), f"{_name(page)}: give a reason"
        if blocks and _name(page) in RUN_ELSEWHERE:
            assert (ROOT / RUN_ELSEWHERE[_name(page)]).exists()
        elif blocks:
            assert page in PAGES_RUN_HERE or all(
                c.startswith((NOT_RUN, MARKED_ELSEWHERE)) for c, _ in blocks)
    assert {_name(p) for p in PAGES_RUN_HERE} >= {"README.md", "docs/connections.md"}
    assert sum(len(runnable_blocks(p)) for p in PAGES_RUN_HERE) >= 11
