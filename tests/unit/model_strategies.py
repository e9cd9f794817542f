"""Hypothesis strategies that build valid unified models, and helpers shared by model tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import unified_accounting as ua
from unified_accounting.countries import COUNTRY_CODES
from unified_accounting.json_validation import schema_directory
from unified_accounting.money import MINOR_UNITS, add_exact, from_minor_units, minor_units

SCHEMA_DIR = Path(str(schema_directory()))

ids = st.text(alphabet="0123456789abcdef", min_size=1, max_size=32)
texts = st.text(max_size=30)
names = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != "")
currencies = st.sampled_from(sorted(MINOR_UNITS))
countries = st.sampled_from(sorted(COUNTRY_CODES))
emails = st.from_regex(r"[a-z0-9]{1,10}@[a-z]{1,10}\.(com|org|example)", fullmatch=True)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
moments = st.none() | st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones
)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1))
remote = st.none() | st.dictionaries(
    st.text(max_size=5), st.integers() | st.text(max_size=5) | st.booleans(), max_size=3
)
TAX_CODES = ["standard", "reduced", "second_reduced", "super_reduced", "zero", "exempt",
             "no_tax", "other"]


def schema_validator(kind: str) -> Draft202012Validator:
    """Return a JSON Schema validator for the committed file of ``kind``, checking formats."""
    schema = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def units(currency: str | None, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts between ``low`` and ``high`` minor units of ``currency``."""
    places = minor_units(currency)
    return st.integers(low, high).map(lambda u: from_minor_units(u, places))


def decimals(places: int, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals with up to ``places`` places, between ``low`` and ``high`` in those units."""
    return st.integers(low, high).map(lambda u: from_minor_units(u, places))


def iban_for(bban: str, country: str = "GB") -> str:
    """Return a valid IBAN: ISO 13616 check digits computed for ``country`` and ``bban``."""
    rearranged = bban + country + "00"
    digits = int("".join(str(int(ch, 36)) for ch in rearranged))
    return f"{country}{98 - digits % 97:02d}{bban}"


@st.composite
def addresses(draw: st.DrawFn) -> ua.Address:
    return ua.Address(
        type=draw(st.sampled_from(["billing", "shipping", "other"])),
        line1=draw(st.none() | texts),
        city=draw(st.none() | texts),
        postal_code=draw(st.none() | st.text(max_size=20)),
        country=draw(st.none() | countries),
    )


@st.composite
def contact_persons(draw: st.DrawFn) -> ua.ContactPerson:
    return ua.ContactPerson(
        id=draw(st.none() | ids),
        name=draw(st.none() | names),
        email=draw(st.none() | emails),
        job_title=draw(st.none() | texts),
        is_main=draw(st.booleans()),
        created_at=draw(moments),
        remote_data=draw(remote),
    )


@st.composite
def bank_details(draw: st.DrawFn) -> ua.BankDetails:
    bban = "NWBK" + draw(st.from_regex(r"[0-9]{14}", fullmatch=True))
    return ua.BankDetails(
        account_name=draw(st.none() | texts),
        iban=draw(st.none() | st.just(iban_for(bban))),
        bic=draw(st.none() | st.from_regex(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", fullmatch=True)),
    )


@st.composite
def contacts(draw: st.DrawFn) -> ua.Contact:
    currency = draw(st.none() | currencies)
    customer, supplier = draw(st.sampled_from([(True, False), (False, True), (True, True)]))
    return ua.Contact(
        id=draw(st.none() | ids),
        name=draw(names),
        is_customer=customer,
        is_supplier=supplier,
        email=draw(st.none() | emails),
        currency=currency,
        credit_limit=draw(st.none() | units(currency, 0, 10**12)),
        credit_days=draw(st.none() | st.integers(0, 365)),
        addresses=draw(st.lists(addresses(), max_size=2)),
        contact_persons=draw(st.lists(contact_persons(), max_size=2)),
        bank_details=draw(st.none() | bank_details()),
        is_active=draw(st.booleans()),
        updated_at=draw(moments),
        remote_data=draw(remote),
    )


def _lines(draw: st.DrawFn, currency: str | None, with_amounts: bool) -> list[ua.InvoiceLine]:
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        net = draw(units(currency, -(10**9), 10**9))
        tax = draw(units(currency, 0, 10**8))
        lines.append(
            ua.InvoiceLine(
                description=draw(st.none() | texts),
                quantity=draw(decimals(3, -(10**6), 10**6)),
                # Given amounts and a price must agree (quantity x price); drawn amounts
                # therefore come without a price.
                unit_price=None if with_amounts else draw(st.none() | decimals(4, 0, 10**9)),
                tax_code=draw(st.none() | st.sampled_from(TAX_CODES)),
                account_id=draw(st.none() | ids),
                net_amount=net if with_amounts else None,
                tax_amount=tax if with_amounts else None,
                total_amount=add_exact([net, tax]) if with_amounts else None,
                item_id=draw(st.none() | ids),
            )
        )
    return lines


@st.composite
def invoices(draw: st.DrawFn) -> ua.Invoice:
    currency = draw(st.none() | currencies)
    with_amounts = draw(st.booleans())
    lines = _lines(draw, currency, with_amounts)
    issue = draw(days)
    header = _header_totals(lines) if with_amounts else {}
    return ua.Invoice(
        type=draw(st.sampled_from(["sales", "purchase"])),
        contact_id=draw(ids),
        issue_date=issue,
        due_date=draw(st.none() | st.integers(0, 120).map(lambda d: issue + timedelta(days=d))),
        currency=currency,
        exchange_rate=draw(st.none() | decimals(6, 1, 10**9)),
        status=draw(st.none() | st.sampled_from(["draft", "open", "paid", "void"])),
        tax_inclusive=draw(st.booleans()),
        lines=lines,
        amount_paid=draw(st.none() | units(currency, 0, 10**6)),
        **header,
    )


def _header_totals(lines: list[ua.InvoiceLine]) -> dict[str, Decimal]:
    return {
        name: add_exact([getattr(line, name) for line in lines])
        for name in ("net_amount", "tax_amount", "total_amount")
    }


@st.composite
def payments(draw: st.DrawFn) -> ua.Payment:
    currency = draw(st.none() | currencies)
    places = minor_units(currency)
    amount_units = draw(st.integers(1, 10**10))
    allocations, left = [], amount_units
    for part in draw(st.lists(st.integers(1, amount_units), max_size=3)):
        if part <= left:
            left -= part
            allocations.append(
                ua.PaymentAllocation(
                    invoice_id=draw(ids), amount=from_minor_units(part, places)
                )
            )
    return ua.Payment(
        type=draw(st.sampled_from(["customer_receipt", "supplier_payment", "customer_refund",
                                   "supplier_refund"])),
        contact_id=draw(ids),
        date=draw(days),
        amount=from_minor_units(amount_units, places),
        currency=currency,
        reference=draw(st.none() | texts),
        allocations=allocations,
        created_at=draw(moments),
    )


@st.composite
def journal_entries(draw: st.DrawFn) -> ua.JournalEntry:
    currency = draw(st.none() | currencies)
    places = minor_units(currency)
    debit_units = draw(st.lists(st.integers(1, 10**12), min_size=1, max_size=3))
    total = sum(debit_units)
    split = draw(st.integers(0, total - 1))
    credit_units = [u for u in (total - split, split) if u]
    account = st.fixed_dictionaries({"account_id": ids}) | st.fixed_dictionaries(
        {"account_concept": st.sampled_from(["salaries", "payroll_liabilities", "bank"])}
    )
    lines = [
        ua.JournalLine(debit=from_minor_units(u, places), **draw(account)) for u in debit_units
    ] + [ua.JournalLine(credit=from_minor_units(u, places), **draw(account)) for u in credit_units]
    return ua.JournalEntry(
        date=draw(days),
        reference=draw(st.none() | texts),
        currency=currency,
        lines=draw(st.permutations(lines)),
        remote_data=draw(remote),
    )


@st.composite
def ledger_accounts(draw: st.DrawFn) -> ua.LedgerAccount:
    return ua.LedgerAccount(
        id=draw(st.none() | ids),
        code=draw(st.none() | st.text(max_size=10)),
        name=draw(names),
        classification=draw(st.none() | st.sampled_from(["asset", "liability", "revenue"])),
        type=draw(st.none() | st.sampled_from(["bank", "expense", "depreciation", "other"])),
        is_active=draw(st.booleans()),
    )


@st.composite
def tax_rates(draw: st.DrawFn) -> ua.TaxRate:
    start = draw(st.none() | days)
    end = None if start is None else start + timedelta(days=draw(st.integers(0, 3650)))
    return ua.TaxRate(
        id=draw(st.none() | ids),
        name=draw(names),
        code=draw(st.none() | st.sampled_from(TAX_CODES)),
        rate=draw(st.none() | decimals(4, 0, 10**6)),
        country=draw(st.none() | countries),
        valid_from=start,
        valid_to=end,
    )


@st.composite
def businesses(draw: st.DrawFn) -> ua.Business:
    return ua.Business(
        id=draw(st.none() | ids),
        name=draw(names),
        country=draw(st.none() | countries),
        base_currency=draw(st.none() | currencies),
        is_lead=draw(st.booleans()),
    )


TRANSACTION_TYPES = ["sales_invoice", "customer_receipt", "journal", "other"]


@st.composite
def ledger_entries(draw: st.DrawFn) -> ua.LedgerEntry:
    currency = draw(st.none() | currencies)
    amount = draw(units(currency, 0, 10**12))
    debit = draw(st.booleans())
    return ua.LedgerEntry(
        id=draw(st.none() | ids),
        date=draw(days),
        ledger_account_id=draw(ids),
        debit=amount if debit else from_minor_units(0, minor_units(currency)),
        credit=from_minor_units(0, minor_units(currency)) if debit else amount,
        currency=currency,
        description=draw(st.none() | texts),
        transaction_id=draw(st.none() | ids),
        transaction_type=draw(st.none() | st.sampled_from(TRANSACTION_TYPES)),
        contact_id=draw(st.none() | ids),
        updated_at=draw(moments),
        remote_data=draw(remote),
    )


@st.composite
def trial_balances(draw: st.DrawFn) -> ua.TrialBalance:
    currency = draw(st.none() | currencies)
    places = minor_units(currency)
    debit_units = draw(st.lists(st.integers(1, 10**12), max_size=3))
    credit_units = [sum(debit_units)] if debit_units else []
    lines = [ua.TrialBalanceLine(ledger_account_id=draw(ids), code=draw(st.none() | texts),
                                 name=draw(st.none() | texts),
                                 debit=from_minor_units(u, places)) for u in debit_units]
    lines += [ua.TrialBalanceLine(ledger_account_id=draw(ids), credit=from_minor_units(u, places))
              for u in credit_units]
    total = from_minor_units(sum(debit_units), places)
    return ua.TrialBalance(as_of=draw(days), currency=currency,
                           lines=draw(st.permutations(lines)), total_debit=total,
                           total_credit=total)


@st.composite
def credit_notes(draw: st.DrawFn) -> ua.CreditNote:
    currency = draw(st.none() | currencies)
    with_amounts = draw(st.booleans())
    lines = _lines(draw, currency, with_amounts)
    header = _header_totals(lines) if with_amounts else {}
    # Allocations may not exceed a given total; without one, any amounts pass.
    room = header["total_amount"] if with_amounts else Decimal(10**6)
    allocations, left = [], room
    for part in draw(st.lists(units(currency, 1, 10**6), max_size=3)):
        if part <= left:
            left -= part
            allocations.append(ua.CreditNoteAllocation(
                invoice_id=draw(ids), amount=part, date=draw(st.none() | days)))
    return ua.CreditNote(
        type=draw(st.sampled_from(["sales", "purchase"])),
        contact_id=draw(ids),
        issue_date=draw(days),
        invoice_id=draw(st.none() | ids),
        currency=currency,
        status=draw(st.none() | st.sampled_from(["draft", "open", "partially_allocated",
                                                 "allocated", "void"])),
        tax_inclusive=draw(st.booleans()),
        lines=lines,
        amount_remaining=draw(st.none() | units(currency, 0, 10**6)),
        allocations=allocations,
        **header,
    )


@st.composite
def items(draw: st.DrawFn) -> ua.Item:
    return ua.Item(
        id=draw(st.none() | ids),
        type=draw(st.sampled_from(["product", "service"])),
        code=draw(st.none() | st.text(max_size=20)),
        description=draw(names),
        sales_price=draw(st.none() | decimals(6, 0, 10**12)),
        purchase_price=draw(st.none() | decimals(4, 0, 10**9)),
        sales_account_id=draw(st.none() | ids),
        purchase_tax_rate_id=draw(st.none() | ids),
        is_active=draw(st.booleans()),
        updated_at=draw(moments),
    )


@st.composite
def attachments(draw: st.DrawFn) -> ua.Attachment:
    return ua.Attachment(
        id=draw(st.none() | ids),
        file_name=draw(names),
        mime_type=draw(st.none() | st.sampled_from(["application/pdf", "image/png"])),
        size=draw(st.none() | st.integers(0, 2**31)),
        description=draw(st.none() | st.text(max_size=40)),
        attached_to_kind=draw(st.sampled_from(["invoice", "credit_note", "contact",
                                               "journal_entry", "other"])),
        attached_to_id=draw(ids),
        updated_at=draw(moments),
    )


STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "contact": contacts,
    "contact_person": contact_persons,
    "invoice": invoices,
    "payment": payments,
    "journal_entry": journal_entries,
    "ledger_account": ledger_accounts,
    "tax_rate": tax_rates,
    "business": businesses,
    "ledger_entry": ledger_entries,
    "trial_balance": trial_balances,
    "credit_note": credit_notes,
    "item": items,
    "attachment": attachments,
}


def errors_of(kind: str, data: Any) -> dict[str, list[str]]:
    """Load ``data`` expecting a refusal; return the error paths and messages."""
    try:
        ua.load(kind, data)
    except ua.ValidationError as exc:
        return exc.errors
    raise AssertionError(f"{kind} was accepted: {data!r}")
