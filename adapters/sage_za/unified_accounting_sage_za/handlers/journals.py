"""Journals: a unified journal is a set of v2 ``JournalEntry`` records sent in one
``JournalEntry/SaveBatch`` and read back as one journal.

The entries of one journal share its date, reference and description, and carry the
adapter's key in ``Memo``: that groups them when listed, and finds them again when the
answer of a batch was lost. The unified id names the entries: ``J101-102-103``.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from unified_accounting.errors import ProviderError, ProviderUnavailableError, ValidationError
from unified_accounting.models import DeletedRecord, JournalEntry, JournalLine
from unified_accounting_sage_za.config import setting_int
from unified_accounting_sage_za.handlers.base import ZAHandler
from unified_accounting_sage_za.journal_split import TwoSided, lines_of, split_journal
from unified_accounting_sage_za.wire import as_decimal, parse_id, parse_stamp, parse_wire_date

__all__ = ["JournalsHandler"]

DEBIT = 1
CONTROLLER = "JournalEntry"


def _entry_ids(unified_id: str) -> list[int]:
    text = str(unified_id)
    if not text.startswith("J"):
        parse_id(text, ("J",))  # raises NotFoundError
    return [parse_id(piece)[1] for piece in text[1:].split("-")]


def _two_sided(raw: Mapping[str, Any]) -> TwoSided:
    amount = as_decimal(raw.get("Total")) or Decimal("0")
    account, contra = str(raw.get("AccountId")), str(raw.get("ContraAccountId"))
    if raw.get("Effect") == DEBIT:
        return TwoSided(account, contra, amount)
    return TwoSided(contra, account, amount)


class JournalsHandler(ZAHandler[JournalEntry]):
    """``JournalEntry/*`` (see the module docstring)."""

    resource = "journals"

    def to_model(self, raws: Sequence[Mapping[str, Any]], remote: bool = False) -> JournalEntry:
        """One journal from its entries."""
        first = raws[0]
        lines = [JournalLine(account_id=account, debit=debit, credit=credit)
                 for account, debit, credit in lines_of([_two_sided(raw) for raw in raws])]
        stamps = [parse_stamp(raw.get("Modified")) or parse_stamp(raw.get("Created"))
                  for raw in raws]
        known = [stamp for stamp in stamps if stamp is not None]
        unified_id = "J" + "-".join(str(raw["ID"]) for raw in raws)
        self._journal_of().update({int(raw["ID"]): unified_id for raw in raws})
        return JournalEntry(
            id=unified_id,
            business_id=self.context.business_id,
            date=parse_wire_date(first.get("Date")),  # type: ignore[arg-type]
            reference=first.get("Reference") or None,
            description=first.get("Description") or None, currency="ZAR", lines=lines,
            created_at=parse_stamp(first.get("Created")), updated_at=max(known, default=None),
            remote_data={"entries": [dict(raw) for raw in raws]} if remote else None)

    def _grouped(self, raws: Iterator[dict[str, Any]]) -> Iterator[builtins.list[dict[str, Any]]]:
        group: builtins.list[dict[str, Any]] = []
        for raw in raws:
            if group and (not raw.get("Memo") or raw.get("Memo") != group[0].get("Memo")):
                yield group
                group = []
            group.append(raw)
        if group:
            yield group

    def list(self, filters: Mapping[str, Any]) -> Iterator[JournalEntry]:
        """``GET JournalEntry/Get`` in id order, consecutive entries of one key grouped."""
        remote = bool(filters.get("include_remote_data"))
        return (self.to_model(group, remote)
                for group in self._grouped(self.listed(CONTROLLER, filters)))

    def get(self, id: str) -> JournalEntry:
        """``GET JournalEntry/Get/{id}`` for each entry."""
        return self.to_model([self.raw_get(CONTROLLER, entry) for entry in _entry_ids(id)])

    def create(self, model: JournalEntry, **options: Any) -> JournalEntry:
        """``POST JournalEntry/SaveBatch`` of the fewest two-sided entries (see
        ``journal_split``); after a lost answer the entries are looked up by their key."""
        key = self.reference_for("UAJ")
        lines = [(self._account(line, index), line.debit, line.credit)
                 for index, line in enumerate(model.lines)]
        body = [{"Date": model.date.isoformat(), "Effect": DEBIT,
                 "AccountId": int(entry.debit_account),
                 "ContraAccountId": int(entry.credit_account), "Total": entry.amount,
                 "Reference": model.reference or key, "Description": model.description or "",
                 "Memo": key} for entry in split_journal(lines)]
        saved = self._save_batch(body, key)
        self.snapshot.seen(CONTROLLER, [int(raw["ID"]) for raw in saved])
        return self.to_model(saved)

    def _account(self, line: JournalLine, index: int) -> str:
        account = line.account_id
        if not account and line.account_concept:
            account = (self.context.settings.get("account_mapping") or {}).get(
                line.account_concept)
        if not account or not str(account).isdigit():
            raise ValidationError({f"lines[{index}].account_id": [
                "v2 journal lines need the id of a ledger account"]}, provider="sage_za")
        return str(account)

    def _save_batch(self, body: builtins.list[dict[str, Any]],
                    key: str) -> builtins.list[dict[str, Any]]:
        if self.stored_before(CONTROLLER, "Memo", key) is not None:
            return self._entries_of(key)
        attempts = setting_int(self.context.settings, "write_attempts")
        for attempt in range(1, attempts + 1):
            try:
                answer = self.transport.request("POST", f"/{CONTROLLER}/SaveBatch", json=body)
                saved = answer.json()
                if not isinstance(saved, list) or not all(isinstance(r, dict) for r in saved):
                    raise ProviderError("Sage answered a batch with something else",
                                        provider="sage_za")
                return saved
            except ProviderUnavailableError:
                found = self._entries_of(key)
                if len(found) == len(body):
                    return found
                if attempt == attempts:
                    raise
                self.pause(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _entries_of(self, key: str) -> builtins.list[dict[str, Any]]:
        """The stored entries of one journal (``SaveBatch`` stores all of them or none)."""
        return [*self.raw_list(CONTROLLER, {"$filter": f"Memo eq '{key}'"})]

    def delete(self, id: str, **options: Any) -> None:
        """``DELETE JournalEntry/Delete/{id}`` for each entry."""
        for entry in _entry_ids(id):
            self.remove(CONTROLLER, entry)

    def _journal_of(self) -> dict[int, str]:
        """Entry id -> the unified id of its journal, for every journal this client read."""
        found: dict[int, str] = self.context.cache.setdefault("sage_za.journal_of", {})
        return found

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        """Journals whose entries vanished from a full re-list (each journal once)."""
        for _ in self.listed(CONTROLLER, {}):
            pass
        reported: set[str] = set()
        journal_of = self._journal_of()
        for entry, when in self.snapshot.deletions(CONTROLLER, since):
            unified_id = journal_of.get(entry, f"J{entry}")
            if unified_id not in reported:
                reported.add(unified_id)
                yield DeletedRecord(id=unified_id, business_id=self.context.business_id,
                                    deleted_at=when)
