"""Fixtures: a running sandbox with a frozen clock, and a small client over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from unified_accounting_sage.sandbox import SageSandbox

START = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)


class Api:
    """Plain ``requests`` against the sandbox, with a bearer token and optional business."""

    def __init__(self, sb: SageSandbox, access_token: str) -> None:
        self.sb = sb
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {access_token}"
        self.business: str | None = None

    def renew(self) -> None:
        """Fetch a fresh access token (after the clock moved past its expiry)."""
        token = self.sb.issue_tokens()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.business and "X-Business" not in headers:
            headers["X-Business"] = self.business
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.sb.base_url + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create(self, collection: str, wrapper: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.post(f"/{collection}", {wrapper: body})
        assert reply.status_code == 201, reply.text
        result: dict[str, Any] = reply.json()
        return result

    def contact(self, name: str = "Acme Ltd", kind: str = "CUSTOMER",
                **extra: Any) -> dict[str, Any]:
        body = {"name": name, "contact_type_ids": [kind], **extra}
        return self.create("contacts", "contact", body)

    def sales_invoice(self, contact_id: str, lines: list[dict[str, Any]] | None = None,
                      **extra: Any) -> dict[str, Any]:
        body = {"contact_id": contact_id, "date": "2025-03-01",
                "invoice_lines": lines or [self.line()], **extra}
        return self.create("sales_invoices", "sales_invoice", body)

    def line(self, unit_price: str = "100.00", quantity: str = "1",
             rate: str | None = "GB_STANDARD", code: int = 4000,
             **extra: Any) -> dict[str, Any]:
        country = "GB"
        if self.business:
            country = next(c for c in self.sb.options.countries
                           if self.sb.business_id(c) == self.business)
        return {"description": "Consulting", "quantity": quantity, "unit_price": unit_price,
                "ledger_account_id": self.sb.ledger_account_id(country, code),
                "tax_rate_id": rate, **extra}


@pytest.fixture
def sb() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=7, start_time=START) as sandbox:
        yield sandbox


@pytest.fixture
def api(sb: SageSandbox) -> Api:
    return Api(sb, sb.issue_tokens()["access_token"])
