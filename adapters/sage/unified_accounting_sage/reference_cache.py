"""Static Sage data cached per business: reference lists, tax rates, the chart, the business.

Entries live for a TTL (an hour by default). Inside :meth:`ReferenceCache.pinned` (one sync run,
for instance) nothing expires, so a list is fetched at most once however long the run takes;
pins nest and may be held by several threads at once.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["REFERENCE_LISTS", "ReferenceCache"]

T = TypeVar("T")


@dataclass(frozen=True)
class ReferenceList:
    """Where one reference list lives in Sage and which attributes to ask for."""

    path: str
    attributes: str | None = None


#: Name accepted by ``client.extras.reference(name)`` -> the Sage list behind it.
REFERENCE_LISTS: Mapping[str, ReferenceList] = {
    "address_types": ReferenceList("/address_types"),
    "contact_types": ReferenceList("/contact_types"),
    "contact_person_types": ReferenceList("/contact_person_types"),
    "countries": ReferenceList("/countries"),
    "currencies": ReferenceList("/currencies"),
    "ledger_account_types": ReferenceList("/ledger_account_types"),
    "payment_methods": ReferenceList("/payment_methods"),
    "bank_accounts": ReferenceList(
        "/bank_accounts",
        "bank_account_type,bank_account_details,ledger_account,default_payment_method,"
        "currency,is_active,nominal_code",
    ),
    "tax_rates": ReferenceList(
        "/tax_rates", "name,agency,percentage,percentages,is_visible,is_combined_rate"),
    "ledger_accounts": ReferenceList(
        "/ledger_accounts",
        "name,display_name,nominal_code,ledger_account_type,included_in_chart",
    ),
}


@dataclass
class _Entry:
    value: Any
    fetched_at: float


class ReferenceCache:
    """A per-connection cache keyed by business and name.

    Args:
        ttl: seconds an entry is served before it is fetched again.
        clock: a monotonic clock (injectable for tests).
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[tuple[str | None, str], _Entry] = {}
        self._lock = threading.Lock()
        self._pins = 0

    def get(self, business_id: str | None, name: str, load: Callable[[], T]) -> T:
        """Return the cached value, calling ``load`` when it is missing or expired.

        A deep copy is returned, so callers may change what they get.
        """
        key = (business_id, name)
        with self._lock:
            entry = self._entries.get(key)
            fresh = entry is not None and (
                self._pins > 0 or self._clock() - entry.fetched_at < self.ttl)
        if entry is None or not fresh:
            entry = _Entry(load(), self._clock())
            with self._lock:
                self._entries[key] = entry
        return copy.deepcopy(entry.value)  # type: ignore[no-any-return]

    def invalidate(self, business_id: str | None = None, name: str | None = None) -> None:
        """Drop entries: all of them, one business's, or one name (of one or every business)."""
        with self._lock:
            for key in list(self._entries):
                if (business_id is None or key[0] == business_id) and (
                        name is None or key[1] == name):
                    del self._entries[key]

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Serve cached entries without expiry while the block runs."""
        with self._lock:
            self._pins += 1
        try:
            yield
        finally:
            with self._lock:
                self._pins -= 1
