"""The demo behind ``unified-accounting demo``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from unified_accounting.models import JournalEntry, JournalLine


def run_demo(say: Callable[[str], None]) -> None:
    """Walk through the library's main features, printing each step with ``say``."""
    entry = JournalEntry(
        date=date(2026, 1, 31),
        reference="PAYROLL-01",
        lines=[
            JournalLine(account_id="7000", debit=Decimal("1200.00")),
            JournalLine(account_id="2210", credit=Decimal("1200.00")),
        ],
    )
    debits = sum((line.debit for line in entry.lines), Decimal(0))
    credits = sum((line.credit for line in entry.lines), Decimal(0))
    say(f"journal {entry.reference}: debits {debits} credits {credits}")
