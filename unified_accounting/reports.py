"""``client.reports``: financial reports of one connection's business.

A report comes from the provider when its plugin offers it natively
(:class:`~unified_accounting.provider.ReportSource`); otherwise the core computes it from the
unified records, the same way for every provider. Either way the result is checked: a trial
balance whose debits and credits differ raises
:class:`~unified_accounting.errors.ProviderError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from unified_accounting.errors import NotFoundError, UnsupportedOperationError, ValidationError
from unified_accounting.ledger_models import LedgerEntry, TrialBalance
from unified_accounting.models import LedgerAccount
from unified_accounting.provider import ReportSource, ResourceCapabilities
from unified_accounting.trial_balance import AccountLabel, check_balanced, compute_trial_balance

__all__ = ["REPORTS", "ReadableResource", "Reports"]

M_co = TypeVar("M_co", covariant=True)

REPORTS: tuple[str, ...] = ("trial_balance",)
"""The reports ``client.reports`` offers."""

# What a trial balance reads of each entry; a provider that can narrow a list by fields then
# skips whatever else it would fetch (Sage: the transactions that give an entry its type).
_ENTRY_FIELDS = ("date", "ledger_account_id", "debit", "credit", "transaction_id")


class ReadableResource(Protocol[M_co]):
    """What a report reads from a resource of the client (``client.ledger_entries``, ...)."""

    @property
    def capabilities(self) -> ResourceCapabilities: ...

    def supports(self, operation: str) -> bool: ...

    def list(self, **filters: Any) -> Iterator[M_co]: ...

    def get(self, id: str) -> M_co: ...


class Reports:
    """Reports of one connection's business, e.g. ``client.reports.trial_balance(as_of=...)``.

    Args:
        provider: the provider's name (for messages).
        ledger_entries: the client's ledger entries.
        ledger_accounts: the client's chart of accounts.
        native: returns the provider's own reports (called once, when first needed).
        business_id: returns the business the client is routed to.
    """

    def __init__(self, provider: str, ledger_entries: ReadableResource[LedgerEntry],
                 ledger_accounts: ReadableResource[LedgerAccount],
                 native: Callable[[], ReportSource | None],
                 business_id: Callable[[], str | None]) -> None:
        self._provider = provider
        self._entries = ledger_entries
        self._accounts = ledger_accounts
        self._make_native = native
        self._native: ReportSource | None = None
        self._native_made = False
        self._business_id = business_id

    def _source(self, report: str) -> ReportSource | None:
        if not self._native_made:
            self._native, self._native_made = self._make_native(), True
        return self._native if self._native and report in self._native.reports else None

    def supports(self, report: str) -> bool:
        """Return whether ``report`` is available: natively, or from the records it needs."""
        if report not in REPORTS:
            return False
        return self._source(report) is not None or self._entries.supports("list")

    def trial_balance(self, *, as_of: date) -> TrialBalance:
        """Return every ledger account's balance at the end of ``as_of``.

        Computed from the ledger entries dated up to ``as_of`` unless the provider reports it
        natively. Each account's debits and credits are netted to one side; accounts that net
        to zero are left out. Lines come in chart order (by code).

        Raises:
            ValidationError: ``as_of`` is not a date.
            UnsupportedOperationError: the provider neither reports it nor lists its ledger
                entries; raised before any request.
            ProviderError: the provider's postings do not balance (the message names the
                difference), or any error of the requests made.
        """
        if not isinstance(as_of, date) or isinstance(as_of, datetime):
            raise ValidationError({"as_of": ["must be a date"]})
        native = self._source("trial_balance")
        if native is not None:
            balance = native.trial_balance(as_of)
            check_balanced(balance)
            return balance
        if not self._entries.supports("list"):
            raise UnsupportedOperationError(
                f"{self._provider} has no trial balance report and does not list "
                "ledger_entries to compute one from", provider=self._provider)
        return compute_trial_balance(self._entries.list(**self._entry_filters(as_of)),
                                     self._labels, as_of=as_of,
                                     business_id=self._business_id())

    def _entry_filters(self, as_of: date) -> dict[str, Any]:
        offered = self._entries.capabilities.filters
        filters: dict[str, Any] = {}
        if "to_date" in offered:
            filters["to_date"] = as_of
        if "fields" in offered:
            filters["fields"] = list(_ENTRY_FIELDS)
        return filters

    def _labels(self, needed: set[str]) -> dict[str, AccountLabel]:
        """Code and name of each account in ``needed``, from the chart (one list, then a read
        of any account the list did not show)."""
        labels: dict[str, AccountLabel] = {}
        if needed and self._accounts.supports("list"):
            labels = {account.id: AccountLabel(account.code, account.name)
                      for account in self._accounts.list() if account.id in needed and account.id}
        if self._accounts.supports("get"):
            for account_id in sorted(needed - set(labels)):
                labels[account_id] = self._label(account_id)
        return labels

    def _label(self, account_id: str) -> AccountLabel:
        try:
            account = self._accounts.get(account_id)
        except NotFoundError:
            return AccountLabel()
        return AccountLabel(account.code, account.name)

    def __repr__(self) -> str:
        return f"Reports(provider={self._provider!r})"
