from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from unified_accounting_sage.mappers import journals

from unified_accounting.errors import ValidationError
from unified_accounting.models import JournalEntry, JournalLine

from .sage_json import journal


def test_reads_a_journal() -> None:
    entry = journals.to_unified(journal(), business_id="b", include_remote=False)
    assert (entry.date, entry.reference, entry.description) == (
        date(2025, 3, 31), "PAY-03", "March payroll")
    assert [(line.account_id, line.debit, line.credit) for line in entry.lines] == [
        ("la7000", Decimal("5000.00"), Decimal("0.00")),
        ("la2210", Decimal("0.00"), Decimal("1200.50")),
        ("la2220", Decimal("0.00"), Decimal("3799.50")),
    ]
    assert entry.lines[1].description == "PAYE"
    assert entry.currency is None


def _entry(**changes: object) -> JournalEntry:
    fields: dict[str, object] = {
        "date": date(2025, 3, 31), "reference": "PAY-03",
        "lines": [JournalLine(account_id="la7000", debit=Decimal("10.00")),
                  JournalLine(account_concept="net_wages", credit=Decimal("10.00"),
                              description="Net")],
    }
    fields.update(changes)
    return JournalEntry(**fields)  # type: ignore[arg-type]


def test_writes_both_sides_with_zero_on_the_unused_one() -> None:
    body = journals.to_sage(_entry(), resolve_account={"net_wages": "la2220"}.__getitem__)
    assert body == {
        "date": "2025-03-31",
        "reference": "PAY-03",
        "journal_lines": [
            {"ledger_account_id": "la7000", "debit": "10.00", "credit": "0"},
            {"ledger_account_id": "la2220", "details": "Net", "debit": "0", "credit": "10.00"},
        ],
    }


def test_sage_requires_a_reference() -> None:
    with pytest.raises(ValidationError) as caught:
        journals.to_sage(_entry(reference=None), resolve_account=lambda concept: "x")
    assert list(caught.value.errors) == ["reference"]


def test_an_unmapped_concept_names_its_line() -> None:
    with pytest.raises(ValidationError) as caught:
        journals.to_sage(_entry())
    assert list(caught.value.errors) == ["lines[1].account_concept"]


def test_description_length() -> None:
    with pytest.raises(ValidationError) as caught:
        journals.to_sage(_entry(description="d" * 201), resolve_account=lambda concept: "x")
    assert list(caught.value.errors) == ["description"]


def test_round_trip() -> None:
    first = journals.to_unified(journal(), business_id=None, include_remote=False)
    body = journals.to_sage(first)
    echoed = {
        **body,
        "id": first.id,
        "created_at": "2025-03-31T18:00:00Z",
        "updated_at": "2025-03-31T18:00:00Z",
        "journal_lines": [{**line, "ledger_account": {"id": line["ledger_account_id"]}}
                          for line in body["journal_lines"]],
    }
    assert journals.to_unified(echoed, business_id=None, include_remote=False) == first
