"""``client.ledger_entries``: Sage ``/ledger_entries`` (read-only).

Sage has no ``deleted_since`` here: a ledger entry carries ``deleted`` instead. Lists and reads
leave deleted entries out, and ``list_deleted`` finds them among the entries changed since the
moment asked for.

An entry names its transaction but not the transaction's type. The type is learnt from
``/transactions`` a page at a time: the transactions created or changed since the oldest
entry of the page that needs one (an entry is posted with its transaction, so that list holds
every one of them), then ``GET /transactions/{id}`` for any still unknown. Types never change,
so they are kept for the connection. A list narrowed with ``fields=`` that leaves out
``transaction_type`` reads no transactions at all (the trial balance lists entries this way).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from unified_accounting.errors import NotFoundError
from unified_accounting.ledger_models import LedgerEntry
from unified_accounting.models import DeletedRecord
from unified_accounting_sage.handlers.base import SageHandler
from unified_accounting_sage.handlers.query import FieldAttributes, Filter, day, text, timestamp
from unified_accounting_sage.json_values import parse_datetime, ref_id
from unified_accounting_sage.list_pages import MAX_ITEMS_PER_PAGE, whole_seconds
from unified_accounting_sage.mappers import ledger_entries

__all__ = ["LedgerEntryHandler", "TransactionTypes"]

_MOST_KEPT = 200_000  # transaction types remembered per connection before starting afresh


class TransactionTypes:
    """Transaction id -> Sage transaction type id, learnt from ``/transactions`` when needed.

    Args:
        handler: reads Sage lists and records for it.
    """

    def __init__(self, handler: SageHandler[Any]) -> None:
        self._handler = handler
        self._known: dict[str, str | None] = {}

    def get(self, transaction_id: str | None) -> str | None:
        """The type learnt for a transaction, or ``None``."""
        return self._known.get(transaction_id) if transaction_id else None

    def learn(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Make sure the type of every entry's transaction is known (as few requests as can
        be: one list, then a read of each transaction the list did not show)."""
        missing: dict[str, Mapping[str, Any]] = {}
        for entry in entries:
            tx_id = ref_id(entry, "transaction")
            if tx_id and tx_id not in self._known:
                nested = ref_id(entry.get("transaction") or {}, "transaction_type")
                if nested:  # some answers expand the transaction
                    self._known[tx_id] = nested
                else:
                    missing[tx_id] = entry
        if not missing:
            return
        if len(self._known) > _MOST_KEPT:
            self._known.clear()
        self._list_since(_oldest(missing.values()))
        for tx_id in sorted(set(missing) - set(self._known)):
            self._known[tx_id] = self._read(tx_id)

    def _list_since(self, moment: datetime | None) -> None:
        params = {"attributes": "transaction_type"}
        if moment is not None:
            params["updated_or_created_since"] = timestamp(whole_seconds(moment))
        for raw in self._handler.raw_list("transactions", params):
            if raw.get("id"):
                self._known[str(raw["id"])] = ref_id(raw, "transaction_type")

    def _read(self, tx_id: str) -> str | None:
        try:
            return ref_id(self._handler.raw_get("transactions", tx_id), "transaction_type")
        except NotFoundError:
            return None


def _oldest(entries: Iterable[Mapping[str, Any]]) -> datetime | None:
    moments = [parse_datetime(entry.get("created_at")) for entry in entries]
    known = [moment for moment in moments if moment is not None]
    return min(known) if len(known) == len(moments) and known else None


def _wants_type(filters: Mapping[str, Any]) -> bool:
    wanted = filters.get("fields")
    if wanted is None:
        return True
    return "transaction_type" in ([wanted] if isinstance(wanted, str) else wanted)


class LedgerEntryHandler(SageHandler[LedgerEntry]):
    """The general ledger's postings."""

    resource = "ledger_entries"
    operations = frozenset({"list", "get", "list_deleted"})
    collection = "ledger_entries"
    filters = {
        "updated_since": Filter("updated_or_created_since", timestamp),
        "from_date": Filter("from_date", day),
        "to_date": Filter("to_date", day),
        "ledger_account_id": Filter("ledger_account_id", text),
        "transaction_id": Filter("transaction_id", text),
    }
    attributes = FieldAttributes(
        ledger_entries.ATTRIBUTES, LedgerEntry,
        {"ledger_account_id": ("ledger_account",), "transaction_id": ("transaction",),
         "transaction_type": ("transaction", "created_at"), "contact_id": ("contact",),
         "tax_rate_id": ("tax_rate",)},
        always=("date", "ledger_account", "deleted"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.types = TransactionTypes(self)

    def to_model(self, raw: Mapping[str, Any], remote: bool) -> LedgerEntry:
        """Map one Sage ledger entry, with its transaction's type when the answer expands the
        transaction or the type has been learnt."""
        nested = raw.get("transaction")
        sage_type = ref_id(nested, "transaction_type") if isinstance(nested, Mapping) else None
        return ledger_entries.to_unified(
            raw, business_id=self.business_id, include_remote=remote,
            sage_type=sage_type or self.types.get(ref_id(raw, "transaction")))

    def map_records(self, raws: Sequence[Mapping[str, Any]],
                    filters: Mapping[str, Any]) -> builtins.list[LedgerEntry]:
        """Map one page: deleted entries left out, transaction types learnt first."""
        live = [raw for raw in raws if not raw.get("deleted")]
        if _wants_type(filters):
            self.types.learn(live)
        remote = self.tenant.include_remote(filters)
        return [self.to_model(raw, remote) for raw in live]

    def list(self, filters: Mapping[str, Any]) -> Iterator[LedgerEntry]:
        """``GET /ledger_entries`` with the filters, a page of 200 at a time."""
        raws = self.raw_list(self.collection, self.list_params(filters))
        while page := builtins.list(islice(raws, MAX_ITEMS_PER_PAGE)):
            yield from self.map_records(page, filters)

    def get(self, id: str) -> LedgerEntry:
        """``GET /ledger_entries/{id}``.

        Raises:
            NotFoundError: Sage has no such entry, or it was deleted.
        """
        raw = self.raw_get(self.collection, id)
        if raw.get("deleted"):
            raise NotFoundError(f"ledger entry {id} was deleted", status=404, provider="sage")
        return self.map_records([raw], {})[0]

    def list_deleted(self, since: datetime) -> Iterator[DeletedRecord]:
        """The deleted entries among those changed since ``since`` (rounded down to whole
        seconds: a deletion may be reported twice, never missed)."""
        params = {"updated_or_created_since": timestamp(whole_seconds(since)),
                  "attributes": "deleted,updated_at"}
        for raw in self.raw_list(self.collection, params):
            if raw.get("deleted") and raw.get("id"):
                yield DeletedRecord(id=str(raw["id"]), business_id=self.business_id,
                                    deleted_at=parse_datetime(raw.get("updated_at")))
