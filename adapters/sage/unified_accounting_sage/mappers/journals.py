"""Journals: unified ``JournalEntry`` <-> Sage ``/journals``.

Every Sage journal line carries both ``debit`` and ``credit``; the unused side is sent as
zero. Balance is checked by the core before a journal reaches this mapper. Sage posts
journals in the business's base currency, so ``currency`` is neither sent nor read. A line may
name an ``account_concept`` instead of an ``account_id``; the provider passes a resolver built
from the connection's account mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from unified_accounting.models import JournalEntry, JournalLine
from unified_accounting_sage.json_values import (
    format_date,
    format_money,
    parse_date,
    parse_money,
    ref_id,
)
from unified_accounting_sage.mappers._common import (
    Resolver,
    compact,
    finish,
    objects,
    remote,
    resolve_code,
    stamps,
)

__all__ = ["ATTRIBUTES", "WRAPPER_KEY", "to_sage", "to_unified", "wrapper_key"]

WRAPPER_KEY = "journal"

#: Sage fields this mapper reads (the ``attributes`` query of a list).
ATTRIBUTES: tuple[str, ...] = (
    "date",
    "reference",
    "description",
    "journal_lines",
    "created_at",
    "updated_at",
)

_ZERO = Decimal("0")


def wrapper_key(entry: JournalEntry | None = None) -> str:
    """Return the key that wraps a journal in a write body."""
    return WRAPPER_KEY


def _line_to_unified(raw: Mapping[str, Any]) -> JournalLine:
    return JournalLine(
        account_id=ref_id(raw, "ledger_account"),
        description=raw.get("details"),
        debit=parse_money(raw.get("debit")) or _ZERO,
        credit=parse_money(raw.get("credit")) or _ZERO,
    )


def to_unified(
    raw: Mapping[str, Any], *, business_id: str | None = None, include_remote: bool = False
) -> JournalEntry:
    """Map a Sage journal (``GET /journals/{id}``) to a ``JournalEntry``.

    Raises:
        ValueError: the record has no date.
    """
    when = parse_date(raw.get("date"))
    if when is None:
        raise ValueError("a Sage journal without a date")
    return JournalEntry(
        id=raw.get("id"),
        business_id=business_id,
        date=when,
        reference=raw.get("reference"),
        description=raw.get("description"),
        lines=[_line_to_unified(line) for line in objects(raw, "journal_lines")],
        **stamps(raw),
        remote_data=remote(raw, include_remote),
    )


def _line_to_sage(index: int, line: JournalLine, account: Resolver | None) -> dict[str, Any]:
    return compact(
        {
            "ledger_account_id": resolve_code(
                line.account_id, line.account_concept, account,
                f"lines[{index}].account_concept", "account concept"),
            "details": line.description,
            # Sage requires both sides on every line.
            "debit": format_money(line.debit or _ZERO),
            "credit": format_money(line.credit or _ZERO),
        }
    )


def to_sage(
    entry: JournalEntry,
    *,
    provider_fields: Mapping[str, Any] | None = None,
    partial: bool = False,
    resolve_account: Resolver | None = None,
) -> dict[str, Any]:
    """Build the inner body of ``POST /journals``.

    Args:
        entry: the journal to send (already checked for balance by the core).
        provider_fields: extra Sage fields merged into the body (``journal_code`` in France,
            ``include_on_tax_return`` per line, ...).
        partial: skip Sage's required-field check (Sage has no journal update; a correction is
            ``POST /journals/{id}/reissue``).
        resolve_account: account concept -> ledger account id, for lines with a concept.

    Raises:
        ValidationError: a required field (Sage requires a reference) is missing, a concept is
            unresolved, or a string is too long; paths are unified.
    """
    body = compact(
        {
            "date": format_date(entry.date),
            "reference": entry.reference,
            "description": entry.description,
            "journal_lines": [
                _line_to_sage(index, line, resolve_account)
                for index, line in enumerate(entry.lines)
            ]
            or None,
        }
    )
    return finish(WRAPPER_KEY, body, provider_fields, partial)
