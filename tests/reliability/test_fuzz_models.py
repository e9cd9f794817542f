"""Fuzzing every unified model: a result or a ValidationError with field paths, nothing else.

Random documents go through ``ua.load``; random model objects (wrong types included) go
through ``ua.validate_model`` and then through the real client to the Sage sandbox. An
invalid model must be refused before any request: the sandbox's request counter proves that
nothing reached the wire. Valid ones may reach Sage and be refused there, but only with the
library's own errors, never with a stray ``TypeError`` or ``KeyError``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from support.fuzz import check_error_paths, documents, models
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits

pytestmark = pytest.mark.slow

FUZZ = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))

KINDS: dict[str, type[Any]] = {
    "business": ua.Business, "contact": ua.Contact, "contact_person": ua.ContactPerson,
    "invoice": ua.Invoice, "journal_entry": ua.JournalEntry,
    "ledger_account": ua.LedgerAccount, "payment": ua.Payment, "tax_rate": ua.TaxRate,
    "ledger_entry": ua.LedgerEntry, "trial_balance": ua.TrialBalance,
    "credit_note": ua.CreditNote, "item": ua.Item, "attachment": ua.Attachment,
}
#: Unified resource -> its model; every one is written through ``create`` but businesses,
#: which Sage only lets you update (ledger entries are read-only: no write to fuzz).
RESOURCES: dict[str, type[Any]] = {
    "contacts": ua.Contact, "contact_persons": ua.ContactPerson, "invoices": ua.Invoice,
    "payments": ua.Payment, "journals": ua.JournalEntry, "ledger_accounts": ua.LedgerAccount,
    "tax_rates": ua.TaxRate, "businesses": ua.Business, "credit_notes": ua.CreditNote,
    "items": ua.Item,
}


def _fields(cls: type[Any]) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)} | {"_schema"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_random_documents_load_or_fail_with_field_paths(kind: str) -> None:
    @settings(FUZZ, max_examples=150)
    @given(documents(kind))
    def check(document: Any) -> None:
        try:
            model = ua.load(kind, document)
        except ua.ValidationError as error:
            keys = set(document) if isinstance(document, dict) else set()
            check_error_paths(error, _fields(KINDS[kind]) | {str(k) for k in keys})
            return
        assert isinstance(model, KINDS[kind])
        ua.validate_model(model)  # whatever load accepts, the write path accepts too
        assert ua.load(kind, ua.dump(model)) == model

    check()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=29) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(sandbox: SageSandbox) -> Iterator[ua.Client]:
    connected = ua.connect(
        "sage", access_token=str(sandbox.issue_tokens()["access_token"]),
        business_id=sandbox.business_id("GB"), settings=sandbox.settings,
        limiter=LocalLimiter(RateLimits()), sleep=lambda seconds: None,
    )
    yield connected
    connected.close()


@pytest.fixture(scope="module")
def seeds(sandbox: SageSandbox) -> dict[str, Any]:
    """A valid model per resource, pointing at records that exist in the GB business."""
    customer = sandbox.seed_contacts(1)[0]
    invoice = sandbox.seed_invoices(1, lines=1, contact_ids=[customer])[0]
    ledger = {code: sandbox.ledger_account_id("GB", code)
              for code in (4000, 5000, 7000, 2109)}
    day = date(2025, 3, 1)
    return {
        "contacts": ua.Contact(name="Fuzz Ltd", is_customer=True, reference="FZ1"),
        "contact_persons": ua.ContactPerson(contact_id=customer, name="Jane Smith"),
        "invoices": ua.Invoice(type="sales", contact_id=customer, issue_date=day, lines=[
            ua.InvoiceLine(description="Consulting", quantity=Decimal(2),
                           unit_price=Decimal("125.50"), account_id=ledger[4000],
                           tax_rate_id="GB_STANDARD")]),
        "payments": ua.Payment(type="customer_receipt", contact_id=customer, date=day,
                               amount=Decimal("1.00"),
                               bank_account_id=sandbox.bank_account_id("GB"),
                               allocations=[ua.PaymentAllocation(invoice_id=invoice,
                                                                 amount=Decimal("1.00"))]),
        "journals": ua.JournalEntry(date=day, reference="FZ-J", lines=[
            ua.JournalLine(account_id=ledger[7000], debit=Decimal("5.00")),
            ua.JournalLine(account_id=ledger[2109], credit=Decimal("5.00"))]),
        "ledger_accounts": ua.LedgerAccount(name="Fuzz income", code="4510",
                                            classification="revenue", type="revenue"),
        "tax_rates": ua.TaxRate(name="Fuzz rate", code="standard", rate=Decimal(20)),
        "businesses": ua.Business(name="Sandbox Trading Ltd"),
        "credit_notes": ua.CreditNote(type="sales", contact_id=customer, issue_date=day, lines=[
            ua.InvoiceLine(description="Goodwill", unit_price=Decimal("10.00"),
                           account_id=ledger[4000], tax_rate_id="GB_STANDARD")]),
        "items": ua.Item(type="product", description="Fuzz widget", code="FZ-W",
                         sales_price=Decimal("4.50"), sales_account_id=ledger[4000],
                         purchase_account_id=ledger[5000]),
    }


def _write(client: ua.Client, resource: str, model: Any) -> Any:
    if resource == "businesses":
        return client.businesses.update(str(client.business_id), model)
    return getattr(client, resource).create(model)


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_invalid_models_never_reach_the_wire(
    resource: str, client: ua.Client, sandbox: SageSandbox, seeds: dict[str, Any],
) -> None:
    cls = RESOURCES[resource]
    seen = {"refused locally": 0, "sent": 0}

    @settings(FUZZ, max_examples=80)
    @given(models(cls, seed=seeds[resource]))
    def check(model: Any) -> None:
        try:
            ua.validate_model(model)
            valid = True
        except ua.ValidationError as error:
            check_error_paths(error, _fields(cls))
            valid = False
        before = sandbox.counters.total_requests
        refused: ua.AccountingError | None = None
        try:
            _write(client, resource, model)
        except ua.AccountingError as error:
            refused = error
        sent = sandbox.counters.total_requests - before
        if isinstance(refused, ua.ValidationError) and refused.status is None:
            # Refused by the library, not by Sage. "path": an id that would change the
            # request's path (a "/" or "%" in it) is refused before anything is sent.
            check_error_paths(refused, _fields(cls) | {"path"})
        elif refused is not None:
            assert valid, f"{refused!r} for a model validate_model refused"
        if not valid:
            assert sent == 0, f"an invalid {cls.__name__} reached the sandbox"
        seen["refused locally" if not valid else "sent"] += 1

    check()
    assert seen["refused locally"] >= 10, seen
    assert seen["sent"] >= 4, seen


def test_the_fuzzers_cover_every_unified_model() -> None:
    covered = set(KINDS.values()) | set(RESOURCES.values())
    public = {getattr(ua, name) for name in ua.__all__}
    # Records a provider stores carry their business; DeletedRecord is only ever read. The
    # trial balance is fuzzed as a document too, though no provider stores one.
    unified = {obj for obj in public if isinstance(obj, type) and dataclasses.is_dataclass(obj)
               and "remote_data" in {f.name for f in dataclasses.fields(obj)}}
    assert len(unified) == 12
    assert covered == unified | {ua.TrialBalance}
