"""Connecting the Sage provider to ``responses`` for unit tests, one request at a time.

Bodies are Sage-shaped: list envelopes with ``$items``/``$next``, money as strings, and fields
the handlers do not know.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from unified_accounting_sage.provider import SageProvider

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits

from .sage_json import business, ref

BASE = "https://api.accounting.sage.com/v3.1"
BUSINESS_ID = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
TOKEN = "unit-sage-token-0123456789"


def connect(**kwargs: Any) -> ua.Client:
    """A client for ``BUSINESS_ID`` that never sleeps and has no client-side limits."""
    options: dict[str, Any] = {
        "access_token": TOKEN,
        "business_id": BUSINESS_ID,
        "sleep": lambda seconds: None,
        "jitter": lambda ceiling: 0.0,
        "limiter": LocalLimiter(RateLimits()),
    }
    options.update(kwargs)
    return ua.connect(SageProvider(), **options)


def envelope(items: list[Any], next_path: str | None = None, total: int | None = None,
             *, snake: bool = False) -> dict[str, Any]:
    """A Sage list answer."""
    size = "$items_per_page" if snake else "$itemsPerPage"
    return {"$total": len(items) if total is None else total, "$page": 1, "$next": next_path,
            "$back": None, size: 200, "$items": items, "$extra_future_key": True}


def as_text(record: Any) -> str:
    """JSON text of a record whose numbers were decoded as ``Decimal`` (written as numbers)."""
    # float() here only prints the digits back; the code under test reads them as Decimal.
    return json.dumps(record, default=float)


def query(call: Any) -> dict[str, str]:
    """The query of a recorded call, one value per name."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def body(call: Any) -> Any:
    """The JSON body of a recorded call."""
    raw = call.request.body
    return json.loads(raw.decode() if isinstance(raw, bytes) else raw)


def calls_to(rsps: responses.RequestsMock, method: str, path: str) -> list[Any]:
    """Recorded calls with this method and path (query ignored)."""
    return [c for c in rsps.calls if c.request.method == method
            and urlsplit(c.request.url).path == urlsplit(BASE + path).path]


def lookup(kind: str, *ids: str) -> dict[str, Any]:
    """An envelope of reference records."""
    return envelope([ref(kind, ident, ident.replace("_", " ").title()) for ident in ids])


def business_record(country: str = "GB") -> dict[str, Any]:
    """The connection's business in ``country``."""
    record = dict(business())
    record["id"] = BUSINESS_ID
    record["country"] = {"id": country, "displayed_as": country}
    return record


def add_business(rsps: responses.RequestsMock, country: str = "GB") -> None:
    """Answer ``GET /businesses/{BUSINESS_ID}``."""
    rsps.get(f"{BASE}/businesses/{BUSINESS_ID}", json=business_record(country))


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A ``responses`` mock that fails on any request not registered."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client(rsps: responses.RequestsMock) -> Iterator[ua.Client]:
    """A Sage client routed to ``BUSINESS_ID``."""
    connected = connect()
    yield connected
    connected.close()
