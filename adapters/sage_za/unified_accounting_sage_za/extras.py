"""``client.extras`` of a ``sage_za`` client: the daily budget and chart helpers."""

from __future__ import annotations

from collections.abc import Mapping

from unified_accounting.provider import ProviderContext
from unified_accounting_sage_za.country import suggest_account_mapping
from unified_accounting_sage_za.quota import board_for, login_key

__all__ = ["SageZAExtras"]


class SageZAExtras:
    """Provider tools beyond the unified resources."""

    def __init__(self, context: ProviderContext) -> None:
        self._context = context

    def daily_usage(self) -> Mapping[str, int]:
        """Today's requests to the connection's company: ``used``, ``budget``, ``remaining``.

        Counted by this process, or by every process sharing the ``redis_url`` quota.
        """
        company = self._context.business_id or "0"
        return board_for(self._context).usage(login_key(self._context, company))

    def suggest_account_mapping(self) -> dict[str, str]:
        """Concept -> account id for a new ZA company's chart, for review (never applied)."""
        answer = self._context.transport.request(
            "GET", "/Account/GetWithSystemAccounts", params={"$top": "100"})
        payload = answer.json()
        records = payload.get("Results", []) if isinstance(payload, dict) else []
        return suggest_account_mapping(r for r in records if isinstance(r, dict))

    def __repr__(self) -> str:
        return f"SageZAExtras(business_id={self._context.business_id!r})"
