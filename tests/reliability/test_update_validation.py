"""``update`` goes through the same validation as ``create``: every resource, both providers.

For each resource a provider can update, a mapping of changes and a whole model that break
the model's rules, and a key that is no field at all, are refused with ``ValidationError`` at
the field before any write reaches the sandbox (Sage v3.1 over real HTTP, Sage v2.0 too).
A valid change then goes through, so the refusals are not the sandbox refusing everything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from unified_accounting_sage.sandbox import SageSandbox
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits

DAY = date(2026, 4, 1)
BAD_LINE = ua.InvoiceLine(description="x", quantity=Decimal("2"), unit_price=Decimal("100.00"),
                          net_amount=Decimal("50.00"))
# resource -> (invalid changes, the field refused, a valid change)
BREAKS: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    "contacts": ({"email": "not an e-mail"}, "email", {"notes": "fine"}),
    "contact_persons": ({"email": "nope"}, "email", {"job_title": "Buyer"}),
    "invoices": ({"lines": [BAD_LINE]}, "lines[0].net_amount", {"notes": "fine"}),
    "payments": ({"amount": Decimal("0")}, "amount", {"reference": "FINE-1"}),
    "ledger_accounts": ({"name": ""}, "name", {"name": "Renamed"}),
    "tax_rates": ({"rate": Decimal("-5")}, "rate", {"name": "Renamed"}),
    "businesses": ({"base_currency": "XXQ"}, "base_currency", {"name": "Renamed Ltd"}),
}


def _writes(counts: dict[str, int]) -> int:
    return sum(n for key, n in counts.items() if key.split(" ", 1)[0] in {"PUT", "POST"})


def _refused_everywhere(client: ua.Client, resource: str, record_id: str,
                        writes: Callable[[], int]) -> None:
    changes, field, valid = BREAKS[resource]
    handler = getattr(client, resource)
    before = writes()
    with pytest.raises(ua.ValidationError) as caught:
        handler.update(record_id, changes)
    assert field in caught.value.errors, caught.value.errors
    with pytest.raises(ua.ValidationError) as caught:
        handler.update(record_id, {"no_such_field": 1})
    assert list(caught.value.errors) == ["no_such_field"]
    current = handler.get(record_id)
    with pytest.raises(ua.ValidationError) as caught:
        handler.update(record_id, dataclasses.replace(current, **changes))
    assert field in caught.value.errors, caught.value.errors
    assert writes() == before, resource
    handler.update(record_id, valid)
    assert writes() > before, resource


@pytest.fixture(scope="module")
def sage() -> Iterator[tuple[SageSandbox, ua.Client]]:
    with SageSandbox.running(port=0, seed=71) as sb:
        client = sb.connect(sleep=lambda s: None, limiter=LocalLimiter(RateLimits()))
        yield sb, client
        client.close()


def _sage_records(sb: SageSandbox, client: ua.Client) -> dict[str, str]:
    buyer = client.contacts.create(ua.Contact(
        name="Update Check", is_customer=True,
        addresses=[ua.Address(line1="2 Dock Rd", city="Hull")]))
    person = client.contact_persons.create(ua.ContactPerson(contact_id=buyer.id, name="Sam"))
    invoice = client.invoices.create(ua.Invoice(
        type="sales", contact_id=buyer.id or "", issue_date=DAY, lines=[ua.InvoiceLine(
            description="Work", unit_price=Decimal("10.00"),
            account_id=sb.ledger_account_id("GB", 4000))]))
    payment = client.payments.create(ua.Payment(
        type="customer_receipt", contact_id=buyer.id or "", date=DAY, amount=Decimal("5.00"),
        bank_account_id=sb.bank_account_id("GB")))
    return {"contacts": buyer.id or "", "contact_persons": person.id or "",
            "invoices": invoice.id or "", "payments": payment.id or "",
            "ledger_accounts": sb.ledger_account_id("GB", 4000),
            "tax_rates": "GB_STANDARD", "businesses": sb.business_id("GB")}


def test_every_sage_update_is_validated_like_create(
        sage: tuple[SageSandbox, ua.Client]) -> None:
    sb, client = sage
    records = _sage_records(sb, client)
    capabilities = client.capabilities()
    updatable = {name for name, caps in capabilities.items() if caps.supports("update")}
    assert updatable - {"tax_rates"} == set(BREAKS) - {"tax_rates"}
    for resource in sorted(updatable):
        if resource == "tax_rates":
            continue  # a GB business cannot change its tax rates; see the US test below
        _refused_everywhere(client, resource, records[resource],
                            lambda: _writes(sb.counters.requests))


def test_a_sage_tax_rate_update_is_validated_like_create(
        sage: tuple[SageSandbox, ua.Client]) -> None:
    sb, _ = sage
    client = sb.connect(country="US", connection="us", sleep=lambda s: None,
                        limiter=LocalLimiter(RateLimits()))
    rate = client.tax_rates.create(ua.TaxRate(name="Austin", rate=Decimal("8.25")),
                                   provider_fields={"agency": "Texas Comptroller"})
    _refused_everywhere(client, "tax_rates", rate.id or "",
                        lambda: _writes(sb.counters.requests))
    client.close()


def test_every_sage_za_update_is_validated_like_create() -> None:
    za = SageZASandbox(seed=73, limits={"per_minute": 100_000})
    with za.running():
        client = ua.connect("sage_za", settings=za.settings(), credentials=za.credentials,
                            business_id=za.company_id, sleep=lambda s: None)
        sales = next(str(r["ID"]) for r in za.records("Account") if r["Name"] == "Sales")
        buyer = client.contacts.create(ua.Contact(name="Update Check", is_customer=True))
        invoice = client.invoices.create(ua.Invoice(
            type="sales", contact_id=buyer.id or "", issue_date=DAY,
            lines=[ua.InvoiceLine(unit_price=Decimal("10.00"), account_id=sales)]))
        records = {"contacts": buyer.id or "", "invoices": invoice.id or "",
                   "ledger_accounts": sales,
                   "tax_rates": str(za.records("TaxType")[0]["ID"])}
        updatable = {name for name, caps in client.capabilities().items()
                     if caps.supports("update")}
        assert updatable == set(records)

        def writes() -> int:
            return sum(n for key, n in za.counters().requests.items()
                       if "/Save" in key or key.startswith(("POST", "PUT")))

        for resource in sorted(updatable):
            _refused_everywhere(client, resource, records[resource], writes)
        client.close()
