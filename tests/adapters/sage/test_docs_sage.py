"""docs/sage.md stays true: its examples run, and its tables match the code's tables."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from unified_accounting_sage.countries import LEDGER_ACCOUNT_TYPES, PROVINCES
from unified_accounting_sage.mappers.invoices import STATUS_FROM_SAGE
from unified_accounting_sage.mappers.ledger_entries import TRANSACTION_TYPES
from unified_accounting_sage.mappers.payments import TYPE_TO_SAGE

DOC = Path(__file__).resolve().parents[3] / "docs" / "sage.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)


def _rows(first_cell: str) -> list[list[str]]:
    """Table rows whose first cell matches the regular expression ``first_cell``."""
    rows = []
    for line in TEXT.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(first_cell, cells[0]):
            rows.append(cells)
    return rows


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda s: s.splitlines()[0][:40])
def test_examples_run(source: str) -> None:
    exec(compile(source, str(DOC), "exec"), {})  # noqa: S102 - our own documentation


def test_ledger_type_table_matches_the_code() -> None:
    documented = {
        key: (row[1], row[2])
        for row in _rows(r"`[A-Z_]+`")
        if (key := row[0].strip("`")) in LEDGER_ACCOUNT_TYPES and len(row) == 3
    }
    assert documented == dict(LEDGER_ACCOUNT_TYPES)


def test_province_table_matches_the_code() -> None:
    documented = {row[0]: Decimal(row[2]) for row in _rows(r"[A-Z]{2}") if len(row) == 3}
    assert documented == {code: p.total for code, p in PROVINCES.items()}


def test_status_and_payment_type_tables_match_the_code() -> None:
    statuses = {row[0].strip("`"): row[1].strip("`") for row in _rows(r"`[A-Z_]+`")
                if row[0].strip("`") in STATUS_FROM_SAGE}
    assert statuses == dict(STATUS_FROM_SAGE)
    types = {row[0].strip("`"): row[1].strip("`") for row in _rows(r"`[a-z_]+`")
             if row[0].strip("`") in TYPE_TO_SAGE}
    assert types == dict(TYPE_TO_SAGE)


def test_transaction_type_table_matches_the_code() -> None:
    documented = {row[0].strip("`"): row[1].strip("`") for row in _rows(r"`[A-Z_]+`")
                  if row[0].strip("`") in TRANSACTION_TYPES and len(row) == 2}
    assert documented == dict(TRANSACTION_TYPES)
