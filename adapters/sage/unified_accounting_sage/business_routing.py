"""Business routing and connection health: pure policies and the state they update.

Sage routes a request to the business named in ``X-Business``, or to the user's lead business
when the header is absent, and the lead business can change. A connection therefore
remembers the lead business it saw last and compares every ``X-Business`` response header
with what it asked for: a difference is reported (a :class:`BusinessChangedWarning` and the
``on_business_change`` callback), never silently followed.

Sage answers 403 when the user lost access to the business or area; when every request of a
connection is refused that way, the user must authorize the app again. Consecutive 403 answers
are counted and, at a threshold, the connection is marked as needing re-authorization.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "BusinessChange",
    "BusinessChangedWarning",
    "ConnectionState",
    "describe_businesses",
    "detect_business_change",
    "next_forbidden_streak",
]

ChangeKind = Literal["routed_elsewhere", "lead_changed"]

# Answers that show the credentials still reach the business, so a 403 streak is over.
_ACCESS_CONFIRMED = range(200, 500)
_NEUTRAL = frozenset({401, 403, 429})


@dataclass(frozen=True)
class BusinessChange:
    """Sage answered for another business than the connection expected.

    Attributes:
        kind: ``routed_elsewhere`` when a request naming a business was answered for another
            one; ``lead_changed`` when the lead business differs from the one remembered.
        expected: the business asked for, or the lead business remembered.
        actual: the business Sage reported in its ``X-Business`` header.
        path: the request path (without query) that revealed it.
        connection: the connection name.
    """

    kind: ChangeKind
    expected: str | None
    actual: str
    path: str
    connection: str

    def describe(self) -> str:
        """Return a one-line description for warnings and logs."""
        if self.kind == "lead_changed":
            return (f"the lead Sage business of connection {self.connection!r} changed from "
                    f"{self.expected} to {self.actual} (seen on {self.path}); requests keep "
                    "going to the business chosen at connect time")
        return (f"Sage answered {self.path} for business {self.actual} although connection "
                f"{self.connection!r} asked for {self.expected}")


class BusinessChangedWarning(UserWarning):
    """Issued when Sage reports another business than expected; ``.change`` has the details."""

    def __init__(self, change: BusinessChange) -> None:
        super().__init__(change.describe())
        self.change = change


@dataclass
class ConnectionState:
    """What one connection learned about its business and its access.

    Attributes:
        lead_business_id: the lead business last seen (``None`` until known).
        forbidden_streak: consecutive 403 answers.
        needs_reauthorization: the streak reached the threshold; cleared by an answer that
            shows access again.
        business_changes: every change reported on this connection, oldest first.
    """

    lead_business_id: str | None = None
    forbidden_streak: int = 0
    needs_reauthorization: bool = False
    business_changes: list[BusinessChange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def snapshot(self) -> ConnectionState:
        """Return a copy that later answers do not change."""
        with self.lock:
            return replace(self, business_changes=list(self.business_changes),
                           lock=threading.Lock())


def next_forbidden_streak(streak: int, status: int) -> int:
    """Return the count of consecutive 403 answers after one more answer.

    A 403 adds one; an answer that shows the business is reachable (2xx, and 4xx other than
    401/403/429) ends the streak; 401, 429 and 5xx say nothing about access and keep it.
    """
    if status == 403:
        return streak + 1
    if status in _ACCESS_CONFIRMED and status not in _NEUTRAL:
        return 0
    return streak


def detect_business_change(
    *,
    sent: str | None,
    echoed: str | None,
    lead: str | None,
    path: str,
    connection: str,
) -> tuple[BusinessChange | None, str | None]:
    """Compare the business Sage answered for with the one expected.

    Args:
        sent: the ``X-Business`` the request carried (``None``: none, so Sage used the lead).
        echoed: the ``X-Business`` response header (``None``: Sage did not say).
        lead: the lead business remembered for the connection.
        path: the request path, for the report.
        connection: the connection name, for the report.

    Returns:
        (the change to report or ``None``, the lead business to remember from now on).
    """
    echoed = (echoed or "").strip() or None
    if echoed is None:
        return None, lead
    if sent is not None:
        if echoed == sent:
            return None, lead
        return BusinessChange("routed_elsewhere", sent, echoed, path, connection), lead
    if lead is None or lead == echoed:
        return None, echoed
    return BusinessChange("lead_changed", lead, echoed, path, connection), echoed


def describe_businesses(records: Iterable[Mapping[str, Any]]) -> str:
    """Return ``id (name, country)`` for each business, for error messages."""
    shown = []
    for record in records:
        country = record.get("country")
        code = country.get("id") if isinstance(country, Mapping) else country
        name = record.get("name") or record.get("displayed_as") or "unnamed"
        shown.append(f"{record.get('id')} ({name}, {code or 'country unknown'})")
    return "; ".join(shown)
