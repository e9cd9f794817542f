"""The trial balance computed in the core: exact netting, chart order, and a clear refusal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import unified_accounting as ua
from unified_accounting.provider import ReportSource, ResourceCapabilities
from unified_accounting.reports import Reports
from unified_accounting.trial_balance import AccountLabel, check_balanced, compute_trial_balance

D = Decimal
DAY = date(2025, 3, 31)
LABELS = {"bank": AccountLabel("1200", "Bank"), "debtors": AccountLabel("1100", "Debtors"),
          "sales": AccountLabel("4000", "Sales"), "vat": AccountLabel("2200", "VAT"),
          "misc": AccountLabel("900", "Misc")}


def posting(account: str, debit: str = "0", credit: str = "0", *, tx: str = "t1",
            when: date = date(2025, 3, 1)) -> ua.LedgerEntry:
    return ua.LedgerEntry(date=when, ledger_account_id=account, debit=D(debit),
                          credit=D(credit), transaction_id=tx)


INVOICE = [posting("debtors", "120.00"), posting("sales", credit="100.00"),
           posting("vat", credit="20.00")]
RECEIPT = [posting("bank", "120.00", tx="t2"), posting("debtors", credit="120.00", tx="t2")]


def test_accounts_are_netted_to_one_side_and_listed_in_chart_order() -> None:
    balance = compute_trial_balance([*INVOICE, *RECEIPT, posting("misc", "0.10", tx="t3"),
                                     posting("sales", credit="0.10", tx="t3")], LABELS,
                                    as_of=DAY, business_id="b1")
    assert [(line.code, line.name, str(line.debit), str(line.credit))
            for line in balance.lines] == [
        ("900", "Misc", "0.10", "0.00"), ("1200", "Bank", "120.00", "0.00"),
        ("2200", "VAT", "0.00", "20.00"), ("4000", "Sales", "0.00", "100.10")]
    assert (balance.total_debit, balance.total_credit) == (D("120.10"), D("120.10"))
    assert (balance.business_id, balance.as_of) == ("b1", DAY)
    # Debtors netted to zero: left out.
    assert "debtors" not in {line.ledger_account_id for line in balance.lines}


def test_entries_after_the_date_do_not_count_and_unknown_accounts_show_by_id() -> None:
    late = [posting("bank", "50", tx="t9", when=date(2025, 4, 1)),
            posting("sales", credit="50", tx="t9", when=date(2025, 4, 1))]
    balance = compute_trial_balance([*INVOICE, *late], {}, as_of=DAY)
    assert {line.ledger_account_id: (line.code, line.debit - line.credit)
            for line in balance.lines} == {"debtors": (None, D("120.00")),
                                           "sales": (None, D("-100.00")),
                                           "vat": (None, D("-20.00"))}


def test_a_ledger_that_does_not_balance_is_refused_naming_the_difference() -> None:
    broken = [*INVOICE, posting("bank", "10.00", tx="t7"), posting("sales", credit="9.99",
                                                                    tx="t7")]
    with pytest.raises(ua.ProviderError) as caught:
        compute_trial_balance(broken, LABELS, as_of=DAY)
    message = str(caught.value)
    assert "debits 130.00 != credits 129.99 (difference 0.01)" in message
    assert "transactions that do not balance: t7" in message
    assert "2025-03-31" in message


def test_a_native_report_is_checked_the_same_way() -> None:
    lopsided = ua.TrialBalance(as_of=DAY, total_debit=D("5"), total_credit=D("4"))
    with pytest.raises(ua.ProviderError, match="difference 1"):
        check_balanced(lopsided)
    check_balanced(ua.TrialBalance(as_of=DAY))


cents = st.integers(-10**9, 10**9).map(lambda n: D(n).scaleb(-2))
accounts = st.sampled_from(sorted(LABELS))


@st.composite
def balanced_transactions(draw: st.DrawFn) -> list[ua.LedgerEntry]:
    entries: list[ua.LedgerEntry] = []
    for number in range(draw(st.integers(0, 6))):
        amounts = draw(st.lists(cents, min_size=1, max_size=4))
        legs = [(draw(accounts), amount) for amount in amounts]
        legs.append((draw(accounts), -sum(amounts, D(0))))
        for account, amount in legs:
            side = {"debit": str(amount)} if amount >= 0 else {"credit": str(-amount)}
            entries.append(posting(account, tx=f"t{number}", **side))
    return entries


@given(entries=balanced_transactions())
def test_any_balanced_ledger_gives_a_balanced_trial_balance(
    entries: list[ua.LedgerEntry],
) -> None:
    balance = compute_trial_balance(entries, LABELS, as_of=DAY)
    assert balance.total_debit == balance.total_credit
    assert sum((line.debit for line in balance.lines), D(0)) == balance.total_debit
    assert all((line.debit > 0) != (line.credit > 0) for line in balance.lines)
    ua.load("trial_balance", ua.dump(balance))  # the schema's own checks agree


class _Entries:
    """What ``Reports`` reads from ``client.ledger_entries``."""

    def __init__(self, entries: list[ua.LedgerEntry], operations: set[str]) -> None:
        self.entries = entries
        self.capabilities = ResourceCapabilities.of(operations, {"to_date", "fields"})
        self.calls: list[dict[str, Any]] = []

    def supports(self, operation: str) -> bool:
        return self.capabilities.supports(operation)

    def list(self, **filters: Any) -> Iterator[ua.LedgerEntry]:
        self.calls.append(filters)
        return iter(self.entries)

    def get(self, id: str) -> ua.LedgerEntry:
        raise AssertionError("not read")


class _Accounts:
    capabilities = ResourceCapabilities.of({"list", "get"})

    def __init__(self) -> None:
        self.read: list[str] = []

    def supports(self, operation: str) -> bool:
        return True

    def list(self, **filters: Any) -> Iterator[ua.LedgerAccount]:
        return iter([ua.LedgerAccount(id="sales", code="4000", name="Sales")])

    def get(self, id: str) -> ua.LedgerAccount:
        self.read.append(id)
        if id == "vat":
            return ua.LedgerAccount(id="vat", code="2200", name="VAT")
        raise ua.NotFoundError("no such account")


class _Native(ReportSource):
    reports = frozenset({"trial_balance"})

    def trial_balance(self, as_of: date) -> ua.TrialBalance:
        return ua.TrialBalance(as_of=as_of, total_debit=D("1"), total_credit=D("1"))


def test_reports_list_entries_up_to_the_date_and_label_accounts_from_the_chart() -> None:
    entries, chart = _Entries(INVOICE, {"list"}), _Accounts()
    reports = Reports("demo", entries, chart, lambda: None, lambda: "b1")
    balance = reports.trial_balance(as_of=DAY)
    assert entries.calls == [{"to_date": DAY, "fields": [
        "date", "ledger_account_id", "debit", "credit", "transaction_id"]}]
    # Chart order; an account the chart does not know comes last, shown by id alone.
    assert [(line.code, line.name) for line in balance.lines] == [
        ("2200", "VAT"), ("4000", "Sales"), (None, None)]
    assert sorted(chart.read) == ["debtors", "vat"]
    assert balance.business_id == "b1"


def test_reports_prefer_the_providers_own_report_and_refuse_bad_input() -> None:
    entries = _Entries(INVOICE, {"list"})
    reports = Reports("demo", entries, _Accounts(), lambda: _Native(None), lambda: None)  # type: ignore[arg-type]
    assert reports.trial_balance(as_of=DAY).total_debit == D("1")
    assert entries.calls == []
    with pytest.raises(ua.ValidationError) as caught:
        reports.trial_balance(as_of="2025-03-31")  # type: ignore[arg-type]
    assert caught.value.errors == {"as_of": ["must be a date"]}
    assert not reports.supports("profit_and_loss")


def test_without_entries_or_a_native_report_there_is_no_trial_balance() -> None:
    reports = Reports("demo", _Entries([], set()), _Accounts(), lambda: None, lambda: None)
    assert not reports.supports("trial_balance")
    with pytest.raises(ua.UnsupportedOperationError, match="does not list ledger_entries"):
        reports.trial_balance(as_of=DAY)
