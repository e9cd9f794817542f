"""The conformance suite: the same contract tests for every provider and its sandbox.

Use it from a provider package's tests::

    class TestMyProviderConformance(ProviderConformance):
        @pytest.fixture
        def ua_client(self, my_sandbox):
            return ua.connect("mine", settings=my_sandbox.settings, access_token="...")

        @pytest.fixture
        def ua_samples(self):
            return ConformanceSamples(new_records={"contacts": lambda: ua.Contact(name="A")})

Tests for operations a provider does not support, or has no sample for, are skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from unified_accounting.client import Client, Resource
from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.errors import (
    NotFoundError,
    UnsupportedOperationError,
    ValidationError,
)
from unified_accounting.http.policies import OutgoingRequest
from unified_accounting.models import (
    Attachment,
    Business,
    Contact,
    ContactPerson,
    CreditNote,
    CreditNoteAllocation,
    DeletedRecord,
    Invoice,
    Item,
    JournalEntry,
    LedgerAccount,
    LedgerEntry,
    Payment,
    TaxRate,
    TrialBalance,
)
from unified_accounting.provider import RESOURCES, STANDARD_OPERATIONS
from unified_accounting.testing.attachment_conformance import AttachmentConformance

__all__ = ["RESOURCE_MODELS", "ConformanceSamples", "ProviderConformance"]

RESOURCE_MODELS: dict[str, type[Any]] = {
    "contacts": Contact,
    "contact_persons": ContactPerson,
    "invoices": Invoice,
    "payments": Payment,
    "journals": JournalEntry,
    "ledger_accounts": LedgerAccount,
    "tax_rates": TaxRate,
    "businesses": Business,
    "ledger_entries": LedgerEntry,
    "credit_notes": CreditNote,
    "items": Item,
    "attachments": Attachment,
}
_SAMPLE_TOKEN_RESPONSE = {
    "access_token": "conformance-access",
    "refresh_token": "conformance-refresh",
    "expires_in": 300,
    "token_type": "bearer",
}


@dataclass
class ConformanceSamples:
    """What the suite needs to know about a provider's sandbox.

    Attributes:
        new_records: resource -> a function returning a new, valid model to create.
        changes: resource -> the changes an update applies (field -> new value).
        missing_id: an id no record has.
        token_response: a successful token endpoint payload in the provider's format.
        access_token: the token the client was connected with, which must never show up in
            any repr.
        list_limit: how many records list tests read at most.
        allocation: a function returning an invoice and a credit note of one contact, neither
            created yet, the credit note's total below the invoice's (for the allocation
            tests).
        item_invoice: a function returning an invoice whose first line names the given item
            id, not created yet.
        attachment_file: a function returning the file (a path or a binary file object)
            that the ``attachments`` sample uploads.
    """

    new_records: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    changes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    missing_id: str = "00000000000000000000000000000000"
    token_response: Mapping[str, Any] = field(default_factory=lambda: _SAMPLE_TOKEN_RESPONSE)
    access_token: str | None = None
    list_limit: int = 5
    allocation: Callable[[], tuple[Invoice, CreditNote]] | None = None
    item_invoice: Callable[[str], Invoice] | None = None
    attachment_file: Callable[[], Any] | None = None


class _RequestCounter:
    """Counts what reaches the HTTP session of a client."""

    def __init__(self, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
        session = client.context.transport.session
        original = session.request
        self.count = 0
        self.methods: list[str] = []

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            self.methods.append(str(kwargs.get("method") or (args[0] if args else "")).upper())
            return original(*args, **kwargs)

        monkeypatch.setattr(session, "request", counting)


def _resource(client: Client, name: str) -> Resource[Any]:
    resource: Resource[Any] = getattr(client, name)
    return resource


def _require(client: Client, name: str, *operations: str) -> Resource[Any]:
    resource = _resource(client, name)
    missing = [op for op in operations if not resource.supports(op)]
    if missing:
        pytest.skip(f"{client.provider} does not support {name}.{', '.join(missing)}")
    return resource


def _sample(samples: ConformanceSamples, name: str) -> Any:
    if name not in samples.new_records:
        pytest.skip(f"no sample record for {name}")
    return samples.new_records[name]()


def _create(resource: Resource[Any], samples: ConformanceSamples, name: str) -> Any:
    """Create the sample of ``name`` (an attachment with its sample file)."""
    sample = _sample(samples, name)
    if name == "attachments":
        if samples.attachment_file is None:
            pytest.skip("no sample attachment file")
        return resource.create(sample, file=samples.attachment_file())
    return resource.create(sample)


def _since(record: Any) -> datetime:
    # A minute of slack absorbs clock skew between the test machine and the sandbox.
    stamp = getattr(record, "updated_at", None) or datetime.now(UTC)
    return stamp - timedelta(minutes=1)


def _ids(items: Iterator[Any]) -> set[str]:
    return {item.id for item in items}


class ProviderConformance(AttachmentConformance):
    """Contract tests; a subclass provides the ``ua_client`` and ``ua_samples`` fixtures."""

    def test_capabilities_cover_only_unified_resources(self, ua_client: Client) -> None:
        table = ua_client.capabilities()
        assert set(table) == set(RESOURCES)
        assert set(ua_client.context.provider.capabilities()) <= set(RESOURCES)

    def test_extras_are_handler_methods(self, ua_client: Client) -> None:
        for name, caps in ua_client.capabilities().items():
            for extra in caps.operations - STANDARD_OPERATIONS:
                handler = ua_client.context.provider.resource(name, ua_client.context)
                assert callable(getattr(handler, extra, None)), f"{name}.{extra} has no method"

    @pytest.mark.parametrize("name", RESOURCES)
    def test_unsupported_operations_fail_before_any_request(
        self, ua_client: Client, name: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        resource = _resource(ua_client, name)
        counter = _RequestCounter(ua_client, monkeypatch)
        calls: dict[str, Callable[[], Any]] = {
            "list": lambda: resource.list(),
            "get": lambda: resource.get("x"),
            "create": lambda: resource.create(object()),
            "update": lambda: resource.update("x", {}),
            "delete": lambda: resource.delete("x"),
            "list_deleted": lambda: resource.list_deleted(since=datetime.now(UTC)),
        }
        for operation, call in calls.items():
            if not resource.supports(operation):
                with pytest.raises(UnsupportedOperationError):
                    call()
        assert counter.count == 0

    @pytest.mark.parametrize("name", RESOURCES)
    def test_unknown_filter_fails_before_any_request(
        self, ua_client: Client, name: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        resource = _require(ua_client, name, "list")
        counter = _RequestCounter(ua_client, monkeypatch)
        with pytest.raises(UnsupportedOperationError):
            resource.list(no_such_filter_anywhere=1)
        assert counter.count == 0

    @pytest.mark.parametrize("name", RESOURCES)
    def test_list_is_lazy_and_yields_unified_models(
        self, ua_client: Client, ua_samples: ConformanceSamples, name: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        resource = _require(ua_client, name, "list")
        counter = _RequestCounter(ua_client, monkeypatch)
        items = resource.list()
        assert counter.count == 0, "list() must not send a request before it is iterated"
        for item in itertools.islice(items, ua_samples.list_limit):
            assert isinstance(item, RESOURCE_MODELS[name])
            assert item.id

    @pytest.mark.parametrize("name", RESOURCES)
    def test_pages_cover_the_list_and_resume_at_any_page(
        self, ua_client: Client, name: str
    ) -> None:
        resource = _require(ua_client, name, "list")
        pages = [[item.id for item in page.items] for page in resource.pages(page_size=2)]
        assert pages, "pages() must yield at least one (possibly empty) page"
        assert all(0 < len(ids) <= 2 for ids in pages) or pages == [[]]
        assert {i for ids in pages for i in ids} == _ids(resource.list())
        if len(pages) > 1:
            resumed = [[item.id for item in page.items]
                       for page in resource.pages(page_size=2, start_page=2)]
            assert resumed == pages[1:]

    @pytest.mark.parametrize("name", RESOURCES)
    def test_reading_ahead_or_in_parallel_gives_the_records_of_pages(
        self, ua_client: Client, name: str
    ) -> None:
        resource = _require(ua_client, name, "list")
        paged = [item.id for page in resource.pages(page_size=200) for item in page.items]
        assert [item.id for item in resource.list(read_ahead=True)] == paged
        assert [item.id for item in resource.list(parallel=3)] == paged

    @pytest.mark.parametrize("name", RESOURCES)
    def test_get_of_a_missing_record_raises_not_found(
        self, ua_client: Client, ua_samples: ConformanceSamples, name: str
    ) -> None:
        resource = _require(ua_client, name, "get")
        with pytest.raises(NotFoundError) as caught:
            resource.get(ua_samples.missing_id)
        assert caught.value.status == 404

    @pytest.mark.parametrize("name", RESOURCES)
    def test_create_get_update_delete_round_trip(
        self, ua_client: Client, ua_samples: ConformanceSamples, name: str
    ) -> None:
        resource = _require(ua_client, name, "create", "get")
        created = _create(resource, ua_samples, name)
        assert isinstance(created, RESOURCE_MODELS[name])
        assert created.id
        assert resource.get(created.id).id == created.id
        changes = ua_samples.changes.get(name)
        if changes and resource.supports("update"):
            updated = resource.update(created.id, dict(changes))
            for key, value in changes.items():
                assert getattr(updated, key) == value
        if resource.supports("delete"):
            resource.delete(created.id)
            with pytest.raises(NotFoundError):
                resource.get(created.id)

    @pytest.mark.parametrize("name", RESOURCES)
    def test_updated_since_includes_a_new_record(
        self, ua_client: Client, ua_samples: ConformanceSamples, name: str
    ) -> None:
        resource = _require(ua_client, name, "create", "list")
        if "updated_since" not in resource.capabilities.filters:
            pytest.skip(f"{name} has no updated_since filter")
        created = _create(resource, ua_samples, name)
        assert created.id in _ids(resource.list(updated_since=_since(created)))

    @pytest.mark.parametrize("name", RESOURCES)
    def test_list_deleted_reports_a_deletion(
        self, ua_client: Client, ua_samples: ConformanceSamples, name: str
    ) -> None:
        resource = _require(ua_client, name, "create", "delete", "list_deleted")
        created = _create(resource, ua_samples, name)
        resource.delete(created.id)
        deleted = list(resource.list_deleted(since=_since(created)))
        assert all(isinstance(record, DeletedRecord) for record in deleted)
        assert created.id in {record.id for record in deleted}

    @pytest.mark.parametrize("name", RESOURCES)
    def test_get_returns_each_listed_record(
        self, ua_client: Client, ua_samples: ConformanceSamples, name: str
    ) -> None:
        resource = _require(ua_client, name, "list", "get")
        for item in itertools.islice(resource.list(), ua_samples.list_limit):
            found = resource.get(item.id)
            assert isinstance(found, RESOURCE_MODELS[name])
            assert found.id == item.id

    def test_a_new_journal_posts_its_lines_to_the_ledger(
        self, ua_client: Client, ua_samples: ConformanceSamples
    ) -> None:
        _require(ua_client, "journals", "create")
        entries = _require(ua_client, "ledger_entries", "list")
        journal = ua_client.journals.create(_sample(ua_samples, "journals"))
        listed = [entry for entry in entries.list(updated_since=_since(journal))
                  if entry.date == journal.date]
        posted = [(e.ledger_account_id, e.debit, e.credit) for e in listed]
        for line in journal.lines:
            if line.account_id is not None:
                assert (line.account_id, line.debit, line.credit) in posted
        for transaction in {entry.transaction_id for entry in listed}:
            own = [e for e in listed if e.transaction_id == transaction]
            assert sum(e.debit for e in own) == sum(e.credit for e in own)

    def test_trial_balance_nets_every_entry_and_balances(self, ua_client: Client) -> None:
        if not ua_client.reports.supports("trial_balance"):
            pytest.skip(f"{ua_client.provider} offers no trial balance")
        entries = list(_resource(ua_client, "ledger_entries").list())
        as_of = max((entry.date for entry in entries), default=date(2000, 1, 1))
        balance = ua_client.reports.trial_balance(as_of=as_of)
        assert isinstance(balance, TrialBalance)
        assert balance.total_debit == balance.total_credit
        assert balance.total_debit == sum(line.debit for line in balance.lines)
        net: dict[str, Decimal] = {}
        for entry in entries:
            net[entry.ledger_account_id] = (net.get(entry.ledger_account_id, Decimal(0))
                                            + entry.debit - entry.credit)
        assert {line.ledger_account_id: line.debit - line.credit for line in balance.lines} \
            == {account: amount for account, amount in net.items() if amount}

    def test_reports_a_provider_cannot_give_fail_before_any_request(
        self, ua_client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if ua_client.reports.supports("trial_balance"):
            pytest.skip(f"{ua_client.provider} gives a trial balance")
        counter = _RequestCounter(ua_client, monkeypatch)
        with pytest.raises(UnsupportedOperationError):
            ua_client.reports.trial_balance(as_of=date(2026, 1, 31))
        assert counter.count == 0

    def _allocated_pair(self, ua_client: Client, ua_samples: ConformanceSamples
                        ) -> tuple[Invoice, CreditNote]:
        _require(ua_client, "credit_notes", "create", "get", "allocate")
        _require(ua_client, "invoices", "create", "get")
        if ua_samples.allocation is None:
            pytest.skip("no allocation sample")
        invoice, note = ua_samples.allocation()
        return ua_client.invoices.create(invoice), ua_client.credit_notes.create(note)

    def test_allocating_a_credit_note_lowers_the_invoice_amount_due(
        self, ua_client: Client, ua_samples: ConformanceSamples
    ) -> None:
        invoice, note = self._allocated_pair(ua_client, ua_samples)
        assert note.total_amount is not None
        assert invoice.amount_due is not None
        assert note.total_amount < invoice.amount_due
        after = ua_client.credit_notes.allocate(note.id or "", [
            CreditNoteAllocation(invoice_id=invoice.id or "", amount=note.total_amount)])
        assert isinstance(after, CreditNote)
        assert after.amount_remaining in (None, Decimal(0))
        assert ua_client.invoices.get(invoice.id or "").amount_due == \
            invoice.amount_due - note.total_amount

    def test_over_allocation_is_refused_without_a_write(
        self, ua_client: Client, ua_samples: ConformanceSamples,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        invoice, note = self._allocated_pair(ua_client, ua_samples)
        assert note.total_amount is not None
        counter = _RequestCounter(ua_client, monkeypatch)
        too_much = [CreditNoteAllocation(invoice_id=invoice.id or "",
                                         amount=note.total_amount + Decimal("0.01"))]
        with pytest.raises(ValidationError) as caught:
            ua_client.credit_notes.allocate(note.id or "", too_much)
        assert "allocations" in caught.value.errors
        assert set(counter.methods) <= {"GET"}, "nothing may be written"
        assert ua_client.invoices.get(invoice.id or "").amount_due == invoice.amount_due

    def test_an_invoice_line_keeps_the_item_it_names(
        self, ua_client: Client, ua_samples: ConformanceSamples
    ) -> None:
        _require(ua_client, "items", "create")
        _require(ua_client, "invoices", "create", "get")
        if ua_samples.item_invoice is None:
            pytest.skip("no sample invoice naming an item")
        item = ua_client.items.create(_sample(ua_samples, "items"))
        created = ua_client.invoices.create(ua_samples.item_invoice(item.id or ""))
        assert created.lines[0].item_id == item.id
        assert ua_client.invoices.get(created.id or "").lines[0].item_id == item.id

    def test_writes_carry_an_idempotency_token(self, ua_client: Client) -> None:
        provider = ua_client.context.provider
        if not provider.idempotency_tokens:
            pytest.skip(f"{provider.name} takes no idempotency token; it looks writes up")
        key = provider.new_idempotency_key()
        assert key
        assert key != provider.new_idempotency_key()
        after = provider.apply_idempotency_key(
            OutgoingRequest("POST", "/x", json={"record": {"name": "a"}}), key
        )
        assert key in repr(after.json) + repr(after.headers), "the token must be sent"

    def test_token_response_parses_into_secrets(
        self, ua_client: Client, ua_samples: ConformanceSamples
    ) -> None:
        provider = ua_client.context.provider
        if provider.credential_fields:
            pytest.skip(f"{provider.name} logs in with stored credentials, not OAuth tokens")
        now = datetime.now(UTC)
        tokens = provider.parse_token_response(ua_samples.token_response, now)
        assert isinstance(tokens, TokenSet)
        assert isinstance(tokens.access_token, Secret)
        assert tokens.expires_at > now
        assert str(ua_samples.token_response["access_token"]) not in repr(tokens)
        endpoints = provider.oauth_endpoints(ua_client.context.settings)
        assert endpoints.authorize_url
        assert endpoints.token_url

    def test_rate_limits_are_positive(self, ua_client: Client) -> None:
        limits = ua_client.context.provider.rate_limits(ua_client.context.settings)
        for value in vars(limits).values():
            assert value is None or value > 0

    def test_reprs_hide_the_access_token(
        self, ua_client: Client, ua_samples: ConformanceSamples
    ) -> None:
        if not ua_samples.access_token:
            pytest.skip("no access token given in the samples")
        shown = [repr(ua_client), repr(ua_client.context), repr(ua_client.context.transport),
                 repr(ua_client.proxy), repr(ua_client.contacts)]
        assert all(ua_samples.access_token not in text for text in shown)

