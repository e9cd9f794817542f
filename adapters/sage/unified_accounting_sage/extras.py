"""``client.extras`` for Sage connections: reference data, mappings and connection state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from unified_accounting.provider import ProviderContext
from unified_accounting_sage.business_routing import BusinessChange, ConnectionState
from unified_accounting_sage.mappings import AccountMappings, TaxCodes
from unified_accounting_sage.reference_cache import REFERENCE_LISTS
from unified_accounting_sage.tenant import Tenant

__all__ = ["SageExtras"]


class SageExtras:
    """Sage-specific tools of one connection.

    Attributes:
        account_mapping: product concept -> ledger account, validated against the chart.
        tax_codes: explicit unified tax code -> tax rate choices, and resolution.
    """

    def __init__(self, context: ProviderContext) -> None:
        self._tenant = Tenant(context)
        self.account_mapping = AccountMappings(self._tenant)
        self.tax_codes = TaxCodes(self._tenant)

    # -- reference data ------------------------------------------------------------------

    @property
    def reference_lists(self) -> tuple[str, ...]:
        """The names :meth:`reference` accepts."""
        return tuple(sorted(REFERENCE_LISTS))

    def reference(self, name: str) -> list[dict[str, Any]]:
        """Return one of the business's reference lists, as Sage records (cached).

        Names: ``address_types``, ``bank_accounts``, ``contact_person_types``,
        ``contact_types``, ``countries``, ``currencies``, ``ledger_account_types``,
        ``ledger_accounts``, ``payment_methods``, ``tax_rates``. Each is fetched once per
        business and kept for ``static_data_ttl`` seconds (an hour by default).

        Raises:
            ValidationError: an unknown name.
        """
        return self._tenant.reference(name)

    def refresh(self, name: str | None = None) -> None:
        """Forget cached reference data of this business (one list, or all of it)."""
        self._tenant.reference_cache.invalidate(self._tenant.business_id, name)

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Never re-fetch cached reference data while the block runs (e.g. one sync run)."""
        with self._tenant.reference_cache.pinned():
            yield

    def business(self) -> dict[str, Any]:
        """Return the Sage record of the connection's business (cached)."""
        return self._tenant.business()

    @property
    def country(self) -> str | None:
        """The business's country (ISO alpha-2), from its business record."""
        return self._tenant.country()

    # -- connection state ----------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        """A snapshot of the lead business, the 403 streak and the changes reported."""
        return self._tenant.state.snapshot()

    @property
    def needs_reauthorization(self) -> bool:
        """Whether the latest answers were 403 often enough to need a new authorization."""
        return self._tenant.state.needs_reauthorization

    @property
    def lead_business_id(self) -> str | None:
        """The lead business last seen for this connection."""
        return self._tenant.state.lead_business_id

    @property
    def business_changes(self) -> list[BusinessChange]:
        """Every business change reported on this connection, oldest first."""
        return self.state.business_changes

    def __repr__(self) -> str:
        return f"SageExtras(business_id={self._tenant.business_id!r})"
