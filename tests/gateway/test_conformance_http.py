"""The conformance suite over HTTP, through the gateway, against the Sage sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import unified_accounting as ua
from unified_accounting.gateway.conformance import GatewayConformance, GatewayTarget, HttpSamples
from unified_accounting.http import LocalLimiter, RateLimits

from ..integration.sage.books import TODAY, customer, nominal_code, unique
from .conftest import CONNECTION, LiveGateway

CHANGES: dict[str, dict[str, Any]] = {
    "contacts": {"name": "Renamed Ltd"},
    "contact_persons": {"job_title": "Controller"},
    "invoices": {"notes": "Changed over HTTP"},
    "payments": {"reference": "HTTP-2"},
    "ledger_accounts": {"name": "Renamed income"},
    "tax_rates": {"name": "Renamed rate"},
}


def _records(client: ua.Client, live: LiveGateway) -> dict[str, Callable[[], dict[str, Any]]]:
    """Unified JSON (``ua.dump``) of new records; contacts they need are made directly."""
    sandbox = live.sandbox

    def account(code: int) -> str:
        return sandbox.ledger_account_id("GB", code)

    models: dict[str, Callable[[], Any]] = {
        "contacts": lambda: ua.Contact(name="Gateway Ltd", is_customer=True,
                                       reference=unique("G")),
        "contact_persons": lambda: ua.ContactPerson(contact_id=customer(client).id,
                                                    name="Pat Gateway"),
        "invoices": lambda: ua.Invoice(
            type="sales", contact_id=customer(client).id or "", issue_date=TODAY,
            status="draft", lines=[ua.InvoiceLine(description="Plan", unit_price=Decimal("9"),
                                                  account_id=account(4000))]),
        "payments": lambda: ua.Payment(
            type="customer_receipt", contact_id=customer(client).id or "", date=TODAY,
            amount=Decimal("25.00"), bank_account_id=sandbox.bank_account_id("GB")),
        "journals": lambda: ua.JournalEntry(date=date(2025, 3, 31), reference=unique("J"), lines=[
            ua.JournalLine(account_id=account(7000), debit=Decimal("80")),
            ua.JournalLine(account_id=account(2109), credit=Decimal("80"))]),
        "ledger_accounts": lambda: ua.LedgerAccount(name="Gateway income",
                                                    code=nominal_code(), type="other_income"),
    }
    return {name: (lambda make=make: ua.dump(make())) for name, make in models.items()}


class TestGatewayConformance(GatewayConformance):
    """Every HTTP contract test, for the GB business of the sandbox."""

    @pytest.fixture
    def ua_gateway(self, live: LiveGateway) -> GatewayTarget:
        return GatewayTarget(
            base_url=live.url, api_key=live.key, connection=CONNECTION,
            provider_requests=lambda: sum(live.sandbox.counters.requests.values()),
            foreign_api_key=live.other_key)

    @pytest.fixture
    def direct_client(self, live: LiveGateway) -> Iterator[ua.Client]:
        client = ua.connect("sage", connection=f"acme:{CONNECTION}", token_store=live.store,
                            settings=live.sandbox.settings,
                            client_secret=live.sandbox.client_secret,
                            business_id=live.sandbox.business_id("GB"),
                            limiter=LocalLimiter(RateLimits()))
        yield client
        client.close()

    @pytest.fixture
    def ua_http_samples(self, direct_client: ua.Client, live: LiveGateway) -> HttpSamples:
        return HttpSamples(new_records=_records(direct_client, live), changes=CHANGES)
