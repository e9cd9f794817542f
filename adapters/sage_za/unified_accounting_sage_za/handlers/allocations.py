"""The v2 ``Allocation`` resource: what a receipt, payment or return is set against.

An allocation names its source (a receipt, a supplier payment or a return: a document that
lowers what the party owes) and the invoice it settles. Payments and credit notes read them
the same way (one request per 25 sources) and write them the same way (looked up before a
resend, since v2 takes no idempotency token).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from unified_accounting.errors import ProviderUnavailableError
from unified_accounting_sage_za.config import setting_int
from unified_accounting_sage_za.handlers.base import ZAHandler

__all__ = ["allocations_of", "is_allocated", "save_allocation"]

_CHUNK = 25


def allocations_of(handler: ZAHandler[Any], source_ids: Sequence[int]
                   ) -> dict[int, builtins.list[dict[str, Any]]]:
    """The allocations of several sources (``GET Allocation/Get?$filter=...``), by source."""
    found: dict[int, builtins.list[dict[str, Any]]] = {sage_id: [] for sage_id in source_ids}
    for start in range(0, len(source_ids), _CHUNK):
        chunk = source_ids[start:start + _CHUNK]
        expression = " or ".join(f"SourceDocumentId eq {sage_id}" for sage_id in chunk)
        for item in handler.raw_list("Allocation", {"$filter": expression}):
            found.setdefault(int(item["SourceDocumentId"]), []).append(item)
    return found


def is_allocated(handler: ZAHandler[Any], source: int, target: int) -> bool:
    """Whether ``source`` is already set against ``target`` (one ``Allocation/Get``)."""
    query = {"$filter": f"SourceDocumentId eq {source} and AllocatedToDocumentId eq {target}"}
    records, _ = handler.fetch_page("Allocation", query, 0)
    return bool(records)


def save_allocation(handler: ZAHandler[Any], source: int, target: int, amount: Decimal,
                    discount: Decimal | None = None) -> None:
    """``POST Allocation/Save``; after a lost answer the allocation is looked up (by source
    and target) before it is sent again, up to the ``write_attempts`` setting."""
    body = {"SourceDocumentId": source, "AllocatedToDocumentId": target, "Total": amount,
            "Discount": discount or Decimal("0")}
    attempts = setting_int(handler.context.settings, "write_attempts")
    for attempt in range(1, attempts + 1):
        try:
            handler.transport.request("POST", "/Allocation/Save", json=body)
            return
        except ProviderUnavailableError:
            if attempt == attempts:
                raise
            if is_allocated(handler, source, target):
                return
            handler.pause(attempt)
